"""The report centre with Django's test client: every kind offered with its own inputs, a request that runs,
polls and downloads, bad input shown in the form with nothing written, a failed job saying why and re-run
(once, however often the button is pressed), scope (another user's job is 404) and the start block."""

import datetime

import pytest
from django.utils import timezone

from assets.catalog import load_catalog
from reports.choices import JobStatus
from reports.models import ReportJob
from reports.registry import kinds
from tests.distribution.conftest import kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def text(resp) -> str:
    return resp.content.decode()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORT_PDF_WORKERS = 1
    return settings.MEDIA_ROOT


@pytest.fixture
def roll(org):
    load_catalog()
    return {"cs": OfficerFactory(unit=org["430121"], name="王芳"), "zz": OfficerFactory(unit=org["430200"])}


@pytest.fixture
def zz_shipment(org, province_user, roll):
    lines = kit_lines(roll["zz"])[:1]
    receive(province_user, org, lines)
    return ship(province_user, org, lines, "430200")


def request(client, callbacks, **data):
    """POST the request form and run what it queued (the task, eagerly) as the commit would."""
    with callbacks(execute=True):
        return client.post("/reports/", data)


def test_every_kind_is_offered_with_its_inputs(browse, province_user, changsha_user, roll, zz_shipment):
    c = browse(province_user)
    page = text(c.get("/reports/"))
    for name in kinds():
        assert f'data-kind="{name}"' in page
    assert 'name="unit"' in page and 'value="xlsx"' in page  # distribution-progress: a unit, PDF or Excel
    receipt = text(c.get(f"/reports/?kind=receipt-form&shipment={zz_shipment.pk}"))
    assert 'name="shipment"' in receipt and f'<option value="{zz_shipment.pk}" selected>' in receipt
    assert 'name="unit"' not in receipt and 'value="xlsx"' not in receipt  # one shipment, PDF only
    card = text(c.get(f"/reports/?kind=kit-card&officer={roll['cs'].pk}"))
    assert 'name="officer"' in card and "王芳" in card  # the officer the link brought in, by name
    sizes = text(c.get("/reports/?kind=size-table"))
    assert 'name="snapshot"' in sizes and 'value="430100"' in sizes and 'value="430121"' not in sizes
    assert 'name="tender"' in text(c.get("/reports/?kind=tender-timeline"))
    assert 'name="include_ineligible"' in text(c.get("/reports/?kind=sign-for-sheets"))
    # a city user is offered their own city and counties only, and no other city's shipment
    mine = text(browse(changsha_user).get("/reports/?kind=receipt-form"))
    assert zz_shipment.number not in mine
    units = text(browse(changsha_user).get("/reports/"))
    assert 'value="430121"' in units and 'value="430200"' not in units
    assert c.get("/reports/?kind=nonsense").status_code == 400


def test_request_runs_polls_and_downloads(
    browse, changsha_user, roll, media, django_capture_on_commit_callbacks
):
    c = browse(changsha_user)
    resp = request(
        c,
        django_capture_on_commit_callbacks,
        kind="sign-for-sheets",
        unit="430121",
        format="xlsx",
        nonce="n1",
    )
    job = ReportJob.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/reports/jobs/{job.pk}/"
    assert job.parameters["county"] == "430121" and job.format == "xlsx" and job.requested_by == changsha_user
    page = text(c.get(resp["Location"]))
    assert 'data-status="done"' in page and f'href="/reports/jobs/{job.pk}/download/"' in page
    assert "hx-trigger" not in page  # done: nothing polls
    fragment = c.get(f"/reports/jobs/{job.pk}/status/", headers={"HX-Request": "true"})
    assert (
        fragment.status_code == 200
        and "<html" not in text(fragment)
        and 'data-status="done"' in text(fragment)
    )
    d = c.get(f"/reports/jobs/{job.pk}/download/")
    assert d.status_code == 200 and d["Content-Disposition"].startswith("attachment")
    assert b"".join(d.streaming_content)[:2] == b"PK"
    # the same form sent again (a double click) answers the job it made, and makes no other
    again = request(
        c,
        django_capture_on_commit_callbacks,
        kind="sign-for-sheets",
        unit="430121",
        format="xlsx",
        nonce="n1",
    )
    assert again["Location"] == f"/reports/jobs/{job.pk}/" and ReportJob.objects.count() == 1
    history = text(c.get("/reports/"))
    assert f'data-job="{job.pk}"' in history and "长沙县" in history


