"""The sign-for sheets' data: collect reads the roll as plain rows; its sections are exactly what build() makes
from the officers as model instances (the reference), whatever the measurements, in a bounded number of
queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.kit import active_items
from personnel.models import Officer, OrgUnit
from reports.kinds import sign_for
from tests.personnel.factories import OfficerFactory

NOW = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.UTC)


def _bodies(org):
    """Officers covering every path of the size cells: ordinary, shoe by European size only, missing
    measurements, a special body (made to measure), a 号 out of range, a woman, a long name, unsorted names."""
    OfficerFactory(unit=org["430100"], name="张伟")
    OfficerFactory(unit=org["430100"], name="阿强", foot_mm=None, shoe_eu=41)
    OfficerFactory(unit=org["430100"], name="李娜", gender="F", height_cm=160, chest_cm=84, waist_cm=68)
    OfficerFactory(unit=org["430121"], name="缺量", height_cm=None, chest_cm=None, head_cm=None, foot_mm=None)
    OfficerFactory(unit=org["430121"], name="特体", chest_cm=110, waist_cm=76)
    OfficerFactory(unit=org["430121"], name="高个", height_cm=199)
    OfficerFactory(unit=org["430200"], name="欧阳娜娜·古丽热扎")
    OfficerFactory(unit=org["430200"], name="钱退休", status="retired")
    OfficerFactory(unit=org["430200"], name="无证", certificate_number="")


def _reference(user, params, badge_numbers):
    """What collect gave before it read plain rows: build() over full Officer instances."""
    qs = Officer.objects.restrict(user)
    if not params.include_ineligible:
        qs = qs.eligible()
    officers = list(qs.order_by("unit__path", "name", "id"))
    units = {u.pk: u for u in OrgUnit.objects.all()}
    return sign_for.build(
        officers,
        units,
        items=active_items(),
        requested_by=user.get_username(),
        requested_at=NOW,
        sources=[],
        label="",
        badge_numbers=badge_numbers,
    )


def _sections(data):
    return [(s.key, s.title, s.group, s.header, s.rows) for s in data.sections]


def test_collect_gives_what_build_gives_from_model_instances(org, catalog, province_user):
    _bodies(org)
    for include in (False, True):
        params = sign_for.SignForParams(include_ineligible=include)
        badges = {o.pk: f"{o.pk:06d}" for o in Officer.objects.filter(name__in=["张伟", "特体"])}
        got = sign_for.collect(province_user, params, badge_numbers=badges, now=NOW)
        want = _reference(province_user, params, badges)
        assert got.row_count == want.row_count == (9 if include else 7)
        assert _sections(got) == _sections(want)
        assert got.meta == want.meta


def test_the_size_cells_of_every_kind(org, catalog, province_user):
    _bodies(org)
    data = sign_for.collect(province_user, sign_for.SignForParams(), badge_numbers={}, now=NOW)
    rows = {r[1]: r for s in data.sections for r in s.rows}
    assert rows["阿强"][5] == "255"  # EU 41 → 255 mm
    assert rows["缺量"][3:7] == ("缺少量体数据", "缺少量体数据", "缺少量体数据", "缺少量体数据")
    assert rows["特体"][3:5] == ("量体定制", "量体定制")
    assert rows["高个"][3] == "量体定制"


def test_collect_does_not_query_per_officer(org, catalog, province_user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as q:
            sign_for.collect(province_user, sign_for.SignForParams(), now=NOW)
        return len(q.captured_queries)

    _bodies(org)
    queries()  # the user's memberships are cached on it after the first
    few = queries()
    for i in range(30):
        OfficerFactory(unit=org["430100"], name=f"新{i}", foot_mm=None, shoe_eu=40)
    assert queries() == few
