import pytest

from tests.personnel.factories import OfficerFactory


@pytest.fixture
def roll(org):
    """Two Changsha officers (one at a county, one not measured), one Zhuzhou officer."""
    return {
        "cs": OfficerFactory(unit=org["430100"], name="长沙甲"),
        "cs_county": OfficerFactory(unit=org["430121"], name="长沙县乙"),
        "cs_unmeasured": OfficerFactory(unit=org["430121"], name="未测丙", chest_cm=None, head_cm=None),
        "zz": OfficerFactory(unit=org["430200"], name="株洲丁"),
    }
