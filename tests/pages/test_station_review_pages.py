"""Station pages, second part: items found at the station (账外装备) added from the phone survey form through
services.survey_add_found, and the county's confirm / send back of a submitted return (services.survey_confirm
/ survey_send_back). Bad input shows its message and changes nothing; the station's own account cannot
confirm; another city's station is 404."""

import datetime

import pytest

from assets import equipment_services as services
from assets.equipment_models import EquipmentItem, SurveyEntry, SurveyReturn
from core.models import ChangeRecord
from tests.assets.equipment_fixtures import add_item, media, reference, station_user, stations  # noqa: F401

pytestmark = pytest.mark.django_db


def text(resp) -> str:
    return resp.content.decode()


@pytest.fixture
def survey(province_user, reference, stations):
    s = stations["cs1"]
    items = [add_item(s, reference["BODYCAM"], "R-CAM-1"), add_item(s, reference["PC"], "R-PC-1")]
    sv = services.survey_open(actor=province_user, name="2026年清查", deadline=datetime.date(2099, 1, 31))
    return sv, s, items


def graded_and_submitted(user, survey):
    sv, st, items = survey
    services.survey_grade(
        actor=user,
        survey=sv,
        station=st,
        grades=[{"item_id": i.pk, "condition": "needs_repair", "note": ""} for i in items],
    )
    services.survey_submit(actor=user, survey=sv, station=st)


def found_form(**extra):
    data = {
        "action": "found",
        "found_type": "BODYCAM",
        "found_condition": "fair",
        "found_serial_number": "SN-FOUND-1",
        "found_asset_tag": "",
        "found_acquired_on": "2023-05-01",
        "found_acquired_value": "1,200.50",
        "found_note": "仓库角落发现",
    }
    data.update(extra)
    return data


def test_station_adds_a_found_item_from_the_survey_form(browse, station_user, survey):
    sv, st, _items = survey
    c = browse(station_user)
    url = f"/stations/{st.code}/survey/"
    page = text(c.get(url))
    assert 'data-testid="found-form"' in page and 'name="found_type"' in page and 'value="BODYCAM"' in page
    assert c.post(url, found_form()).status_code == 302
    item = EquipmentItem.objects.get(serial_number="SN-FOUND-1")
    assert item.station == st and item.condition == "fair" and item.source == "survey"
    assert str(item.acquired_value) == "1200.50" and item.acquired_on == datetime.date(2023, 5, 1)
    entry = SurveyEntry.objects.get(item=item)
    assert entry.found and entry.survey_return.survey == sv and entry.note == "仓库角落发现"
    assert ChangeRecord.objects.filter(note="清查发现").exists()
    after = text(c.get(url))
    assert item.asset_tag in after and 'data-testid="found-tag"' in after


@pytest.mark.parametrize(
    "bad,field",
    [
        ({"found_type": ""}, "装备类型"),
        ({"found_type": "NOPE"}, "装备类型"),
        ({"found_condition": "shiny"}, "状况"),
        ({"found_acquired_on": "2023-13-45"}, "购置日期"),
        ({"found_acquired_on": "2999-01-01"}, "购置日期"),
        ({"found_acquired_value": "abc"}, "购置金额"),
    ],
)
def test_bad_found_item_changes_nothing(browse, station_user, survey, bad, field):
    _sv, st, _items = survey
    n_items, n_entries = EquipmentItem.objects.count(), SurveyEntry.objects.count()
    resp = browse(station_user).post(f"/stations/{st.code}/survey/", found_form(**bad))
    assert resp.status_code == 400 and 'data-testid="survey-error"' in text(resp) and field in text(resp)
    assert 'data-testid="found" open' in text(resp) and "SN-FOUND-1" in text(resp)  # what was typed is kept
    assert (EquipmentItem.objects.count(), SurveyEntry.objects.count()) == (n_items, n_entries)


