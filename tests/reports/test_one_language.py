"""Every report prints in ONE language, the requester's: in Chinese no English word at all, in English no
Chinese label (issue 13, part 6). Each kind is rendered to PDF (text read back with pypdf) and Excel (every cell
of every sheet, and the sheet titles) in both languages.

What may stay ASCII in a Chinese report, and why (ALLOWED below):
- the requester's user name and the site's address under the receipt form's QR code are data, not words;
- size codes (175/92A), units (mm, cm), dates and numbers never make a run of 3 letters.
Nothing else: no item code (CAP-PEAKED), no gender letter, no internal token (?mtm, ?missing)."""

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from assets.models import ItemType
from reports.services import render_to_path
from tests.personnel.factories import OfficerFactory

WORD = re.compile(r"[A-Za-z]{3,}")
URL = re.compile(r"https?://\S+")
ALLOWED: set[str] = set()  # nothing beyond the data stripped in english_words()
TOKENS = ("?mtm", "?missing", "mtm×", "(--", "--city")


def pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def xlsx_texts(path) -> tuple[list[str], list[str]]:
    """(sheet titles, every non-empty cell as text and the printed page header and footer)."""
    wb = load_workbook(path)
    cells = [
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]
    for ws in wb.worksheets:
        cells += [t for t in (ws.oddHeader.left.text, ws.oddFooter.center.text) if t]
    return wb.sheetnames, cells


def english_words(text: str, *data: str) -> set[str]:
    """The runs of 3+ Latin letters left once the data (user names, the site's address) is taken out."""
    text = URL.sub(" ", text)
    for d in data:
        text = text.replace(d, " ")
    return set(WORD.findall(text)) - ALLOWED


def item_codes() -> set[str]:
    return set(ItemType.objects.values_list("code", flat=True))


def assert_chinese_only(text: str, user, *data: str) -> None:
    words = english_words(text, user.get_username(), *data)
    assert not words, f"English words in a Chinese report: {sorted(words)[:20]}"
    for token in TOKENS:
        assert token not in text
    codes = [c for c in item_codes() if c in text]
    assert not codes, f"item codes printed: {codes}"


CJK = re.compile(r"[\u3400-\u9fff]+")


def chinese_left(text: str, *data: str) -> set[str]:
    """The Chinese an English report prints once its data is taken out: the names of units and officers
    (stored in Chinese) and the data a test names (a vehicle's make, a station's equipment, a law)."""
    from personnel.models import Officer, OrgUnit

    units = list(OrgUnit.objects.values_list("name", flat=True))
    names = [
        *units,
        *(u.split("交通运输")[0] for u in units),
        *Officer.objects.values_list("name", flat=True),
    ]
    text = re.sub(r"\s+", "", text)  # a long name broken over two lines
    stored = sorted({re.sub(r"\s+", "", d) for d in (*names, *data)} - {""}, key=len, reverse=True)
    for d in stored:
        text = text.replace(d, " ")
    # what is left may still be a piece of a long name that wrapped in its table cell (other cells between)
    return {w for w in CJK.findall(text) if not any(w in d for d in stored)}


def assert_gender_letters_absent(cells: list[str]) -> None:
    assert not [c for c in cells if c in ("M", "F", "U")]


def render(user, kind, fmt, params, tmp_path, language):
    out = tmp_path / f"{kind}-{language}.{fmt}"
    data = render_to_path(user=user, kind=kind, fmt=fmt, params=params, out=out, language=language)
    return data, out


def check_pdf(user, kind, params, tmp_path, *, en_present=(), zh_absent=(), data_words=(), en_data=()):
    _, out = render(user, kind, "pdf", params, tmp_path, "zh-hans")
    zh_text = pdf_text(out)
    assert_chinese_only(zh_text, user, *data_words)
    _, out = render(user, kind, "pdf", params, tmp_path, "en")
    en_text = pdf_text(out)
    for label in en_present:
        assert label in en_text, label
    for label in zh_absent:
        assert label not in en_text, label
    for token in TOKENS:
        assert token not in en_text
    left = chinese_left(en_text, *en_data)
    assert not left, f"Chinese in an English report: {sorted(left)[:20]}"
    assert not [c for c in item_codes() if c in en_text]
    return zh_text, en_text


