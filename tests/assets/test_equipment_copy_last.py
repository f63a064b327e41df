"""Everything as in the last survey: services.survey_grade(copy_last=True) fills the items not graded yet
with what the station's last survey found, the posted grades are the items that differ; it is the actor's
survey in the history, and without an earlier survey it is a clear error naming copy_last (API too)."""

import datetime

import pytest

from assets import equipment_services as services
from assets.equipment_models import SurveyEntry
from core.errors import QMError
from core.history import history_for

from .equipment_fixtures import add_item, reference, station_user, stations  # noqa: F401

pytestmark = pytest.mark.django_db
DEADLINE = datetime.date(2099, 1, 31)
P = "/assets/equipment/surveys"


@pytest.fixture
def items(reference, stations):
    s = stations["cs1"]
    return [
        add_item(s, reference["BODYCAM"], "C-CAM-1"),
        add_item(s, reference["BODYCAM"], "C-CAM-2"),
        add_item(s, reference["PC"], "C-PC-1"),
    ]


@pytest.fixture
def last(items, stations, province_user, station_user, county_user):
    """A closed survey of cs1: CAM-1 good, CAM-2 fair ("镜头划痕"), PC-1 needs repair."""
    station = stations["cs1"]
    survey = services.survey_open(actor=province_user, name="2025年清查", deadline=DEADLINE)
    services.survey_grade(
        actor=station_user,
        survey=survey,
        station=station,
        grades=[
            {"item_id": items[0].pk, "condition": "good"},
            {"item_id": items[1].pk, "condition": "fair", "note": "镜头划痕"},
            {"item_id": items[2].pk, "condition": "needs_repair"},
        ],
    )
    services.survey_submit(actor=station_user, survey=survey, station=station)
    services.survey_confirm(actor=county_user, survey=survey, station=station)
    return services.survey_close(actor=province_user, survey=survey)


def grades_of(survey, station) -> dict:
    return {
        e.item.asset_tag: (e.condition, e.note)
        for e in SurveyEntry.objects.filter(survey_return__survey=survey, survey_return__station=station)
    }


def test_copy_last_fills_the_rest_and_applies_the_changes(
    last, items, stations, reference, province_user, station_user
):
    station = stations["cs1"]
    new_item = add_item(station, reference["PC"], "C-PC-NEW")  # bought since: not in the last survey
    survey = services.survey_open(actor=province_user, name="2026年清查", deadline=DEADLINE)
    entries = services.survey_grade(
        actor=station_user,
        survey=survey,
        station=station,
        grades=[{"item_id": items[2].pk, "condition": "good", "note": "已修好"}],
        copy_last=True,
    )
    assert len(entries) == 3
    assert grades_of(survey, station) == {
        "C-CAM-1": ("good", ""),
        "C-CAM-2": ("fair", "镜头划痕"),
        "C-PC-1": ("good", "已修好"),
    }
    assert not SurveyEntry.objects.filter(item=new_item).exists()  # graded by hand, like any new item
    # attributed like any survey: the actor graded them, each a create record, the copies noted so
    for e in SurveyEntry.objects.filter(survey_return__survey=survey):
        assert e.graded_by == station_user
        record = history_for(e).get()
        assert record.action == "create" and record.actor == station_user
        assert ("2025年清查" in record.note) == (e.item_id != items[2].pk)
    # per-item changes after the copy: only the items that differ are sent
    services.survey_grade(
        actor=station_user,
        survey=survey,
        station=station,
        grades=[
            {"item_id": items[0].pk, "condition": "unserviceable", "note": "摔坏"},
            {"item_id": new_item.pk, "condition": "good"},
        ],
    )
    assert grades_of(survey, station)["C-CAM-1"] == ("unserviceable", "摔坏")
    assert grades_of(survey, station)["C-CAM-2"] == ("fair", "镜头划痕")
    services.survey_submit(actor=station_user, survey=survey, station=station)  # every item graded


def test_copy_last_keeps_grades_already_given(last, items, stations, province_user, station_user):
    station = stations["cs1"]
    survey = services.survey_open(actor=province_user, name="2026年清查", deadline=DEADLINE)
    services.survey_grade(
        actor=station_user,
        survey=survey,
        station=station,
        grades=[{"item_id": items[0].pk, "condition": "fair"}],
    )
    services.survey_grade(actor=station_user, survey=survey, station=station, grades=[], copy_last=True)
    assert grades_of(survey, station)["C-CAM-1"] == ("fair", "")
    assert grades_of(survey, station)["C-PC-1"] == ("needs_repair", "")


def test_without_an_earlier_survey_it_is_a_clear_error(items, stations, province_user, station_user):
    station = stations["cs1"]
    survey = services.survey_open(actor=province_user, name="首次清查", deadline=DEADLINE)
    with pytest.raises(QMError) as exc:
        services.survey_grade(actor=station_user, survey=survey, station=station, grades=[], copy_last=True)
    assert exc.value.code == "no_last_survey" and exc.value.details == {"field": "copy_last"}
    assert exc.value.status == 409 and not SurveyEntry.objects.exists()


def test_bad_change_saves_nothing_and_the_auditor_may_not(
    last, items, stations, province_user, station_user, auditor_user
):
    station = stations["cs1"]
    survey = services.survey_open(actor=province_user, name="2026年清查", deadline=DEADLINE)
    with pytest.raises(QMError) as exc:
        services.survey_grade(
            actor=station_user,
            survey=survey,
            station=station,
            grades=[{"item_id": items[0].pk, "condition": "shiny"}],
            copy_last=True,
        )
    assert exc.value.code == "invalid_grades" and not SurveyEntry.objects.filter(survey_return__survey=survey)
    with pytest.raises(QMError) as exc:
        services.survey_grade(actor=auditor_user, survey=survey, station=station, grades=[], copy_last=True)
    assert exc.value.status == 403


def test_api_copy_last(api, last, items, stations, province_user, station_user, county_user):
    station = stations["cs1"]
    survey = services.survey_open(actor=province_user, name="2026年清查", deadline=DEADLINE)
    url = f"{P}/{survey.pk}/stations/{station.code}/grades"
    r = api.as_(station_user).post(
        url, {"copy_last": True, "grades": [{"item_id": items[1].pk, "condition": "good"}]}
    )
    assert r.status_code == 200, r.content
    got = {e["asset_tag"]: e["condition"] for e in r.json()["entries"]}
    assert got == {"C-CAM-1": "good", "C-CAM-2": "good", "C-PC-1": "needs_repair"}
    # a station without an earlier survey: 409 naming the field
    other = stations["cs2"]
    add_item(other, items[0].equipment_type, "C2-CAM")
    r = api.as_(county_user).post(f"{P}/{survey.pk}/stations/{other.code}/grades", {"copy_last": True})
    assert r.status_code == 409 and r.json()["code"] == "no_last_survey"
    assert r.json()["details"]["field"] == "copy_last"
