"""A report request naming an object by id (shipment, officer, snapshot, tender) is checked against the
requester's scope before any job is written: the API answers 404 naming the field, and nothing is created
(reports.services.targets_check, called by validate_request)."""

import pytest

from reports.models import ReportJob
from tests.distribution.conftest import kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def zz(org, province_user, catalog):
    officer = OfficerFactory(unit=org["430200"])
    lines = kit_lines(officer)[:1]
    receive(province_user, org, lines)
    return {"officer": officer, "shipment": ship(province_user, org, lines, "430200")}


@pytest.mark.parametrize("kind,field", [("receipt-form", "shipment"), ("kit-card", "officer")])
def test_another_citys_object_is_404_and_no_job(api, changsha_user, zz, kind, field):
    r = api.as_(changsha_user).post("/reports/jobs", {"kind": kind, "params": {field: zz[field].pk}})
    assert r.status_code == 404 and r.json()["details"]["field"] == field
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("kind,field", [("size-table", "snapshot"), ("tender-timeline", "tender")])
def test_unknown_snapshot_or_tender_is_404_and_no_job(api, province_user, org, kind, field):
    r = api.as_(province_user).post("/reports/jobs", {"kind": kind, "params": {field: 987654}})
    assert r.status_code == 404 and r.json()["details"]["field"] == field
    assert not ReportJob.objects.exists()


def test_own_objects_are_accepted(api, province_user, zz):
    for kind, field in (("receipt-form", "shipment"), ("kit-card", "officer")):
        r = api.as_(province_user).post("/reports/jobs", {"kind": kind, "params": {field: zz[field].pk}})
        assert r.status_code == 202, r.content
    assert ReportJob.objects.count() == 2
