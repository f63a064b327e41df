"""Personal data (《个人信息保护法》): every full ID number shown to someone outside the officer's own unit chain
is recorded (who, when, which officer, through which door); in the chain, or masked, nothing is recorded.
The record names the officer, never the number; auditors and provincial logistics read it in their scope."""

import io
import tempfile
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from personnel import privacy
from personnel.exporters import export_roll
from personnel.ids import mask
from personnel.models import PersonalDataAccess

from .factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cs(org):
    return OfficerFactory(unit=org["430121"], name="长沙县人")


@pytest.fixture
def zz(org):
    return OfficerFactory(unit=org["430200"], name="株洲人")


@pytest.fixture
def admin_user(db):
    """A superuser: sees every full number, and belongs to no officer's chain."""
    return get_user_model().objects.create_superuser("root-pii", password="pw-test-123")


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def accesses():
    return list(PersonalDataAccess.objects.order_by("id").values("username", "officer_id", "door", "where"))


# ---- the chain ------------------------------------------------------------------------------------------


def test_the_chain_is_the_unit_and_its_ancestors_staff(org, make_user, admin_user):
    station = org["430121"]  # 长沙县 agency, under 长沙市, under the province
    assert privacy.in_chain(make_user("county", "430121"), station)
    assert privacy.in_chain(make_user("city", "430100"), station)
    assert privacy.in_chain(make_user("province", "430000"), station)
    assert not privacy.in_chain(make_user("city", "430200"), station)  # another city
    assert not privacy.in_chain(make_user("auditor", "430100"), station)  # reads, does not keep the roll
    assert not privacy.in_chain(admin_user, station)  # the superuser's blanket grant is no chain


# ---- each door ------------------------------------------------------------------------------------------


def test_api_detail_and_list_record_outside_the_chain_only(
    api, cs, zz, admin_user, changsha_user, province_user
):
    assert api.as_(changsha_user).get(f"/personnel/officers/{cs.pk}").json()["id_number"] == cs.id_number
    assert api.as_(province_user).get("/personnel/officers").status_code == 200
    assert accesses() == []  # in the chain: nothing
    detail = api.as_(admin_user).get(f"/personnel/officers/{cs.pk}").json()
    assert detail["id_number"] == cs.id_number
    assert accesses() == [
        {
            "username": "root-pii",
            "officer_id": cs.pk,
            "door": "api",
            "where": f"/api/v1/personnel/officers/{cs.pk}",
        }
    ]
    PersonalDataAccess.objects.all()._raw_delete(PersonalDataAccess.objects.db)
    page = api.as_(admin_user).get("/personnel/officers", {"page_size": 200}).json()
    shown = {item["id"] for item in page["items"]}
    rows = PersonalDataAccess.objects.all()
    assert {r.officer_id for r in rows} == shown and len(rows) == len(shown) >= 2
    assert len({r.batch for r in rows}) == 1  # one listing, one batch


def test_masked_views_record_nothing(api, cs, auditor_user, zhuzhou_user):
    assert api.as_(auditor_user).get(f"/personnel/officers/{cs.pk}").json()["id_number"] == mask(cs.id_number)
    assert api.as_(auditor_user).get("/personnel/officers").status_code == 200
    login(auditor_user).get(f"/roll/officers/{cs.pk}/")
    out = io.BytesIO()
    export_roll(out, user=auditor_user)
    assert api.as_(zhuzhou_user).get(f"/personnel/officers/{cs.pk}").status_code == 404
    assert accesses() == []


def test_pages_record_outside_the_chain(cs, admin_user, changsha_user):
    assert cs.id_number in login(changsha_user).get(f"/roll/officers/{cs.pk}/").content.decode()
    login(changsha_user).get("/roll/")
    assert accesses() == []
    assert cs.id_number in login(admin_user).get(f"/roll/officers/{cs.pk}/").content.decode()
    assert accesses() == [
        {
            "username": "root-pii",
            "officer_id": cs.pk,
            "door": "page",
            "where": f"/roll/officers/{cs.pk}/",
        }
    ]
    login(admin_user).get("/roll/", {"q": "长沙县人"})
    assert accesses()[-1]["door"] == "page" and accesses()[-1]["where"].startswith("/roll/?")
    assert len(accesses()) == 2