def test_duplicate_serial_is_refused(browse, station_user, survey):
    _sv, st, _items = survey
    c = browse(station_user)
    assert c.post(f"/stations/{st.code}/survey/", found_form()).status_code == 302
    again = c.post(f"/stations/{st.code}/survey/", found_form())
    assert again.status_code == 409 and "序列号" in text(again)
    assert EquipmentItem.objects.filter(serial_number="SN-FOUND-1").count() == 1


def test_county_confirms_a_submitted_return(browse, county_user, station_user, survey, stations):
    sv, st, items = survey
    c = browse(county_user)
    assert 'data-testid="confirm-return"' not in text(c.get(f"/stations/{st.code}/"))  # nothing submitted yet
    graded_and_submitted(station_user, survey)
    listing = text(c.get("/stations/?return=submitted"))
    assert f'data-station="{st.code}"' in listing and f'data-station="{stations["cs2"].code}"' not in listing
    assert f'data-station="{stations["cs2"].code}"' in text(c.get("/stations/?return=draft"))
    assert 'href="/stations/?return=submitted"' in text(c.get("/"))  # the start block's figure
    page = text(c.get(f"/stations/{st.code}/"))
    assert 'data-testid="confirm-return"' in page and 'data-testid="send-back"' in page and "R-CAM-1" in page
    assert c.post(f"/stations/{st.code}/", {"action": "confirm", "note": "核实无误"}).status_code == 302
    assert SurveyReturn.objects.get(survey=sv, station=st).status == "confirmed"
    items[0].refresh_from_db()
    assert items[0].condition == "needs_repair"  # the grades became the register's condition
    done = text(c.get(f"/stations/{st.code}/"))
    assert 'data-testid="confirm-return"' not in done and "县级已确认" in done
    again = c.post(f"/stations/{st.code}/", {"action": "confirm"})  # a second click: refused, nothing changes
    assert again.status_code == 409 and 'data-testid="review-error"' in text(again)


def test_county_sends_back_with_a_reason(browse, county_user, station_user, survey):
    sv, st, items = survey
    graded_and_submitted(station_user, survey)
    c = browse(county_user)
    bad = c.post(f"/stations/{st.code}/", {"action": "send_back", "note": "  "})
    assert bad.status_code == 400 and 'data-testid="review-error"' in text(bad) and "理由" in text(bad)
    assert SurveyReturn.objects.get(survey=sv, station=st).status == "submitted"
    assert c.post(f"/stations/{st.code}/", {"action": "send_back", "note": "照片不清楚"}).status_code == 302
    assert SurveyReturn.objects.get(survey=sv, station=st).status == "draft"
    assert ChangeRecord.objects.filter(note="照片不清楚").exists()
    # the station can change its grades again
    ok = browse(station_user).post(
        f"/stations/{st.code}/survey/", {"action": "save", f"condition_{items[0].pk}": "good"}
    )
    assert ok.status_code == 302


def test_station_cannot_confirm_its_own_return_and_other_city_is_404(
    browse, station_user, zhuzhou_user, survey
):
    sv, st, _items = survey
    graded_and_submitted(station_user, survey)
    own = browse(station_user)
    assert 'data-testid="confirm-return"' not in text(own.get(f"/stations/{st.code}/"))
    assert own.post(f"/stations/{st.code}/", {"action": "confirm"}).status_code == 403
    z = browse(zhuzhou_user)
    assert z.post(f"/stations/{st.code}/", {"action": "confirm"}).status_code == 404
    assert z.post(f"/stations/{st.code}/survey/", found_form()).status_code == 404
    assert SurveyReturn.objects.get(survey=sv, station=st).status == "submitted"
    assert not EquipmentItem.objects.filter(serial_number="SN-FOUND-1").exists()
    assert browse(station_user).get("/stations/?return=bogus").status_code == 400


def test_province_dashboard_shows_station_gaps_by_city(browse, province_user, changsha_user, survey):
    page = text(browse(province_user).get("/dashboard/"))
    assert 'data-section="station_gaps"' in page and 'data-chart="chart-station_gaps"' in page
    assert 'href="/stations/gaps/?unit=430100"' in page  # the bar's and the row's list
    assert 'data-section="station_gaps"' not in text(browse(changsha_user).get("/dashboard/"))
