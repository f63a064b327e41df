from decimal import Decimal

import pytest

from assets import services
from assets.catalog import load_catalog
from tests.personnel.factories import OfficerFactory


@pytest.fixture
def catalog(db):
    load_catalog()
    return services.standard_ensure(actor=None)


@pytest.fixture
def roll(org, catalog):
    """A small hand-made roll (sizes worked out by hand from SIZING.md):

    a  M  430100 (the Changsha detachment)  173/92/76, head 57, foot 252  → 175/92A 175/76A 255 57
    b  M  430121 (a county under Changsha)  same as a
    i  M  430100 seconded                   same as a
    c  F  430121  160/84/68, head 55.5, EU 37 only → d 16 A; 160/84A 160/68A; (37+10)×5 = 235; 56
    d  M  430000 (the province's bureau)   180/100/84, head 58.4, foot 270 → 180/100A 180/84A 270 58
    e  M  430200  no waist; head 56.5, foot 260 → garments unknown; 260; 57
    f  M  430100  chest 100 waist 70 (d 30: special body), head 57, foot 252 → garments made to measure
    g  M  430100  no certificate number → not counted
    h  M  430100  on leave → not counted
    """
    D = Decimal
    common = dict(height_cm=D(173), chest_cm=D(92), waist_cm=D(76), head_cm=D(57), foot_mm=D(252))
    return {
        "a": OfficerFactory(name="甲", unit=org["430100"], **common),
        "b": OfficerFactory(name="乙", unit=org["430121"], **common),
        "i": OfficerFactory(name="壬", unit=org["430100"], status="seconded", **common),
        "c": OfficerFactory(
            name="丙",
            gender="F",
            unit=org["430121"],
            height_cm=D(160),
            chest_cm=D(84),
            waist_cm=D(68),
            head_cm=D("55.5"),
            foot_mm=None,
            shoe_eu=D(37),
        ),
        "d": OfficerFactory(
            name="丁",
            unit=org["430000"],
            height_cm=D(180),
            chest_cm=D(100),
            waist_cm=D(84),
            head_cm=D("58.4"),
            foot_mm=D(270),
        ),
        "e": OfficerFactory(name="戊", unit=org["430200"], waist_cm=None, head_cm=D("56.5"), foot_mm=D(260)),
        "f": OfficerFactory(name="己", unit=org["430100"], chest_cm=D(100), waist_cm=D(70)),
        "g": OfficerFactory(name="庚", unit=org["430100"], certificate_number="", **common),
        "h": OfficerFactory(name="辛", unit=org["430100"], status="on_leave", **common),
    }
