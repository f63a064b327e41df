"""The pages through Django's test client: log in, scope, content, the 404/403 pages, the language switch."""

import json
import re

import pytest

from core import pages

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


# ---- log in / out, anonymous --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/dashboard/", "/roll/", "/roll/missing-measurements/", "/roll/upload/"]
)
def test_anonymous_is_sent_to_the_login_page(browse, path):
    response = browse().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login/?next={path}")


def test_htmx_request_after_the_session_ended_reloads_the_whole_login_page(browse):
    """A polling progress bar or a search box must not get the log-in form swapped into its fragment: htmx is
    told to go to the log-in page as a page, and back to the page the user was on afterwards."""
    client = browse()
    response = client.get(
        "/reports/jobs/1/status/",
        headers={"HX-Request": "true", "Referer": "http://testserver/reports/?kind=x"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=%2Freports%2F"
    assert response.content == b""
    # a Referer from another host is not followed back
    other = client.get("/roll/", headers={"HX-Request": "true", "Referer": "http://evil.example/roll/"})
    assert other["HX-Redirect"] == "/login/"
    # without htmx, the usual redirect
    plain = client.get("/roll/")
    assert plain.status_code == 302 and "HX-Redirect" not in plain


def test_login_page_is_chinese_and_logs_in(browse, changsha_user):
    client = browse()
    page = client.get("/login/")
    assert page.status_code == 200 and "登录" in text(page) and 'lang="zh-CN"' in text(page)
    bad = client.post("/login/", {"username": changsha_user.username, "password": "wrong"})
    assert bad.status_code == 200 and 'data-testid="login-error"' in text(bad)
    ok = client.post("/login/", {"username": changsha_user.username, "password": "pw-test-123"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200


def test_logout_is_a_post_and_ends_the_session(browse, changsha_user):
    client = browse(changsha_user)
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_chinese_even_when_the_browser_asks_for_english_until_switched(browse, changsha_user):
    client = browse(changsha_user)
    assert "我的待办" in text(client.get("/", headers={"accept-language": "en-US,en"}))
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/roll/"})
    assert switched.status_code == 302 and switched["Location"] == "/roll/"
    english = text(client.get("/"))
    assert "What is waiting for me" in english and 'lang="en"' in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "我的待办" in text(client.get("/"))


# ---- start page and navigation ------------------------------------------------------------------------


def figures(html: str) -> dict[str, str]:
    """{label: value} of the start page's figures."""
    found = re.findall(r'figure-value">([^<]+)</span>\s*<span class="figure-label">([^<]+)<', html)
    return {label: value.strip() for value, label in found}


def test_start_page_shows_the_city_roll_figures_only(browse, changsha_user, roll):
    html = text(browse(changsha_user).get("/"))
    f = figures(html)
    # Changsha: three officers in post, one of them eligible but unmeasured; Zhuzhou's officer not counted
    assert f["在岗人员"] == "3"
    assert f["缺测量人员"] == "1"
    assert "%" in f["到位率"]
    assert 'data-block="roll"' in html


def test_start_page_numbers_have_thousands_separators_and_chinese_date(browse, province_user):
    html = text(browse(province_user).get("/"))
    assert figures(html)["编制数"] == "12,484"
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", html)


def test_navigation_follows_the_role(browse, changsha_user, county_user, auditor_user):
    assert "上传花名册" in text(browse(changsha_user).get("/"))
    for user in (county_user, auditor_user):
        html = text(browse(user).get("/"))
        assert "花名册" in html and "上传花名册" not in html


def test_unread_notifications_are_waiting(browse, changsha_user):
    from core.notifications import notify

    notify(user=changsha_user, kind="test", title="发运单已到达 shipment arrived", link="/roll/")
    html = text(browse(changsha_user).get("/"))
    assert 'data-block="notifications"' in html and "发运单已到达" in html


# ---- dashboard --------------------------------------------------------------------------------------


def chart_spec(html: str) -> dict:
    match = re.search(r'<script id="chart-staffing" type="application/json">(.+?)</script>', html, re.S)
    assert match, "the staffing chart's data is on the page"
    return json.loads(match.group(1))


def test_province_dashboard_charts_staffing_by_city_with_links(browse, province_user, roll):
    response = browse(province_user).get("/dashboard/")
    html = text(response)
    assert response.status_code == 200 and "全省看板" in html
    spec = chart_spec(html)
    names = spec["option"]["yAxis"]["data"]
    assert "长沙市支队" in names and "株洲市支队" in names and len(names) == 15  # own bureau + 14 cities
    in_post = dict(zip(names, spec["option"]["series"][1]["data"], strict=True))
    assert in_post["长沙市支队"] == 3 and in_post["株洲市支队"] == 1
    links = dict(zip(names, spec["links"], strict=True))
    assert links["长沙市支队"] == "/roll/?unit=430100&status=in_post"
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html


def test_city_dashboard_breaks_down_by_county_and_stays_in_the_city(browse, changsha_user, roll):
    html = text(browse(changsha_user).get("/dashboard/"))
    names = chart_spec(html)["option"]["yAxis"]["data"]
    assert "本级 长沙市支队" in names and "长沙县大队" in names
    assert not any("株洲" in n for n in names)
    assert "全省看板" not in html


def test_dashboard_figures_match_the_lists_behind_them(browse, changsha_user, roll):
    client = browse(changsha_user)
    spec = chart_spec(text(client.get("/dashboard/")))
    names = spec["option"]["yAxis"]["data"]
    for name, value, link in zip(names, spec["option"]["series"][1]["data"], spec["links"], strict=True):
        listed = re.search(r"共 (\d+) 人", text(client.get(link))).group(1)
        assert int(listed) == value, name


# ---- roll pages -------------------------------------------------------------------------------------


def test_city_roll_lists_its_own_officers_only(browse, changsha_user, roll):
    html = text(browse(changsha_user).get("/roll/"))
    assert "长沙甲" in html and "长沙县乙" in html and "株洲丁" not in html
    assert "共 3 人" in html


def test_roll_search_and_filters(browse, changsha_user, roll):
    client = browse(changsha_user)
    html = text(client.get("/roll/", {"q": "长沙县"}))
    assert "长沙县乙" in html and "长沙甲" not in html
    html = text(client.get("/roll/", {"unit": "430121"}))
    assert "长沙县乙" in html and "未测丙" in html and "长沙甲" not in html
    html = text(client.get("/roll/", {"unit": "430100", "own": "1"}))
    assert "长沙甲" in html and "长沙县乙" not in html
    html = text(client.get("/roll/", {"status": "retired"}))
    assert "共 0 人" in html


def test_roll_filter_by_another_citys_unit_is_a_404_page(browse, changsha_user, roll):
    response = browse(changsha_user).get("/roll/", {"unit": "430200"})
    assert response.status_code == 404 and 'data-testid="not-found"' in text(response)


def test_roll_bad_status_is_a_clear_error(browse, changsha_user):
    response = browse(changsha_user).get("/roll/", {"status": "flying"})
    assert response.status_code == 400 and "未知状态 flying" in text(response)


def test_roll_htmx_request_gets_the_results_only(browse, changsha_user, roll):
    response = browse(changsha_user).get("/roll/", {"q": "长沙甲"}, headers={"HX-Request": "true"})
    html = text(response)
    assert response.status_code == 200 and "长沙甲" in html and "<html" not in html


def test_roll_is_paginated_with_bounded_queries(browse, changsha_user, org, django_assert_max_num_queries):
    from tests.personnel.factories import OfficerFactory

    OfficerFactory.create_batch(60, unit=org["430121"])
    client = browse(changsha_user)
    client.get("/roll/")  # warm the session
    with django_assert_max_num_queries(12):
        html = text(client.get("/roll/"))
    assert "共 60 人" in html and "第 1 / 2 页" in html
    assert html.count('href="/roll/officers/') == 50
    assert text(client.get("/roll/", {"page": 2})).count('href="/roll/officers/') == 10


def test_officer_detail_with_sizes_missing_measurements_and_history(browse, changsha_user, roll):
    officer = roll["cs_unmeasured"]
    html = text(browse(changsha_user).get(f"/roll/officers/{officer.id}/"))
    assert "未测丙" in html and officer.id_number in html  # city staff see the full ID number
    assert "缺少测量：胸围、头围" in html
    assert "缺少测量：胸围" in html  # the size rule's reason for the garments
    assert '<b class="mono">255</b>' in html  # shoe size from the foot length 252 mm


def test_officer_detail_masks_the_id_number_for_auditors_also_in_history(
    browse, auditor_user, changsha_user, roll
):
    from personnel.services import officer_update

    officer = roll["cs"]
    officer_update(actor=changsha_user, officer=officer, post="中队长")
    html = text(browse(auditor_user).get(f"/roll/officers/{officer.id}/"))
    assert officer.id_number not in html
    assert officer.id_number[:6] + "********" + officer.id_number[-4:] in html
    assert "岗位" in html and "中队长" in html  # the recorded change is shown


def test_another_citys_officer_is_a_404_page(browse, changsha_user, roll):
    response = browse(changsha_user).get(f"/roll/officers/{roll['zz'].id}/")
    assert response.status_code == 404
    html = text(response)
    assert 'data-testid="not-found"' in html and "株洲丁" not in html


def test_county_user_sees_its_county_only(browse, county_user, roll):
    html = text(browse(county_user).get("/roll/"))
    assert "长沙县乙" in html and "长沙甲" not in html
    assert browse(county_user).get(f"/roll/officers/{roll['cs'].id}/").status_code == 404


def test_lacking_measurements_lists_who_is_missing_what(browse, changsha_user, zhuzhou_user, roll, org):
    from tests.personnel.factories import OfficerFactory

    OfficerFactory(unit=org["430200"], name="株洲未测", foot_mm=None)
    OfficerFactory(unit=org["430121"], name="已退休未测", height_cm=None, status="retired")
    html = text(browse(changsha_user).get("/roll/missing-measurements/"))
    assert "未测丙" in html and "胸围、头围" in html and "共 1 人待测量" in html
    assert "株洲未测" not in html and "已退休未测" not in html and "长沙甲" not in html
    assert "株洲未测" in text(browse(zhuzhou_user).get("/roll/missing-measurements/"))
    assert "共 1 人待测量" in text(
        browse(changsha_user).get("/roll/missing-measurements/", {"unit": "430121"})
    )
    assert "共 0 人待测量" in text(
        browse(changsha_user).get("/roll/missing-measurements/", {"unit": "430112"})
    )


# ---- roll upload (the real personnel.services.roll_import) -------------------------------------------


def test_upload_is_for_roll_keepers_only(browse, county_user, auditor_user):
    for user in (county_user, auditor_user):
        response = browse(user).get("/roll/upload/")
        assert response.status_code == 403 and 'data-testid="forbidden"' in text(response)


def test_upload_checks_first_shows_errors_row_by_row_and_as_csv_then_imports(browse, changsha_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from personnel.models import Officer
    from tests.personnel import rollbook

    bad = rollbook.book([rollbook.row(1), rollbook.row(2, 身份证号="4301")])
    client = browse(changsha_user)
    html = text(
        client.post("/roll/upload/", {"file": SimpleUploadedFile("roll.xlsx", bad), "action": "check"})
    )
    assert 'data-testid="upload-errors"' in html and "4301" in html
    assert not Officer.objects.filter(unit__code="430121").exists()
    csv_response = client.get("/roll/upload/", {"errors": "csv"})
    body = csv_response.content.decode("utf-8-sig")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert f"{rollbook.header_row() + 2},身份证号,4301," in body

    good = rollbook.book([rollbook.row(1), rollbook.row(2)])
    html = text(
        client.post("/roll/upload/", {"file": SimpleUploadedFile("roll.xlsx", good), "action": "check"})
    )
    assert "检查结果（未导入）" in html and not Officer.objects.filter(unit__code="430121").exists()
    client.post("/roll/upload/", {"file": SimpleUploadedFile("roll.xlsx", good), "action": "import"})
    assert Officer.objects.filter(unit__code="430121").count() == 2


def test_upload_shows_a_refused_file_clearly(browse, changsha_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.personnel import rollbook

    no_id_column = rollbook.book([["张三", "男"]], header=["姓名", "性别"])
    html = text(
        browse(changsha_user).post(
            "/roll/upload/", {"file": SimpleUploadedFile("r.xlsx", no_id_column), "action": "import"}
        )
    )
    assert 'data-testid="upload-problem"' in html and "身份证号" in html


def test_upload_without_a_file_asks_for_one(browse, changsha_user, monkeypatch):
    from personnel import views

    monkeypatch.setattr(views.services, "roll_import", lambda **kw: pytest.fail("must not be called"))
    html = text(browse(changsha_user).post("/roll/upload/", {"action": "check"}))
    assert "请选择一个 Excel 文件" in html


# ---- template helpers -------------------------------------------------------------------------------


def test_chinese_dates_and_numbers():
    import datetime
    from decimal import Decimal

    from django.utils import translation

    from core.templatetags import qm

    assert qm.cn_date(datetime.date(2026, 11, 27)) == "2026年11月27日"
    assert qm.num(12484) == "12,484" and qm.num(None) == "—" and qm.num(Decimal("1234.50")) == "1,234.50"
    assert qm.pct(0.7884) == "78.8%" and qm.pct(None) == "—"
    assert qm.bi("市州 city staff") == "市州"
    with translation.override("en"):
        assert qm.cn_date(datetime.date(2026, 11, 27)) == "27 Nov 2026"
        assert qm.bi("市州 city staff") == "city staff"
        assert pages.tr("花名册", "Roll") == "Roll"


# ---- measurements from the officer's page -------------------------------------------------------------


def measure_form(officer, **changes) -> dict:
    data = {
        name: "" if getattr(officer, name) is None else str(getattr(officer, name))
        for name in ("height_cm", "chest_cm", "waist_cm", "head_cm", "foot_mm", "measured_on")
    }
    data.update(changes)
    return data


def test_city_staff_record_missing_measurements_and_the_sizes_follow(browse, changsha_user, roll):
    from core.models import ChangeRecord

    officer = roll["cs_unmeasured"]
    client = browse(changsha_user)
    response = client.post(
        f"/roll/officers/{officer.id}/measurements/",
        measure_form(officer, chest_cm="92", head_cm="57.4", foot_mm="41", measured_on="2026-11-20"),
    )
    assert response.status_code == 302 and response["Location"] == f"/roll/officers/{officer.id}/"
    officer.refresh_from_db()
    assert (str(officer.chest_cm), str(officer.head_cm), str(officer.foot_mm)) == ("92.0", "57.4", "255.0")
    assert str(officer.measured_on) == "2026-11-20"
    html = text(client.get(f"/roll/officers/{officer.id}/"))
    assert "测量数据已保存" in html and "缺少测量" not in html and '<b class="mono">175/92A</b>' in html
    assert ChangeRecord.objects.filter(
        object_id=str(officer.id), action="update", actor=changsha_user
    ).exists()
    assert "未测丙" not in text(client.get("/roll/missing-measurements/"))


@pytest.mark.parametrize(
    "field,value,reason",
    [
        ("chest_cm", "九十", "应为数字"),
        ("chest_cm", "300", "chest_cm"),  # outside the plausible range: the model's validator via the service
        ("foot_mm", "60", "应为脚长200–320毫米或欧码34–48"),
        ("measured_on", "2026/13/01", "日期格式"),
    ],
)
def test_bad_measurements_change_nothing_and_say_why(browse, changsha_user, roll, field, value, reason):
    officer = roll["cs"]
    officer.refresh_from_db()
    before = measure_form(officer)
    response = browse(changsha_user).post(
        f"/roll/officers/{officer.id}/measurements/", measure_form(officer, **{field: value}, head_cm="60")
    )
    assert response.status_code == 400
    html = text(response)
    assert 'data-testid="measure-error"' in html and reason in html
    officer.refresh_from_db()
    assert measure_form(officer) == before


def test_only_roll_keepers_in_scope_may_measure(browse, county_user, auditor_user, zhuzhou_user, roll):
    officer = roll["cs_county"]
    for user in (county_user, auditor_user):
        response = browse(user).post(f"/roll/officers/{officer.id}/measurements/", measure_form(officer))
        assert response.status_code == 403
        assert "录入或修改测量数据" not in text(browse(user).get(f"/roll/officers/{officer.id}/"))
    assert (
        browse(zhuzhou_user)
        .post(f"/roll/officers/{officer.id}/measurements/", measure_form(officer))
        .status_code
        == 404
    )


def test_htmx_errors_come_back_as_an_inline_message(browse, changsha_user):
    response = browse(changsha_user).get("/roll/", {"status": "flying"}, headers={"HX-Request": "true"})
    html = text(response)
    assert response.status_code == 400 and 'data-testid="inline-error"' in html and "<html" not in html
    response = browse(changsha_user).get("/roll/", {"unit": "430200"}, headers={"HX-Request": "true"})
    assert response.status_code == 404 and "不存在或不在您的权限范围内" in text(response)


# ---- status and transfer from the officer's page ------------------------------------------------------


def test_city_staff_change_a_status_along_the_allowed_transitions(browse, changsha_user, roll):
    officer = roll["cs_county"]
    client = browse(changsha_user)
    page_html = text(client.get(f"/roll/officers/{officer.id}/"))
    assert 'data-testid="roll-actions"' in page_html and '<option value="retired">退休</option>' in page_html
    response = client.post(
        f"/roll/officers/{officer.id}/status/", {"status": "retired", "reason": "到龄退休"}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.status == "retired"
    html = text(client.get(f"/roll/officers/{officer.id}/"))
    assert "状态已改为退休" in html and "到龄退休" in html and "退休为最终状态" in html
    again = client.post(f"/roll/officers/{officer.id}/status/", {"status": "serving", "reason": "x"})
    assert again.status_code == 409 and 'data-testid="status-error"' in text(again)
    officer.refresh_from_db()
    assert officer.status == "retired"


def test_city_staff_transfer_inside_the_city_not_outside(browse, changsha_user, roll, org):
    officer = roll["cs_county"]
    client = browse(changsha_user)
    html = text(client.get(f"/roll/officers/{officer.id}/"))
    assert '<option value="430112">' in html and '<option value="430200">' not in html
    assert client.post(f"/roll/officers/{officer.id}/transfer/", {"to_unit": "430200"}).status_code == 404
    bad = client.post(f"/roll/officers/{officer.id}/transfer/", {"to_unit": ""})
    assert bad.status_code == 400 and "请选择调入单位" in text(bad)
    ok = client.post(f"/roll/officers/{officer.id}/transfer/", {"to_unit": "430112", "reason": "工作需要"})
    assert ok.status_code == 302
    officer.refresh_from_db()
    assert officer.unit.code == "430112"
    assert "已调至望城区交通运输综合行政执法大队" in text(client.get(f"/roll/officers/{officer.id}/"))


def test_status_and_transfer_are_for_roll_keepers(browse, county_user, auditor_user, roll):
    officer = roll["cs_county"]
    # the county may not; Wangcheng is outside the county's scope (404), inside the auditor's (403)
    for user, transfer_status in ((county_user, 404), (auditor_user, 403)):
        client = browse(user)
        assert 'data-testid="roll-actions"' not in text(client.get(f"/roll/officers/{officer.id}/"))
        assert client.post(f"/roll/officers/{officer.id}/status/", {"status": "left"}).status_code == 403
        assert (
            client.post(f"/roll/officers/{officer.id}/transfer/", {"to_unit": "430112"}).status_code
            == transfer_status
        )
    officer.refresh_from_db()
    assert officer.status == "serving" and officer.unit.code == "430121"


# ---- the extension points other modules use -----------------------------------------------------------


def test_modules_add_menu_entries_blocks_and_dashboard_sections(
    browse, changsha_user, county_user, monkeypatch
):
    import types

    from core.pages import Block, Figure, NavItem, Section

    real = pages._modules()
    fake = types.SimpleNamespace(
        NAV=[
            NavItem(
                key="shipments",
                zh="发运签收",
                en="Shipments",
                url_name="core:dashboard",
                roles=("city",),
                order=30,
            ),
            NavItem(key="later", zh="未挂载", en="Not mounted", url_name="nowhere:list", order=40),
        ],
        start_blocks=lambda request: [
            Block(
                key="shipments_to_confirm",
                zh="待签收发运",
                en="Shipments to confirm",
                figures=[Figure(zh="待签收", en="to confirm", value=1234, url="/x/")],
            )
        ],
        dashboard_sections=lambda request: [
            Section(
                key="progress",
                zh="配发进度",
                en="Progress",
                template="core/_error_inline.html",
                order=5,
                chart={"series": []},
                links=["/x/"],
            )
        ],
    )
    monkeypatch.setattr(pages, "_modules", lambda: (*real, fake))
    html = text(browse(changsha_user).get("/"))
    assert ">发运签收</a>" in html and "未挂载" not in html
    assert html.index('data-block="roll"') < html.index('data-block="shipments_to_confirm"')
    assert "1,234" in html
    assert "发运签收" not in text(browse(county_user).get("/"))  # city role only
    dash = text(browse(changsha_user).get("/dashboard/"))
    assert dash.index('data-section="progress"') < dash.index('data-section="staffing"')
    assert 'data-chart="chart-progress"' in dash


def test_dashboard_of_a_user_over_two_cities_shows_both(browse, changsha_user, org, roll):
    from personnel.models import Membership

    Membership.objects.create(user=changsha_user, unit=org["430200"], role="city")
    spec = chart_spec(text(browse(changsha_user).get("/dashboard/")))
    assert spec["option"]["yAxis"]["data"] == ["株洲市支队", "长沙市支队"]  # bottom-up: first row on top
    assert spec["option"]["series"][1]["data"] == [1, 3]