def test_a_queued_job_polls_until_it_is_done(browse, changsha_user, roll, media):
    c = browse(changsha_user)
    assert (
        c.post("/reports/", {"kind": "sign-for-sheets", "unit": "430121", "format": "pdf"}).status_code == 302
    )
    job = ReportJob.objects.get()  # queued: the test's transaction never commits, so the task is not sent
    frag = text(c.get(f"/reports/jobs/{job.pk}/status/"))
    assert f'hx-get="/reports/jobs/{job.pk}/status/"' in frag and 'hx-trigger="every 2s"' in frag
    assert 'data-status="queued"' in frag and "job-download" not in frag
    assert "hx-trigger" in text(c.get("/reports/"))  # the history row polls too
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=40, progress_message="排版 layout"
    )
    frag = text(c.get(f"/reports/jobs/{job.pk}/status/"))
    assert 'value="40"' in frag and "40%" in frag and "排版" in frag
    assert c.get(f"/reports/jobs/{job.pk}/download/").status_code == 409  # not ready: says so, nothing sent
    from reports.services import job_run

    job_run(job_id=job.pk)
    frag = text(c.get(f"/reports/jobs/{job.pk}/status/"))
    assert 'data-status="done"' in frag and "hx-trigger" not in frag and "job-download" in frag


@pytest.mark.parametrize(
    "data,field,status",
    [
        ({"kind": "sign-for-sheets", "unit": "430200", "format": "pdf"}, "unit", 404),  # another city
        ({"kind": "sign-for-sheets", "unit": "430121", "format": "docx"}, "format", 400),
        ({"kind": "receipt-form", "shipment": "", "format": "pdf"}, "shipment", 400),  # required
        ({"kind": "kit-card", "officer": "abc", "format": "pdf"}, "officer", 400),
        ({"kind": "size-table", "unit": "430121", "format": "pdf"}, "unit", 404),  # a county: cities only
        ({"kind": "tender-timeline", "tender": "999999", "format": "pdf"}, "tender", 404),
        ({"kind": "size-table", "snapshot": "999999", "format": "pdf"}, "snapshot", 404),
    ],
)
def test_bad_input_is_shown_in_the_form_and_writes_nothing(browse, changsha_user, roll, data, field, status):
    resp = browse(changsha_user).post("/reports/", data)
    assert resp.status_code == status
    page = text(resp)
    assert (
        'data-testid="report-error"' in page and f'invalid" data-field="{field}"' in page
    )  # the input marked
    assert not ReportJob.objects.exists()


def test_other_city_shipment_or_officer_is_refused_before_any_job(browse, changsha_user, roll, zz_shipment):
    c = browse(changsha_user)
    r = c.post("/reports/", {"kind": "receipt-form", "shipment": str(zz_shipment.pk), "format": "pdf"})
    assert r.status_code == 404 and 'data-testid="report-error"' in text(r)
    r = c.post("/reports/", {"kind": "kit-card", "officer": str(roll["zz"].pk), "format": "pdf"})
    assert r.status_code == 404 and 'data-testid="report-error"' in text(r)
    assert not ReportJob.objects.exists()


def test_failed_job_says_why_and_is_run_again_once(
    browse, province_user, media, org, django_capture_on_commit_callbacks
):
    c = browse(province_user)
    request(c, django_capture_on_commit_callbacks, kind="tender-timeline", format="pdf")  # no tender yet
    job = ReportJob.objects.get()
    assert job.status == JobStatus.FAILED
    page = text(c.get(f"/reports/jobs/{job.pk}/"))
    assert 'data-testid="job-error"' in page and "尚无采购项目" in page and 'data-testid="job-rerun"' in page
    assert "hx-trigger" not in page
    # re-run: a new job; pressed again while that one is still queued, the same one
    r1 = c.post(f"/reports/jobs/{job.pk}/rerun/")
    r2 = c.post(f"/reports/jobs/{job.pk}/rerun/")
    rerun = ReportJob.objects.get(rerun_of=job)
    assert r1["Location"] == r2["Location"] == f"/reports/jobs/{rerun.pk}/"
    assert rerun.status == JobStatus.QUEUED and rerun.requested_by == province_user
    assert f"#{rerun.pk}" in text(c.get(f"/reports/jobs/{job.pk}/"))  # the old job says where it went
    assert c.get(f"/reports/jobs/{job.pk}/rerun/").status_code == 405
    # a running job cannot be asked again (the service says so; nothing written)
    ReportJob.objects.filter(pk=rerun.pk).update(status=JobStatus.RUNNING)
    blocked = c.post(f"/reports/jobs/{rerun.pk}/rerun/", follow=True)
    assert "尚未结束" in text(blocked) and ReportJob.objects.count() == 2


