"""The roll's kit needs behind every progress figure are kept per process and, after a roll change, summed
again only for the units whose officers changed; the figures must always equal a full recomputation."""

from decimal import Decimal

import pytest

from distribution import selectors
from distribution import services as svc
from tests.personnel.factories import OfficerFactory


def _truth():
    return selectors._roll_up(*svc.needed_by_unit(), selectors._ancestors())


@pytest.fixture
def memo_clear():
    selectors._NEEDED_MEMO.clear()
    yield
    selectors._NEEDED_MEMO.clear()


def test_only_the_changed_unit_is_summed_again_and_figures_match(org, catalog, memo_clear, monkeypatch):
    cs = [OfficerFactory(unit=org["430121"]) for _ in range(2)]
    for code in ("430200", "430000", "430100"):  # four units with officers: a change in two is a partial sum
        OfficerFactory(unit=org[code])
    first = selectors.needed_rolled()
    assert first == _truth()
    assert selectors.needed_rolled() is first  # nothing changed: the same object, nothing summed

    asked = []
    real = svc.needed_by_unit
    monkeypatch.setattr(selectors, "needed_by_unit", lambda ids=None: asked.append(ids) or real(ids))

    # a measurement corrected: a bigger jacket for one officer of 长沙县
    cs[0].height_cm, cs[0].chest_cm, cs[0].waist_cm = Decimal("180"), Decimal("96"), Decimal("80")
    cs[0].save()
    after = selectors.needed_rolled()
    assert asked == [[org["430121"].pk]]  # only 长沙县 summed again
    assert after == _truth()
    assert after[org["430000"].pk] != first[org["430000"].pk]
    assert "180/96A" in {k[2] for k in after[org["430121"].pk]}

    # a transfer to 株洲: both units change, the cities' figures move with the officer
    cs[1].unit = org["430200"]
    cs[1].save()
    moved = selectors.needed_rolled()
    assert sorted(asked[1]) == sorted([org["430121"].pk, org["430200"].pk])
    assert moved == _truth()
    assert sum(moved[org["430200"].pk].values()) > sum(after[org["430200"].pk].values())
    assert sum(moved[org["430000"].pk].values()) == sum(after[org["430000"].pk].values())  # same province


def test_a_catalog_change_sums_everything_again(org, catalog, memo_clear, monkeypatch):
    from assets.models import ItemType

    OfficerFactory(unit=org["430121"])
    selectors.needed_rolled()
    asked = []
    real = svc.needed_by_unit
    monkeypatch.setattr(selectors, "needed_by_unit", lambda ids=None: asked.append(ids) or real(ids))
    item = ItemType.objects.filter(qty_per_officer__gt=0).first()
    item.qty_per_officer += 1
    item.save()
    assert selectors.needed_rolled() == _truth()
    assert asked == [None]  # the whole roll


def test_shoes_are_sized_from_the_eu_size_when_no_foot_length_was_measured(org, catalog, memo_clear):
    from assets.sizes import officer_sizes

    o = OfficerFactory(unit=org["430121"], foot_mm=None, shoe_eu=Decimal("42"))
    shoe = officer_sizes(o)["shoe_mm"]
    assert shoe.code  # the officer's page sizes the shoes from the EU size
    known, unknown = svc.needed_by_unit([org["430121"].pk])
    assert any(k[3] == shoe.code for k in known)
    assert not any(k[3] == "missing" for k in unknown)
