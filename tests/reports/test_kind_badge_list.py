"""胸号清单 badge-list (issue 15, part 6): number, name, unit, gender and badge type per officer, the quantity
per badge type per city and in total; scope; one language per file."""

import pytest

from core.errors import NotFound
from distribution import services as dsvc
from distribution.models import BadgeNumber
from personnel.models import Officer
from reports.kinds.badge_list import BadgeListParams, badge_types, collect
from tests.personnel.factories import OfficerFactory

from .test_one_language import check_pdf, check_xlsx


@pytest.fixture
def badges(org, catalog):
    officers = {
        "cs": [OfficerFactory(unit=org["430100"], name=n) for n in ("张伟", "李强")],
        "csx": [OfficerFactory(unit=org["430121"], name="王芳", gender="F")],
        "zz": [OfficerFactory(unit=org["430200"], name=n) for n in ("赵强", "孙丽")],
    }
    Officer.objects.filter(name="孙丽").update(gender="F")
    left = OfficerFactory(unit=org["430100"], name="钱离职")
    dsvc.badge_assign(actor=None)
    Officer.objects.filter(pk=left.pk).update(status="resigned")  # keeps the number, gets no badge
    return officers


def _summary(data) -> dict:
    return {(r[0], r[1]): r[2:] for r in data.sections[0].rows}


def test_badge_types_are_the_numbered_items_of_the_standard(catalog):
    assert [(i.code, q) for i, q in badge_types()] == [("INS-NUMBER-HARD", 1), ("INS-NUMBER-SOFT", 2)]


def test_list_and_quantities_per_badge_type(badges, province_user):
    data = collect(province_user, BadgeListParams())
    sections = {s.key: s for s in data.sections}
    assert set(sections) == {"summary", "430100", "430200"}
    cs = sections["430100"].rows
    numbers = dict(BadgeNumber.objects.values_list("officer__name", "number"))
    # one row per officer and badge type: number, name, unit, gender, type, quantity
    assert len(cs) == 3 * 2 and "钱离职" not in {r[1] for r in cs}
    wang = [r for r in cs if r[1] == "王芳"]
    assert [(r[0], r[2], r[3], r[5]) for r in wang] == [
        (f"{numbers['王芳']:06d}", "长沙县交通运输综合行政执法大队", "女", 1),
        (f"{numbers['王芳']:06d}", "长沙县交通运输综合行政执法大队", "女", 2),
    ]
    # the badge type by the name of the gender's version, as the rest of the uniform prints
    assert {r[4] for r in cs} == {"硬胸号（男）", "软胸号（男）", "硬胸号（女）", "软胸号（女）"}
    assert [r[0] for r in cs] == sorted(r[0] for r in cs)  # by number
    s = _summary(data)
    city = "长沙市交通运输综合行政执法支队"
    # per officer, officers, men, women, quantity
    assert s[(city, "硬胸号")] == (1, 3, 2, 1, 3)
    assert s[(city, "软胸号")] == (2, 3, 4, 2, 6)
    assert s[("株洲市交通运输综合行政执法支队", "软胸号")] == (2, 2, 2, 2, 4)
    assert s[("合计", "硬胸号")] == (1, 5, 3, 2, 5) and s[("合计", "软胸号")] == (2, 5, 6, 4, 10)
    # the totals equal the rows listed
    listed = [r for sec in data.sections[1:] for r in sec.rows]
    assert sum(r[5] for r in listed) == 15 == s[("合计", "硬胸号")][4] + s[("合计", "软胸号")][4]


def test_scope(badges, changsha_user, county_user, zhuzhou_user, api):
    assert [s.key for s in collect(changsha_user, BadgeListParams()).sections] == ["summary", "430100"]
    data = collect(county_user, BadgeListParams())
    assert {r[1] for r in data.sections[1].rows} == {"王芳"}
    with pytest.raises(NotFound):
        collect(changsha_user, BadgeListParams(city="430200"))
    assert [s.key for s in collect(zhuzhou_user, BadgeListParams()).sections] == ["summary", "430200"]
    r = api.as_(zhuzhou_user).post(
        "/reports/jobs", {"kind": "badge-list", "format": "pdf", "params": {"city": "430100"}}
    )
    assert r.status_code == 404
    r = api.as_(zhuzhou_user).post("/reports/jobs", {"kind": "badge-list", "format": "xlsx", "params": {}})
    assert r.status_code == 202


def test_one_language_pdf_and_xlsx(badges, province_user, media, tmp_path):
    zh, en = check_pdf(
        province_user,
        "badge-list",
        {},
        tmp_path,
        en_present=(
            "Badge number list",
            "Badge type",
            "Gender",
            "Quantity",
            "women",
            "hard chest number badge",
        ),
        zh_absent=("胸号清单", "胸号类型", "性别", "数量"),
    )
    assert "胸号清单" in zh and "硬胸号" in zh and "女" in zh
    zh, en = check_xlsx(
        province_user,
        "badge-list",
        {"city": "430100"},
        tmp_path,
        en_present=("Badge number", "Per officer", "Men", "Women", "About"),
        zh_absent=("胸号类型", "每人数量"),
    )
    assert "软胸号" in zh and "王芳" in zh