def test_another_users_job_is_404(
    browse, changsha_user, zhuzhou_user, make_user, roll, media, django_capture_on_commit_callbacks
):
    request(
        browse(changsha_user),
        django_capture_on_commit_callbacks,
        kind="sign-for-sheets",
        unit="430121",
        format="pdf",
    )
    job = ReportJob.objects.get()
    colleague = make_user("city", "430100")  # same city, but not their job
    for user in (zhuzhou_user, colleague):
        c = browse(user)
        for url in (
            f"/reports/jobs/{job.pk}/",
            f"/reports/jobs/{job.pk}/status/",
            f"/reports/jobs/{job.pk}/download/",
        ):
            assert c.get(url).status_code == 404, url
        assert c.post(f"/reports/jobs/{job.pk}/rerun/").status_code == 404
        assert f'data-job="{job.pk}"' not in text(c.get("/reports/"))
    assert ReportJob.objects.count() == 1
    assert browse(None).get("/reports/").status_code == 302


def test_expired_file_says_so(browse, changsha_user, roll, media, django_capture_on_commit_callbacks):
    c = browse(changsha_user)
    request(c, django_capture_on_commit_callbacks, kind="sign-for-sheets", unit="430121", format="pdf")
    job = ReportJob.objects.get()
    from reports.services import files_expire

    assert files_expire(now=timezone.now() + datetime.timedelta(days=30)) == 1
    assert c.get(f"/reports/jobs/{job.pk}/download/").status_code == 410
    assert 'data-testid="job-expired"' in text(c.get(f"/reports/jobs/{job.pk}/"))


def test_history_is_paged_and_filtered(browse, changsha_user, roll):
    c = browse(changsha_user)
    for _ in range(21):
        c.post("/reports/", {"kind": "sign-for-sheets", "unit": "430121", "format": "pdf"})
    newest = ReportJob.objects.order_by("-id").first()
    ReportJob.objects.filter(pk=newest.pk).update(status=JobStatus.FAILED, error="x")
    first = text(c.get("/reports/"))
    assert first.count("data-job=") == 20 and 'rel="next"' in first
    assert text(c.get("/reports/?page=2")).count("data-job=") == 1
    failed = text(c.get("/reports/?status=failed"))
    assert failed.count("data-job=") == 1 and f'data-job="{newest.pk}"' in failed
    assert c.get("/reports/?status=bogus").status_code == 400


def test_start_block_and_menu(browse, changsha_user, roll, media, django_capture_on_commit_callbacks):
    c = browse(changsha_user)
    home = text(c.get("/"))
    assert 'data-block="reports"' in home and 'href="/reports/"' in home
    request(c, django_capture_on_commit_callbacks, kind="sign-for-sheets", unit="430121", format="pdf")
    job = ReportJob.objects.get()
    home = text(c.get("/"))
    assert f'href="/reports/jobs/{job.pk}/"' in home and 'href="/reports/?status=done"' in home


def test_english(browse, changsha_user, roll):
    c = browse(changsha_user)
    c.cookies["django_language"] = "en"
    page = text(c.get("/reports/?kind=kit-card"))
    assert "Report centre" in page and "Kit card" in page and "报表中心" not in page


def test_kit_card_finds_the_officer_by_name(
    browse, changsha_user, roll, media, django_capture_on_commit_callbacks
):
    c = browse(changsha_user)
    found = c.get("/reports/officers/?officer_q=王芳", headers={"HX-Request": "true"})
    assert found.status_code == 200 and f'name="officer" value="{roll["cs"].pk}"' in text(found)
    assert "王芳" in text(found) and "长沙县" in text(found)
    other = text(
        c.get(f"/reports/officers/?officer_q={roll['zz'].name}")
    )  # another city's officer: not offered
    assert f'value="{roll["zz"].pk}"' not in other and 'data-testid="officer-none"' in other
    # typed but not chosen: taken when exactly one officer matches
    resp = request(c, django_capture_on_commit_callbacks, kind="kit-card", officer_q="王芳", format="pdf")
    job = ReportJob.objects.get()
    assert resp.status_code == 302 and job.parameters == {"officer": roll["cs"].pk} and job.status == "done"
    OfficerFactory(unit=roll["cs"].unit, name="王芳芳")
    two = c.post("/reports/", {"kind": "kit-card", "officer_q": "王芳", "format": "pdf"})
    assert two.status_code == 400 and "2 人符合" in text(two) and text(two).count('name="officer"') == 2
    none = c.post("/reports/", {"kind": "kit-card", "officer_q": "无此人", "format": "pdf"})
    assert none.status_code == 400 and "没有找到" in text(none)
    assert ReportJob.objects.count() == 1
