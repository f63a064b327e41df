"""Survey life cycle: open, grade, found items, photos, submit, confirm, send back, progress, close, compare."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets import equipment_selectors as selectors
from assets import equipment_services as services
from assets.equipment_models import EquipmentItem, SurveyEntry, SurveyReturn
from core.errors import QMError
from core.history import history_for

from .equipment_fixtures import add_item, media, reference, station_user, stations  # noqa: F401

DEADLINE = datetime.date(2099, 1, 31)


@pytest.fixture
def items(reference, stations):
    s = stations["cs1"]
    return [
        add_item(s, reference["BODYCAM"], "T-CAM-1"),
        add_item(s, reference["BODYCAM"], "T-CAM-2"),
        add_item(s, reference["PC"], "T-PC-1", condition="fair"),
        add_item(s, reference["PC"], "T-PC-old", status="disposed"),
    ]


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format="PNG")
    return buf.getvalue()


def test_full_life_cycle(
    items,
    stations,
    province_user,
    county_user,
    changsha_user,
    station_user,
    auditor_user,
    reference,
    media,
):
    station = stations["cs1"]
    survey = services.survey_open(actor=province_user, name="2026 清查", deadline=DEADLINE)
    assert SurveyReturn.objects.filter(survey=survey).count() == 5  # every active station
    with pytest.raises(QMError) as exc:
        services.survey_open(actor=province_user, name="again", deadline=DEADLINE)
    assert exc.value.code == "survey_open"
    with pytest.raises(QMError) as exc:
        services.survey_open(actor=county_user, name="x", deadline=DEADLINE)
    assert exc.value.status == 403

    # a bad batch saves nothing and names each problem
    other = add_item(stations["ly"], reference["PC"], "LY-PC")
    with pytest.raises(QMError) as exc:
        services.survey_grade(
            actor=station_user,
            survey=survey,
            station=station,
            grades=[
                {"item_id": items[0].pk, "condition": "good"},
                {"item_id": other.pk, "condition": "good"},
                {"item_id": items[1].pk, "condition": "broken"},
                {"item_id": items[3].pk, "condition": "fair"},
            ],
        )
    errors = exc.value.details["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "item_id"), (2, "condition"), (3, "item_id")]
    assert not SurveyEntry.objects.exists()

    services.survey_grade(
        actor=station_user,
        survey=survey,
        station=station,
        grades=[{"item_id": items[0].pk, "condition": "needs_repair", "note": "屏幕裂"}],
    )
    with pytest.raises(QMError) as exc:
        services.survey_submit(actor=station_user, survey=survey, station=station)
    assert exc.value.code == "ungraded_items" and exc.value.details["asset_tags"] == ["T-CAM-2", "T-PC-1"]
    services.survey_grade(
        actor=station_user,
        survey=survey,
        station=station,
        grades=[
            {"item_id": items[0].pk, "condition": "unserviceable", "note": "无法开机"},  # regrading replaces
            {"item_id": items[1].pk, "condition": "good"},
            {"item_id": items[2].pk, "condition": "fair"},
        ],
    )
    assert SurveyEntry.objects.get(item=items[0]).condition == "unserviceable"

    entry = services.survey_add_found(
        actor=station_user,
        survey=survey,
        station=station,
        equipment_type=reference["INTERPHONE"],
        condition="fair",
        serial_number="FOUND1",
    )
    found = entry.item
    assert entry.found and found.source == "survey" and found.station == station
    assert found.asset_tag == f"{station.code}-INTERPHONE-001"
    photo = services.survey_add_photo(
        actor=station_user,
        entry=entry,
        uploaded=SimpleUploadedFile("p.png", _png(), content_type="image/png"),
    )
    assert photo.content_type == "image/png" and photo.size > 0
    with pytest.raises(QMError) as exc:
        services.survey_add_photo(
            actor=station_user,
            entry=entry,
            uploaded=SimpleUploadedFile("p.png", b"not an image", content_type="image/png"),
        )
    assert exc.value.code == "bad_photo"

    with pytest.raises(QMError) as exc:
        services.survey_grade(
            actor=auditor_user,
            survey=survey,
            station=station,
            grades=[{"item_id": items[1].pk, "condition": "good"}],
        )
    assert exc.value.status == 403

    services.survey_submit(actor=station_user, survey=survey, station=station)
    with pytest.raises(QMError) as exc:
        services.survey_grade(
            actor=station_user,
            survey=survey,
            station=station,
            grades=[{"item_id": items[1].pk, "condition": "fair"}],
        )
    assert exc.value.code == "return_submitted"

    # the station itself cannot confirm its own return; its county can
    with pytest.raises(QMError) as exc:
        services.survey_confirm(actor=station_user, survey=survey, station=station)
    assert exc.value.status == 403
    services.survey_send_back(actor=county_user, survey=survey, station=station, note="核对 T-CAM-1")
    services.survey_grade(
        actor=station_user,
        survey=survey,
        station=station,
        grades=[{"item_id": items[1].pk, "condition": "fair"}],
    )
    services.survey_submit(actor=station_user, survey=survey, station=station)
    services.survey_confirm(actor=county_user, survey=survey, station=station)

    # confirmed grades become the register's condition, recorded
    items[0].refresh_from_db()
    assert items[0].condition == "unserviceable"
    assert history_for(items[0]).first().changes["condition"] == ["good", "unserviceable"]

    progress = selectors.survey_progress(changsha_user, survey)
    assert progress["summary"]["unit_code"] == "430100"
    rows = {r["unit_code"]: r for r in progress["children"]}
    assert (
        rows["430121"]["stations"] == 2 and rows["430121"]["confirmed"] == 1 and rows["430121"]["draft"] == 1
    )
    assert rows["430121"]["items"] == 4 and rows["430121"]["graded"] == 4
    assert rows["430181"]["graded"] == 0 and "430200" not in rows
    assert progress["summary"]["stations"] == 4  # Changsha's 4 stations, not Zhuzhou's

    with pytest.raises(QMError) as exc:
        services.survey_close(actor=changsha_user, survey=survey)
    assert exc.value.status == 403
    survey = services.survey_close(actor=province_user, survey=survey)
    assert survey.status == "closed" and survey.closed_on is not None
    assert survey.summary["conditions"]["unserviceable"] == 1 and survey.summary["found"] == 1
    assert survey.summary["returns"]["confirmed"] == 1
    with pytest.raises(QMError) as exc:
        services.survey_grade(
            actor=station_user,
            survey=survey,
            station=station,
            grades=[{"item_id": items[1].pk, "condition": "good"}],
        )
    assert exc.value.code == "survey_closed"
    assert EquipmentItem.objects.filter(pk=found.pk).exists()


def test_station_page_compares_the_last_two_closed_surveys(
    items,
    stations,
    province_user,
    county_user,
    station_user,
    changsha_user,
    reference,
):
    station = stations["cs1"]

    def run(name, grades, found=None):
        survey = services.survey_open(actor=province_user, name=name, deadline=DEADLINE)
        services.survey_grade(actor=station_user, survey=survey, station=station, grades=grades)
        if found:
            services.survey_add_found(actor=station_user, survey=survey, station=station, **found)
        services.survey_submit(actor=station_user, survey=survey, station=station)
        services.survey_confirm(actor=county_user, survey=survey, station=station)
        return services.survey_close(actor=province_user, survey=survey)

    first = run(
        "2025",
        [
            {"item_id": items[0].pk, "condition": "good"},
            {"item_id": items[1].pk, "condition": "fair"},
            {"item_id": items[2].pk, "condition": "fair"},
        ],
    )
    # between the surveys T-PC-1 is transferred away (so the next survey does not see it)
    req = services.transfer_request(
        actor=county_user, item=items[2], to_station=stations["cs2"], reason="调剂"
    )
    services.request_approve(actor=changsha_user, request=req)
    second = run(
        "2026",
        [
            {"item_id": items[0].pk, "condition": "needs_repair"},
            {"item_id": items[1].pk, "condition": "good"},
        ],
        found={"equipment_type": reference["VEST"], "condition": "good"},
    )
    history = selectors.station_survey_history(station)
    assert history["last_survey"]["id"] == second.pk and history["previous_survey"]["id"] == first.pk
    assert history["counts"] == {"good": 2, "fair": 0, "needs_repair": 1, "unserviceable": 0}
    changes = {c["asset_tag"]: (c["before"], c["after"], c["change"]) for c in history["changes"]}
    assert changes == {
        "T-CAM-1": ("good", "needs_repair", "worse"),
        "T-CAM-2": ("fair", "good", "better"),
        "T-PC-1": ("fair", None, "missing"),
        f"{station.code}-VEST-001": (None, "good", "new"),
    }
    cmp = selectors.survey_compare(province_user, first, second, unit_code="430121")
    assert cmp["counts"]["base"]["fair"] == 2 and cmp["counts"]["target"]["good"] == 2
    assert cmp["transitions"]["good"]["needs_repair"] == 1 and cmp["transitions"]["fair"]["good"] == 1


def test_survey_announcement_and_reminders(
    items,
    stations,
    province_user,
    county_user,
    station_user,
    django_capture_on_commit_callbacks,
):
    from core.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        survey = services.survey_open(
            actor=province_user,
            name="提醒测试",
            deadline=datetime.date(2026, 7, 10),
            opened_on=datetime.date(2026, 6, 20),
        )
    assert Notification.objects.filter(
        user=county_user, dedupe_key=f"equipment_survey:{survey.pk}:open"
    ).exists()
    before = datetime.date(2026, 7, 1)
    assert services.survey_notify(survey_id=survey.pk, today=before) == 0  # announced already, not yet due
    near = datetime.date(2026, 7, 8)
    assert services.survey_notify(survey_id=survey.pk, today=near) >= 1
    assert Notification.objects.filter(
        user=county_user, dedupe_key=f"equipment_survey:{survey.pk}:{near}"
    ).exists()
    assert services.survey_notify(survey_id=survey.pk, today=near) == 0  # once a day
    # once 长沙县's stations have all submitted, 长沙县 is no longer reminded
    for code in ("cs1", "cs2"):
        st = stations[code]
        on_books = list(EquipmentItem.objects.filter(station=st, status__in=("in_use", "in_repair")))
        if on_books:
            services.survey_grade(
                actor=county_user,
                survey=survey,
                station=st,
                grades=[{"item_id": i.pk, "condition": i.condition} for i in on_books],
            )
        services.survey_submit(actor=county_user, survey=survey, station=st)
    later = datetime.date(2026, 7, 9)
    services.survey_notify(survey_id=survey.pk, today=later)
    assert not Notification.objects.filter(
        user=county_user, dedupe_key=f"equipment_survey:{survey.pk}:{later}"
    ).exists()
    from assets.equipment_tasks import equipment_survey_reminders

    assert equipment_survey_reminders() == 0  # run in-process: everyone was told today already
