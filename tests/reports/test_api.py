import pytest

from reports.choices import JobStatus
from reports.models import ReportJob


def post_job(api, user, django_capture_on_commit_callbacks, **payload):
    with django_capture_on_commit_callbacks(execute=True):
        return api.as_(user).post("/reports/jobs", payload)


def test_create_poll_list_download(api, roll, media, changsha_user, django_capture_on_commit_callbacks):
    r = post_job(
        api,
        changsha_user,
        django_capture_on_commit_callbacks,
        kind="sign-for-sheets",
        format="xlsx",
        params={"county": "430121"},
    )
    assert r.status_code == 202, r.content
    job = r.json()
    assert job["kind"] == "sign-for-sheets" and job["parameters"] == {
        "county": "430121",
        "include_ineligible": False,
    }
    detail = api.as_(changsha_user).get(f"/reports/jobs/{job['id']}").json()
    assert detail["status"] == "done" and detail["progress"] == 100 and detail["summary"]["rows"] == 1
    assert detail["download_url"] == f"/api/v1/reports/jobs/{job['id']}/download"
    listing = api.as_(changsha_user).get("/reports/jobs").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == job["id"]
    assert api.as_(changsha_user).get("/reports/jobs?status=done").json()["count"] == 1
    assert api.as_(changsha_user).get("/reports/jobs?status=bogus").status_code == 400
    d = api.as_(changsha_user).get(f"/reports/jobs/{job['id']}/download")
    assert d.status_code == 200 and d["Content-Disposition"].startswith("attachment")
    assert b"".join(d.streaming_content)[:2] == b"PK"


def test_another_users_job_is_not_found(
    api, roll, media, changsha_user, zhuzhou_user, province_user, django_capture_on_commit_callbacks
):
    job = post_job(
        api, changsha_user, django_capture_on_commit_callbacks, kind="sign-for-sheets", format="xlsx"
    ).json()
    for other in (zhuzhou_user, province_user):
        assert api.as_(other).get(f"/reports/jobs/{job['id']}").status_code == 404
        assert api.as_(other).get(f"/reports/jobs/{job['id']}/download").status_code == 404
        assert api.as_(other).post(f"/reports/jobs/{job['id']}/rerun").status_code == 404
        assert api.as_(other).get("/reports/jobs").json()["count"] == 0
    assert api.get(f"/reports/jobs/{job['id']}").status_code == 401


def test_city_user_cannot_ask_for_another_city(api, roll, changsha_user):
    r = api.as_(changsha_user).post(
        "/reports/jobs", {"kind": "sign-for-sheets", "params": {"city": "430200"}}
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert ReportJob.objects.count() == 0


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"kind": "nope"}, "unknown_kind"),
        ({"kind": "sign-for-sheets", "format": "doc"}, "bad_format"),
        ({"kind": "sign-for-sheets", "params": {"county": "430100"}}, "bad_params"),
        ({"kind": "sign-for-sheets", "params": {"x": 1}}, "bad_params"),
    ],
)
def test_bad_input_is_a_clear_error(api, roll, province_user, payload, code):
    r = api.as_(province_user).post("/reports/jobs", payload)
    assert r.status_code == 400 and r.json()["code"] == code
    assert ReportJob.objects.count() == 0


def test_download_before_done_and_after_expiry(
    api, roll, media, province_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = (
            api.as_(province_user).post("/reports/jobs", {"kind": "sign-for-sheets", "format": "xlsx"}).json()
        )
    assert job["status"] == "queued"
    r = api.as_(province_user).get(f"/reports/jobs/{job['id']}/download")
    assert r.status_code == 409 and r.json()["code"] == "not_ready"
    assert api.as_(province_user).post(f"/reports/jobs/{job['id']}/rerun").status_code == 409
    from reports.services import files_expire, job_run

    done = job_run(job_id=job["id"])
    assert files_expire(now=done.expires_at.replace(year=done.expires_at.year + 1)) == 1
    r = api.as_(province_user).get(f"/reports/jobs/{job['id']}/download")
    assert r.status_code == 410 and r.json()["code"] == "expired"
    again = api.as_(province_user).post(f"/reports/jobs/{job['id']}/rerun")
    assert again.status_code == 202 and again.json()["rerun_of"] == job["id"]


def test_kinds_lists_sign_for_sheets(api, province_user):
    kinds = {k["kind"]: k for k in api.as_(province_user).get("/reports/kinds").json()}
    assert kinds["sign-for-sheets"]["formats"] == ["pdf", "xlsx"]
    assert "city" in kinds["sign-for-sheets"]["parameters"]["properties"]


def test_auditor_may_read_reports(api, roll, media, auditor_user, django_capture_on_commit_callbacks):
    r = post_job(api, auditor_user, django_capture_on_commit_callbacks, kind="sign-for-sheets", format="xlsx")
    assert r.status_code == 202
    assert ReportJob.objects.get(pk=r.json()["id"]).status == JobStatus.DONE
