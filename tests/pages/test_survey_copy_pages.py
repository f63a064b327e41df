"""The survey page's "everything as in the last survey": offered only with an earlier survey, it posts just the
items that differ (not a field per item) and the service fills the rest; without an earlier survey the page
does not offer it and a forged post gets a clear error."""

import datetime
import re

import pytest

from assets import equipment_services as services
from assets.equipment_models import SurveyEntry
from core.history import history_for
from tests.assets.equipment_fixtures import add_item, reference, station_user, stations  # noqa: F401

pytestmark = pytest.mark.django_db
DEADLINE = datetime.date(2099, 1, 31)


@pytest.fixture
def station_items(reference, stations):
    s = stations["cs1"]
    return s, [add_item(s, reference["BODYCAM"], f"PG-CAM-{n}") for n in range(1, 6)]


def close_a_survey(province_user, station_user, county_user, station, items, condition="good"):
    survey = services.survey_open(actor=province_user, name="2025年清查", deadline=DEADLINE)
    services.survey_grade(
        actor=station_user,
        survey=survey,
        station=station,
        grades=[{"item_id": i.pk, "condition": condition} for i in items],
    )
    services.survey_submit(actor=station_user, survey=survey, station=station)
    services.survey_confirm(actor=county_user, survey=survey, station=station)
    return services.survey_close(actor=province_user, survey=survey)


def test_copy_last_posts_only_the_changes(browse, station_items, province_user, station_user, county_user):
    station, items = station_items
    close_a_survey(province_user, station_user, county_user, station, items)
    survey = services.survey_open(actor=province_user, name="2026年清查", deadline=DEADLINE)
    c = browse(station_user)
    url = f"/stations/{station.code}/survey/"
    page = c.get(url).content.decode()
    assert 'data-testid="copy-last"' in page and "2025年清查" in page
    assert page.count('data-testid="last-condition"') == 5 and "上次清查：完好" in page
    assert "data-changes-only" in page  # the script then sends only the rows changed
    # one item differs: the post names that one item only, whatever the number of items
    posted = {
        "action": "copy_last",
        f"condition_{items[2].pk}": "needs_repair",
        f"note_{items[2].pk}": "屏幕裂",
    }
    resp = c.post(url, posted)
    assert resp.status_code == 302
    got = {
        e.item.asset_tag: (e.condition, e.note, e.graded_by_id)
        for e in SurveyEntry.objects.filter(survey_return__survey=survey)
    }
    assert got == {
        **{f"PG-CAM-{n}": ("good", "", station_user.pk) for n in (1, 2, 4, 5)},
        "PG-CAM-3": ("needs_repair", "屏幕裂", station_user.pk),
    }
    assert all(history_for(e).filter(actor=station_user).exists() for e in SurveyEntry.objects.all())
    after = c.get(url).content.decode()
    assert 'data-testid="copy-last"' not in after  # nothing left to copy
    assert re.search(r"已按上次清查填写 4 项", after)
    # a per-item change afterwards: again only that item
    assert c.post(url, {"action": "save", f"condition_{items[0].pk}": "fair"}).status_code == 302
    assert SurveyEntry.objects.get(survey_return__survey=survey, item=items[0]).condition == "fair"
    assert c.post(url, {"action": "submit"}).status_code == 302


def test_not_offered_without_an_earlier_survey(browse, station_items, province_user, station_user):
    station, _items = station_items
    services.survey_open(actor=province_user, name="首次清查", deadline=DEADLINE)
    c = browse(station_user)
    url = f"/stations/{station.code}/survey/"
    page = c.get(url).content.decode()
    assert 'data-testid="copy-last"' not in page and 'data-testid="last-condition"' not in page
    resp = c.post(url, {"action": "copy_last"})
    assert resp.status_code == 409 and "没有以往的清查" in resp.content.decode()
    assert not SurveyEntry.objects.exists()


def test_english_page(browse, station_items, province_user, station_user, county_user):
    station, items = station_items
    close_a_survey(province_user, station_user, county_user, station, items, condition="fair")
    services.survey_open(actor=province_user, name="2026", deadline=DEADLINE)
    c = browse(station_user)
    c.cookies["django_language"] = "en"
    page = c.get(f"/stations/{station.code}/survey/").content.decode()
    assert "Everything else as in the last survey" in page and "Last survey: fair" in page
    assert "其余按上次清查填写" not in page