def test_admin_change_form_records_outside_the_chain(cs, admin_user, make_user):
    keeper = make_user("city", "430100")
    keeper.is_staff = True
    keeper.save()
    assert login(keeper).get(f"/admin/personnel/officer/{cs.pk}/change/").status_code == 200
    assert accesses() == []
    page = login(admin_user).get(f"/admin/personnel/officer/{cs.pk}/change/")
    assert page.status_code == 200 and cs.id_number in page.content.decode()
    assert [a["door"] for a in accesses()] == ["admin"] and accesses()[0]["officer_id"] == cs.pk


def test_admin_hides_numbers_out_of_the_chain_from_a_keeper_elsewhere(cs, make_user):
    """A city user of 株洲 who also audits the province saw 长沙 numbers in the admin; now the mask."""
    from personnel.models import Membership

    user = make_user("city", "430200")
    Membership.objects.create(user=user, unit=cs.unit.parent.parent, role="auditor")
    user.is_staff = True
    user.save()
    page = login(user).get(f"/admin/personnel/officer/{cs.pk}/change/").content.decode()
    assert cs.id_number not in page and accesses() == []


def test_export_is_one_batch_and_as_fast(org, cs, zz, admin_user, province_user):
    out = io.BytesIO()
    assert export_roll(out, user=province_user) >= 2
    assert accesses() == []
    with CaptureQueriesContext(connection) as q:
        n = export_roll(io.BytesIO(), user=admin_user, where="/api/v1/personnel/roll/export")
    rows = PersonalDataAccess.objects.all()
    assert rows.count() == n and len({r.batch for r in rows}) == 1
    assert {r.door for r in rows} == {"export"}
    assert sum("INSERT" in x["sql"] for x in q.captured_queries) <= 1 + n // 2000


def test_api_export_and_command_record(api, cs, admin_user, changsha_user):
    assert api.as_(changsha_user).get("/personnel/roll/export").status_code == 200
    assert accesses() == []
    r = api.as_(admin_user).get("/personnel/roll/export", {"unit": "430121"})
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    assert cs.id_number in [c.value for row in book.active.iter_rows() for c in row]
    assert [(a["door"], a["officer_id"]) for a in accesses()] == [("export", cs.pk)]
    assert accesses()[0]["where"] == "/api/v1/personnel/roll/export?unit=430121"
    with tempfile.TemporaryDirectory() as tmp:
        call_command(
            "export_roll", "--city", "430121", "--out", str(Path(tmp) / "r.xlsx"), "--user", "root-pii"
        )
    assert [(a["door"], a["where"]) for a in accesses()][-1] == ("command", "export_roll")


def test_history_answer_records(api, org, admin_user, changsha_user):
    from personnel import services
    from personnel.ids import make

    o = services.officer_create(
        actor=changsha_user,
        unit=org["430121"],
        name="李四",
        id_number=make("430102", __import__("datetime").date(1985, 1, 2), 3, "M"),
    )
    params = {"model": "personnel.officer", "object_id": o.pk}
    assert api.as_(changsha_user).get("/core/history", params).status_code == 200
    assert accesses() == []
    body = api.as_(admin_user).get("/core/history", params).content.decode()
    assert o.id_number in body
    assert {(a["door"], a["officer_id"]) for a in accesses()} == {("api", o.pk)}


# ---- the record itself ----------------------------------------------------------------------------------


def test_record_holds_no_id_number_and_is_append_only(cs, admin_user):
    login(admin_user).get(f"/roll/officers/{cs.pk}/")
    record = PersonalDataAccess.objects.get()
    values = [str(getattr(record, f.attname)) for f in PersonalDataAccess._meta.concrete_fields]
    assert not any(cs.id_number in v or mask(cs.id_number) in v for v in values)
    assert not any(cs.id_number[6:14] in v for v in values)  # nor the birth date it carries
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        PersonalDataAccess.objects.all().delete()
    with pytest.raises(PermissionError):
        PersonalDataAccess.objects.update(door="page")
    record.door = "page"
    with pytest.raises(PermissionError):
        record.save()
    assert PersonalDataAccess.objects.get().door == "page"  # the page's record, unchanged