def check_xlsx(user, kind, params, tmp_path, *, en_present=(), zh_absent=(), data_words=(), en_data=()):
    _, out = render(user, kind, "xlsx", params, tmp_path, "zh-hans")
    titles, cells = xlsx_texts(out)
    assert_chinese_only("\n".join([*titles, *cells]), user, *data_words)
    assert_gender_letters_absent(cells)
    _, out = render(user, kind, "xlsx", params, tmp_path, "en")
    en_titles, en_cells = xlsx_texts(out)
    en_text = "\n".join([*en_titles, *en_cells])
    for label in en_present:
        assert label in en_text, label
    for label in zh_absent:
        assert label not in en_text, label
    assert "About" in en_titles and "说明" not in en_titles
    assert_gender_letters_absent(en_cells)
    left = chinese_left(en_text, *en_data)
    assert not left, f"Chinese in an English report: {sorted(left)[:20]}"
    assert not [c for c in item_codes() if c in en_text]
    return "\n".join([*titles, *cells]), en_text


# ---- sign-for sheets ------------------------------------------------------------------------------------


def test_sign_for_sheets(province_user, roll, media, tmp_path):
    OfficerFactory(
        unit=roll["cs"][0].unit, name="孙量体", height_cm=None, chest_cm=None
    )  # measurements missing
    zh, en = check_pdf(
        province_user,
        "sign-for-sheets",
        {"city": "430100"},
        tmp_path,
        en_present=(
            "Unit",
            "Issued by",
            "Checked by",
            "Signature",
            "page 1 of",
            "Kit",
            "measurements missing",
        ),
        zh_absent=("单位", "发放人", "复核人", "签名", "配发内容", "第 1 页"),
    )
    assert "发放人" in zh and "复核人" in zh and "缺少量体数据" in zh
    zh, en = check_xlsx(
        province_user,
        "sign-for-sheets",
        {"city": "430100"},
        tmp_path,
        en_present=("Unit", "Signature", "Report", "Scope", "Data source"),
        zh_absent=("单位", "本人签名", "报表", "范围", "人员花名册"),
    )
    assert "人员花名册" in zh and "说明" in zh


# ---- receipt form, kit card -----------------------------------------------------------------------------


@pytest.fixture
def delivered(org, catalog, province_user, changsha_user, county_user):
    """A kit shipped to Changsha and confirmed with one line short, passed on to 长沙县 and issued."""
    import datetime

    from distribution import services as dsvc
    from tests.distribution.conftest import bring_to_county, kit_lines

    officer = OfficerFactory(unit=org["430121"], name="王芳", gender="F")
    bring_to_county(org, province_user, changsha_user, county_user, kit_lines(officer))
    dsvc.kit_issue(actor=county_user, unit=org["430121"], signed_on=datetime.date(2026, 11, 2))
    return officer


@pytest.fixture
def shipment(org, catalog, province_user):
    from tests.distribution.conftest import kit_lines, receive, ship

    officer = OfficerFactory(unit=org["430121"], name="王芳", gender="F")
    lines = kit_lines(officer)
    receive(province_user, org, lines)
    return ship(province_user, org, lines, "430100")


def test_receipt_form(province_user, shipment, media, tmp_path, settings):
    settings.SITE_URL = "https://qm.example.cn"
    zh, en = check_pdf(
        province_user,
        "receipt-form",
        {"shipment": shipment.pk},
        tmp_path,
        en_present=("Uniform receipt form", "Sender", "Receiver", "Item", "Size", "signature", "Date"),
        zh_absent=("发货单位", "收货单位", "品名", "签字", "日期", "发运单"),
    )
    assert "发货人签字" in zh and "women" in en and "女" not in en.replace("王芳", "")


def test_kit_card(province_user, delivered, media, tmp_path):
    zh, en = check_pdf(
        province_user,
        "kit-card",
        {"officer": delivered.pk},
        tmp_path,
        en_present=("Officer kit card", "Name", "Unit", "Item", "in use", "Officer's signature"),
        zh_absent=("姓名", "单位", "品名", "在用", "本人签字", "配发台账"),
    )
    assert "在用" in zh and "本人签字" in zh
    jacket = ItemType.objects.get(code="DRESS-JACKET")
    assert jacket.name_en in en and jacket.name_for("F") in zh


# ---- distribution progress -------------------------------------------------------------------------------


@pytest.fixture
def progress_data(org, catalog, province_user, changsha_user):
    from tests.distribution.conftest import confirm_all, kit_lines, receive, ship

    cs = [OfficerFactory(unit=org["430121"], name=n) for n in ("王芳", "李娜")]
    OfficerFactory(unit=org["430121"], name="孙量体", height_cm=None, chest_cm=None)  # measurements missing
    lines = kit_lines(cs[0])
    receive(province_user, org, kit_lines(cs[0], 2))
    confirm_all(changsha_user, ship(province_user, org, lines, "430100"))
    return cs


