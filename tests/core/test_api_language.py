"""API errors follow the request's Accept-Language (Chinese by default); pages stay Chinese until switched."""

import re

import pytest

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "header, english",
    [(None, False), ("en", True), ("en-US,en;q=0.9", True), ("zh-CN,zh;q=0.9", False), ("fr-FR", False)],
)
def test_api_error_in_the_asked_language(api, changsha_user, header, english):
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    r = api.as_(changsha_user).get("/distribution/shipments/999999", **extra)
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == "not_found"  # codes and field names stay as they are
    if english:
        assert body["message"] == "Not found" and not CJK.search(body["message"])
    else:
        assert CJK.search(body["message"]) and not re.search(r"[A-Za-z]{3,}", body["message"])


def test_validation_error_in_english(api, province_user):
    r = api.as_(province_user).post(
        "/distribution/transfers", {"from_unit": "430100"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 422
    assert not CJK.search(r.json()["message"]) and "to_unit" in r.json()["message"]


def test_pages_stay_chinese_whatever_the_browser_asks(changsha_user):
    from django.test import Client

    c = Client()
    c.force_login(changsha_user)
    html = c.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh' in html


def test_validation_error_in_chinese_by_default(api, province_user):
    r = api.as_(province_user).post("/distribution/transfers", {"from_unit": "430100"})
    assert r.status_code == 422
    msg = r.json()["message"]
    assert "to_unit" in msg and "缺少此项" in msg
    assert not re.search(r"[A-Za-z]{3,}", msg.replace("to_unit", ""))


def test_one_picks_a_stored_labels_language():
    from django.utils import translation

    from core.i18n import one

    with translation.override("zh-hans"):
        assert one("已发运 dispatched") == "已发运" and one("县级已确认 confirmed") == "县级已确认"
        assert one("in service") == "in service" and one("长沙县") == "长沙县" and one("") == ""
    with translation.override("en"):
        assert one("已发运 dispatched") == "dispatched" and one("在用 in service") == "in service"


def test_api_status_labels_follow_the_language(api, org, province_user):
    from assets.catalog import load_catalog
    from tests.distribution.conftest import kit_lines, receive, ship

    load_catalog()
    from tests.personnel.factories import OfficerFactory

    lines = kit_lines(OfficerFactory(unit=org["430100"]))[:1]
    receive(province_user, org, lines)
    s = ship(province_user, org, lines, "430100")
    zh = api.as_(province_user).get(f"/distribution/shipments/{s.pk}").json()["status_label"]
    en = api.as_(province_user).get(f"/distribution/shipments/{s.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (
        zh == "已发运" and en["status_label"] == "Dispatched" and en["status"] == "dispatched"
    )  # the label in words, the code as it is