def test_readers_and_their_scope(api, cs, zz, admin_user, make_user, province_user, changsha_user):
    privacy.record_disclosures(admin_user, [(cs.pk, cs.unit), (zz.pk, zz.unit)], door="api", where="/x")
    city_auditor = make_user("auditor", "430100")
    got = api.as_(city_auditor).get("/personnel/data-accesses").json()
    assert [i["officer_id"] for i in got["items"]] == [cs.pk] and got["count"] == 1
    item = got["items"][0]
    assert item["user"] == "root-pii" and item["officer_name"] == "长沙县人" and item["door"] == "api"
    assert cs.id_number not in str(item)
    assert api.as_(province_user).get("/personnel/data-accesses").json()["count"] == 2
    assert api.as_(province_user).get("/personnel/data-accesses", {"officer": zz.pk}).json()["count"] == 1
    assert api.as_(changsha_user).get("/personnel/data-accesses").status_code == 403
    assert api.get("/personnel/data-accesses").status_code == 401


def test_list_queries_are_bounded(api, org, admin_user, province_user):
    officers = [OfficerFactory(unit=org["430121"]) for _ in range(3)]
    privacy.record_disclosures(admin_user, [(o.pk, o.unit) for o in officers], door="api", where="/x")
    client = api.as_(province_user)
    client.get("/personnel/data-accesses")  # the token's first use is written once
    with CaptureQueriesContext(connection) as few:
        client.get("/personnel/data-accesses")
    more = [OfficerFactory(unit=org["430200"]) for _ in range(20)]
    privacy.record_disclosures(admin_user, [(o.pk, o.unit) for o in more], door="export", where="/y")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/personnel/data-accesses").json()["count"] == 23
    assert len(many) == len(few) <= 8


def test_page_for_auditors_in_one_language(cs, admin_user, auditor_user, changsha_user):
    privacy.record_disclosures(
        admin_user, [(cs.pk, cs.unit)], door="export", where="/api/v1/personnel/roll/export"
    )
    page = login(auditor_user).get("/roll/data-accesses/")
    text = page.content.decode()
    assert page.status_code == 200 and "长沙县人" in text and "root-pii" in text and "导出" in text
    assert cs.id_number not in text
    detail = login(auditor_user).get(f"/roll/officers/{cs.pk}/").content.decode()
    assert f"/roll/data-accesses/?officer={cs.pk}" in detail
    en = login(auditor_user)
    en.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = en.get("/roll/data-accesses/", {"officer": cs.pk}).content.decode()
    assert "Personal data accesses" in english and "个人信息查阅记录" not in english
    assert login(changsha_user).get("/roll/data-accesses/").status_code == 403
    start = login(auditor_user).get("/").content.decode()
    assert "/roll/data-accesses/" in start


def test_a_search_by_id_number_is_not_kept_in_the_record(api, cs, admin_user):
    api.as_(admin_user).get("/personnel/officers", {"q": cs.id_number[:10]})
    login(admin_user).get("/roll/", {"q": cs.id_number})
    wheres = [a["where"] for a in accesses()]
    assert len(wheres) == 2 and all("q=*" in w for w in wheres)
    assert not any(cs.id_number[:6] in w for w in wheres)


def test_admin_shows_the_record_read_only_to_auditors(cs, admin_user, make_user):
    privacy.record_disclosures(admin_user, [(cs.pk, cs.unit)], door="api", where="/x")
    record = PersonalDataAccess.objects.get()
    auditor = make_user("auditor", "430100")
    auditor.is_staff = True
    auditor.save()
    c = login(auditor)
    assert "root-pii" in c.get("/admin/personnel/personaldataaccess/").content.decode()
    assert c.get(f"/admin/personnel/personaldataaccess/{record.pk}/delete/").status_code == 403
    c.post(f"/admin/personnel/personaldataaccess/{record.pk}/change/", {"door": "page"})
    assert PersonalDataAccess.objects.get().door == "api"
    elsewhere = make_user("auditor", "430200")
    elsewhere.is_staff = True
    elsewhere.save()
    assert "root-pii" not in login(elsewhere).get("/admin/personnel/personaldataaccess/").content.decode()