@pytest.mark.parametrize("params", [{}, {"city": "430100"}])
def test_distribution_progress(province_user, progress_data, media, tmp_path, params):
    zh, en = check_pdf(
        province_user,
        "distribution-progress",
        params,
        tmp_path,
        en_present=("Uniform distribution progress", "Unit", "Needed", "Shipped", "total"),
        zh_absent=("单位", "应配", "已发运", "合计", "第 1 页"),
    )
    assert "应配" in zh and "(--city)" not in zh
    zh, en = check_xlsx(
        province_user,
        "distribution-progress",
        params,
        tmp_path,
        en_present=("Unit", "Needed", "Item", "Report"),
        zh_absent=("单位", "应配", "品类", "报表"),
    )
    if params:
        assert "缺少量体数据" in zh and "measurements missing" in en


# ---- vehicle allocation, tender timeline, station condition, size table -----------------------------------

from .test_kind_size_table import snapshot  # noqa: E402, F401  (fixtures of those kinds' own tests)
from .test_kind_station_condition import register, stations  # noqa: E402, F401
from .test_kind_tender_timeline import tender  # noqa: E402, F401
from .test_kind_vehicle_allocation import fleet  # noqa: E402, F401

# Data of those fixtures written in both languages (a document's reason, an override's reason): data, not labels.
FIXTURE_DATA = ("首次分配 first allocation", "长沙增编 Changsha +1", "上级要求提前 ordered earlier")


def test_vehicle_allocation(fleet, province_user, media, tmp_path):  # noqa: F811
    from vehicles.models import QuotaRecord

    vins = [v.vin for v in fleet.values()]
    records = QuotaRecord.objects.all()
    stored = [  # plates, makes, document numbers and reasons: data, in Chinese
        *(v.plate for v in fleet.values()),
        *(f"{v.brand} {v.model}" for v in fleet.values()),
        *(r.doc_number for r in records),
        *(r.reason for r in records),
    ]
    kw = {
        "en_data": stored,
        "en_present": ("Enforcement vehicle allocation", "City", "Quota", "In service", "Province total"),
        "zh_absent": ("市州", "编制数", "在用", "全省合计", "编制依据文件"),
        "data_words": (*FIXTURE_DATA, *vins),
    }
    zh, en = check_pdf(province_user, "vehicle-allocation", {}, tmp_path, **kw)
    assert "全省合计" in zh and "编制依据文件" in zh
    zh, en = check_xlsx(province_user, "vehicle-allocation", {}, tmp_path, **kw)
    assert "车辆清单" in zh and "Vehicles" in en


def tender_data(t) -> list[str]:
    """The tender's title and the laws its checks cite: stored in Chinese, printed as they are."""
    from procurement.selectors import timeline

    tl = timeline(t)
    return [t.title, *FIXTURE_DATA, *(f["source"] for m in tl["milestones"] for f in m["findings"])]


def test_tender_timeline(tender, province_user, media, tmp_path):  # noqa: F811
    kw = {
        "en_present": ("Tender timeline", "Milestone", "Planned", "Legal checks", "done"),
        "zh_absent": ("节点", "计划日期", "法定检查", "已完成", "采购方式"),
        "data_words": (*FIXTURE_DATA, tender["tender"].reference),  # the tender's reference is data
        "en_data": tender_data(tender["tender"]),
    }
    zh, en = check_pdf(province_user, "tender-timeline", {}, tmp_path, **kw)
    assert "已完成" in zh and "法定检查" in zh
    zh, en = check_xlsx(province_user, "tender-timeline", {}, tmp_path, **kw)
    assert "节点" in zh and "Milestones" in en


def test_station_condition(register, province_user, media, tmp_path):  # noqa: F811
    kw = {
        "en_present": ("Station equipment condition", "Station", "Need", "none serviceable"),
        "en_data": ("执法记录仪",),  # the equipment type's name (stored in Chinese only)
        "zh_absent": ("站所", "缺口", "完好", "标准"),
    }
    zh, en = check_pdf(province_user, "station-condition", {}, tmp_path, **kw)
    assert "缺口明细" in zh and "无可用执法记录仪" in zh and "Gaps by priority" in en
    zh, en = check_xlsx(province_user, "station-condition", {}, tmp_path, **kw)
    assert "缺口明细" in zh and "Gaps" in en


