"""Wherever the ID number is masked, the birth date it carries is hidden too: pages, API answers (the officer,
its history, /core/history), the admin and the roll export. Roll keepers still see both in full."""

import datetime
import io

import openpyxl
import pytest
from django.test import Client

from personnel import services
from personnel.exporters import export_roll
from personnel.ids import make, mask
from personnel.privacy import BIRTH_DATE_MASK, redact_changes

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1980, 3, 1)


@pytest.fixture
def officer(org, changsha_user):
    """Made through the service, so its history holds the ID number and the birth date (create record)."""
    o = services.officer_create(
        actor=changsha_user,
        unit=org["430121"],
        name="张三",
        id_number=make("430102", BIRTH, 7, "M"),
        gender="M",
    )
    services.officer_update(actor=changsha_user, officer=o, post="中队长")
    return o


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def birth_texts(officer) -> list[str]:
    """Every way the birth date could show: ISO, compact (as in the ID number), Chinese and English dates."""
    d = officer.birth_date
    return [d.isoformat(), f"{d:%Y%m%d}", f"{d.year}年{d.month}月{d.day}日", f"{d.day} Mar {d.year}"]


def test_redact_changes_hides_both_and_keeps_the_rest():
    changes = {
        "id_number": [None, "430102198003010071"],
        "birth_date": [None, "1980-03-01"],
        "post": ["", "x"],
    }
    hidden = redact_changes(changes, full=False)
    assert hidden == {
        "id_number": [None, mask("430102198003010071")],
        "birth_date": [None, BIRTH_DATE_MASK],
        "post": ["", "x"],
    }
    assert redact_changes(changes, full=True) == changes and changes["birth_date"][1] == "1980-03-01"


def test_api_hides_the_birth_date_where_the_id_is_masked(api, officer, auditor_user, changsha_user):
    auditor = api.as_(auditor_user)
    item = auditor.get("/personnel/officers", {"q": "张三"}).json()["items"][0]
    assert item["id_number"] == mask(officer.id_number) and item["birth_date"] is None
    detail = auditor.get(f"/personnel/officers/{officer.pk}").json()
    assert detail["id_number"] == mask(officer.id_number) and detail["birth_date"] is None
    created = next(h for h in detail["history"] if h["action"] == "create")
    assert created["changes"]["id_number"][1] == mask(officer.id_number)
    assert created["changes"]["birth_date"][1] == BIRTH_DATE_MASK
    generic = auditor.get("/core/history", {"model": "personnel.officer", "object_id": officer.pk})
    body = generic.content.decode()
    assert generic.status_code == 200 and officer.id_number not in body
    assert not any(t in body for t in birth_texts(officer))
    assert not any(
        t in auditor.get(f"/personnel/officers/{officer.pk}").content.decode() for t in birth_texts(officer)
    )
    # the roll keeper: both in full
    keeper = api.as_(changsha_user).get(f"/personnel/officers/{officer.pk}").json()
    assert keeper["id_number"] == officer.id_number and keeper["birth_date"] == BIRTH.isoformat()
    created = next(h for h in keeper["history"] if h["action"] == "create")
    assert created["changes"]["birth_date"][1] == BIRTH.isoformat()


def test_officer_page_hides_the_birth_date_for_the_auditor(officer, auditor_user, changsha_user):
    page = login(auditor_user).get(f"/roll/officers/{officer.pk}/").content.decode()
    assert mask(officer.id_number) in page and officer.id_number not in page
    assert BIRTH_DATE_MASK in page and not any(t in page for t in birth_texts(officer))
    keeper = login(changsha_user).get(f"/roll/officers/{officer.pk}/").content.decode()
    assert "1980年3月1日" in keeper and officer.id_number in keeper


def test_admin_hides_the_birth_date_with_the_id(officer, make_user):
    auditor = make_user("auditor", "430000")
    auditor.is_staff = True
    auditor.save()
    page = login(auditor).get(f"/admin/personnel/officer/{officer.pk}/change/").content.decode()
    assert "张三" in page and not any(t in page for t in birth_texts(officer))


def test_roll_export_carries_no_birth_date(officer, auditor_user):
    out = io.BytesIO()
    export_roll(out, user=auditor_user)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    cells = [str(v) for r in sheet.iter_rows(values_only=True) for v in r if v is not None]
    assert mask(officer.id_number) in cells and officer.id_number not in cells
    assert not any(t in c for c in cells for t in birth_texts(officer))
