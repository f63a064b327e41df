"""The auditor reads every page with a form and sees no write controls: no form posting to a write endpoint and
no submit button (the language switch and log-out excepted), while the users who may write still get them.
The server refuses the auditor's writes anyway; this is about what is shown."""

import datetime
import json
from html.parser import HTMLParser

import pytest

from assets import equipment_services as equipment
from assets.catalog import load_catalog
from assets.equipment_models import SurveyEntry
from distribution import services as svc
from distribution.models import DiscrepancyCase, Movement, RecoveryTask
from personnel.services import officer_set_status
from tests.assets.equipment_fixtures import add_item, reference, stations  # noqa: F401
from tests.distribution.conftest import bring_to_county, kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory
from tests.vehicles.conftest import allocation, make_vehicle  # noqa: F401

pytestmark = pytest.mark.django_db

NOT_WRITES = ("/i18n/setlang/", "/logout/")  # every page has these two small forms


class Forms(HTMLParser):
    """The page's POST forms (other than language and log-out), and the submit buttons that would post (in
    those forms, or outside any form); a GET form's button (a filter) writes nothing."""

    def __init__(self):
        super().__init__()
        self.post_forms: list[str] = []
        self.submits: list[str] = []
        self.enabled_fields = 0
        self._skip = False
        self._in_post = False
        self._in_get = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or ""
            self._skip = any(action.endswith(x) for x in NOT_WRITES)
            self._in_post = (a.get("method") or "get").lower() == "post" and not self._skip
            self._in_get = (a.get("method") or "get").lower() != "post"
            if self._in_post:
                self.post_forms.append(action or "(this page)")
        elif tag == "button" and not (self._skip or self._in_get) and (a.get("type") or "submit") == "submit":
            self.submits.append(a.get("data-testid") or a.get("value") or "?")
        elif tag in ("input", "select", "textarea") and self._in_post and "disabled" not in a:
            if a.get("type") not in ("hidden",):
                self.enabled_fields += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self._skip = self._in_post = self._in_get = False


def forms_of(resp) -> Forms:
    parser = Forms()
    parser.feed(resp.content.decode())
    return parser


@pytest.fixture
def world(org, province_user, changsha_user, county_user, reference, stations, allocation, make_vehicle):  # noqa: F811
    """A page of each kind with a form: a shipment to Changsha, a case, a county unit with stock and a leaver
    to recover from, a vehicle, and an open station survey."""
    load_catalog()
    officers = [OfficerFactory(unit=org["430121"]) for _ in range(2)]
    lines = kit_lines(officers[0], 2)
    bring_to_county(org, province_user, changsha_user, county_user, lines)
    svc.kit_issue(actor=county_user, unit=org["430121"], officers=[officers[0]])
    officer_set_status(actor=province_user, officer=officers[0], status="left")
    # a shipment to Changsha still to confirm, and one confirmed with a line short (a case)
    two = kit_lines(OfficerFactory(unit=org["430100"]))[:2]
    receive(province_user, org, two, doc="YS-RO")
    pending = ship(province_user, org, two, "430100")
    receive(province_user, org, two, doc="YS-RO2")
    shorted = ship(province_user, org, two, "430100")
    first = shorted.lines.order_by("id").first()
    svc.shipment_confirm(
        actor=changsha_user,
        shipment=shorted,
        lines=[
            {"line_id": ln.pk, "received": ln.quantity - (1 if ln.pk == first.pk else 0), "reason": "missing"}
            for ln in shorted.lines.all()
        ],
    )
    station = stations["cs1"]
    add_item(station, reference["BODYCAM"], "RO-CAM-1")
    equipment.survey_open(actor=province_user, name="2026年清查", deadline=datetime.date(2099, 1, 31))
    return {
        "officer": officers[1],
        "leaver": officers[0],
        "shipment": pending,
        "case": DiscrepancyCase.objects.get(shipment=shorted),
        "vehicle": make_vehicle("430100", in_service=True),
        "station": station,
    }


def pages(w) -> dict[str, str]:
    st = w["station"].code
    return {
        "survey": f"/stations/{st}/survey/",
        "station": f"/stations/{st}/",
        "officer": f"/roll/officers/{w['officer'].pk}/",
        "shipment": f"/distribution/shipments/{w['shipment'].pk}/",
        "kits": "/distribution/kits/?unit=430121",
        "officer_kit": f"/distribution/officers/{w['officer'].pk}/",
        "recoveries": "/distribution/recoveries/",
        "case": f"/distribution/cases/{w['case'].pk}/",
        "cases": "/distribution/cases/",
        "shipments": "/distribution/",
        "vehicles": "/vehicles/",
        "vehicle": f"/vehicles/{w['vehicle'].pk}/",
        "stations": "/stations/",
        "home": "/",
    }


# pages a read-only role may not open at all (403): nothing to show
WRITE_ONLY_PAGES = ["/distribution/transfer/", "/vehicles/register/", "/roll/upload/"]


def test_auditor_sees_no_write_controls_on_any_page(browse, auditor_user, world):
    c = browse(auditor_user)
    for name, url in pages(world).items():
        resp = c.get(url)
        assert resp.status_code == 200, name
        found = forms_of(resp)
        assert found.post_forms == [], (name, found.post_forms)
        assert found.submits == [], (name, found.submits)
    for url in WRITE_ONLY_PAGES:
        resp = c.get(url)
        assert resp.status_code == 403 and forms_of(resp).post_forms == [], url
    survey = c.get(pages(world)["survey"]).content.decode()
    assert 'data-testid="survey-read-only"' in survey and "RO-CAM-1" in survey
    assert 'type="radio"' not in survey and 'type="file"' not in survey
    station = c.get(pages(world)["station"]).content.decode()
    assert "查看清查表" in station and "填报清查" not in station
    recoveries = c.get("/distribution/recoveries/").content.decode()
    assert 'data-testid="recovery-expected"' in recoveries


def test_the_server_refuses_the_auditors_writes_anyway(browse, auditor_user, world):
    c = browse(auditor_user)
    item = world["station"].equipment.get()
    resp = c.post(pages(world)["survey"], {"action": "save", f"condition_{item.pk}": "good"})
    assert resp.status_code == 403 and not SurveyEntry.objects.exists()
    task = RecoveryTask.objects.get(officer=world["leaver"])
    line = task.expected[0]
    before = Movement.objects.count()
    c.post(
        "/distribution/recoveries/",
        {"task": task.pk, "line": f"{line['item']}|{line['gender']}|{line['size']}", "quantity": 1},
    )
    assert Movement.objects.count() == before
    exceptions = json.dumps([])
    c.post(pages(world)["shipment"], {"step": "confirm", "note": "", "exceptions": exceptions})
    world["shipment"].refresh_from_db()
    assert world["shipment"].status == "dispatched"


def test_writers_still_see_their_forms(browse, changsha_user, province_user, world):
    city = browse(changsha_user)
    p = pages(world)
    for name in ("survey", "officer", "shipment", "kits", "officer_kit", "recoveries"):
        found = forms_of(city.get(p[name]))
        assert found.post_forms and found.submits, name
    assert forms_of(city.get(p["survey"])).enabled_fields
    assert "填报清查" in city.get(p["station"]).content.decode()
    case = forms_of(browse(province_user).get(p["case"]))
    assert case.post_forms and case.submits