def test_size_table(snapshot, province_user, media, tmp_path):  # noqa: F811
    kw = {
        "en_present": ("Size table", "Men", "Women", "Total", "dress uniform jacket"),
        "en_data": ("=供应商用",),  # the snapshot's note
        "zh_absent": ("男款", "女款", "合计", "上衣"),
    }
    zh, en = check_pdf(province_user, "size-table", {}, tmp_path, **kw)
    assert "男款" in zh and "175/92A" in zh
    zh, en = check_xlsx(province_user, "size-table", {}, tmp_path, **kw)
    assert "175/92A" in zh and "常服上衣" in zh


# ---- the language of a job: the requester's ------------------------------------------------------------


def test_job_language_from_accept_language_and_default_chinese(
    api, province_user, roll, media, django_capture_on_commit_callbacks
):
    from reports.models import ReportJob

    me = api.as_(province_user)
    body = {"kind": "sign-for-sheets", "format": "xlsx", "params": {"city": "430100"}}
    with django_capture_on_commit_callbacks(execute=True):
        r = me.post("/reports/jobs", body, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code in (200, 201, 202), r.content
    en_job = ReportJob.objects.get(pk=r.json()["id"])
    assert en_job.language == "en" and en_job.status == "done"
    assert en_job.progress_message == "done" and en_job.file_name.startswith(
        "Uniform-sign-for-sheets-430100-"
    )
    wb = load_workbook(en_job.file.path)
    assert "About" in wb.sheetnames and wb.worksheets[0]["A1"].value == "Unit"

    with django_capture_on_commit_callbacks(execute=True):
        r = me.post("/reports/jobs", body)
    zh_job = ReportJob.objects.get(pk=r.json()["id"])
    assert zh_job.language == "zh-hans" and zh_job.progress_message == "完成"
    assert zh_job.file_name.startswith("被装签领表-430100-")
    wb = load_workbook(zh_job.file.path)
    assert "说明" in wb.sheetnames and wb.worksheets[0]["A1"].value == "单位"


def test_render_report_command_language(roll, media, tmp_path, province_user):
    from django.core.management import call_command

    out = tmp_path / "en.xlsx"
    call_command(
        "render_report", "sign-for-sheets", "--format", "xlsx", "--language", "en", "--out", str(out)
    )
    titles, cells = xlsx_texts(out)
    assert "About" in titles and "Unit" in cells and "单位" not in cells


def test_the_worker_renders_in_the_jobs_language(
    province_user, roll, media, django_capture_on_commit_callbacks
):
    """The task runs outside the request (another process): it takes the language from the job."""
    from django.utils import translation

    from reports import services
    from reports.models import ReportJob

    with translation.override("en"), django_capture_on_commit_callbacks(execute=False):
        job = services.job_create(user=province_user, kind="sign-for-sheets", fmt="xlsx")
    assert job.language == "en"
    with translation.override("zh-hans"):
        services.job_run(job_id=job.pk)
    job = ReportJob.objects.get(pk=job.pk)
    assert job.status == "done" and job.progress_message == "done"
    assert "About" in load_workbook(job.file.path).sheetnames


def test_a_job_asked_on_the_english_page_is_english(
    province_user, roll, media, django_capture_on_commit_callbacks
):
    """The report centre in English (the language cookie the header's switch sets) asks for an English file."""
    from django.conf import settings
    from django.test import Client
    from django.utils import translation

    from reports.models import ReportJob

    c = Client()
    c.force_login(province_user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # the request activates English in this thread; the override puts Chinese back for the tests after it
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        resp = c.post("/reports/", {"kind": "sign-for-sheets", "unit": "430100", "format": "xlsx"})
    assert resp.status_code == 302
    job = ReportJob.objects.get()
    assert job.language == "en" and job.status == "done" and job.progress_message == "done"
    assert "About" in load_workbook(job.file.path).sheetnames


def test_english_sign_for_sheets_paginate_like_the_chinese(org, catalog, province_user, media, tmp_path):
    """The English kit box takes its own number of lines: the page arithmetic follows it (WeasyPrint's page
    count must equal the one computed; render_paginated raises otherwise) and no officer is lost."""
    from django.utils import translation

    from assets.kit import active_items
    from reports.kinds import sign_for

    with translation.override("en"):
        first, rest = sign_for.rows_per_page(len(sign_for.kit_lines(sign_for.kit_parts(active_items())[0])))
    officers = [OfficerFactory(unit=org["430121"], name=f"丙{i:03d}") for i in range(first + rest + 3)]
    _, out = render(province_user, "sign-for-sheets", "pdf", {"county": "430121"}, tmp_path, "en")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages]
    assert [len(re.findall(r"丙\d{3}", p)) for p in pages] == [first, rest, 3]
    assert "page 3 of 3" in pages[-1] and len(officers) == first + rest + 3
