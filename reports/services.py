"""Every write on report jobs: create, run (the Celery task calls this), fail, re-run, reap stale, expire."""

import datetime
import logging
import threading
import time
import traceback
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from core import scope
from core.errors import Conflict, NotFound, QMError
from core.history import record_change, snapshot
from core.models import ChangeRecord
from core.pages import is_en

from .choices import JOB_TRANSITIONS, Format, JobStatus
from .models import ReportJob
from .registry import Progress, ReportKind, get_kind, no_progress

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2
# What the change history keeps of a job (the FileField itself is not JSON: its name is in file_name).
HISTORY_FIELDS = (
    "kind",
    "format",
    "parameters",
    "requested_by",
    "status",
    "error",
    "attempts",
    "file_name",
    "file_size",
    "rerun_of",
    "started_at",
    "finished_at",
    "expires_at",
    "expired",
)  # a job whose worker died is tried once more, then marked failed


def ttl_hours() -> float:
    return float(getattr(settings, "REPORT_TTL_HOURS", 72))


def dead_after() -> datetime.timedelta:
    """A running job with no heartbeat for this long lost its worker (REPORT_DEAD_SECONDS, default 120)."""
    return datetime.timedelta(seconds=float(getattr(settings, "REPORT_DEAD_SECONDS", 120)))


def heartbeat_seconds() -> float:
    """How often a running job writes its heartbeat (REPORT_HEARTBEAT_SECONDS, default 15): well under
    dead_after, so a live job is never taken for dead."""
    return float(getattr(settings, "REPORT_HEARTBEAT_SECONDS", 15))


class LeaseLost(Exception):
    """This attempt no longer holds the job's lease: it was judged dead (no heartbeat for dead_after) and
    queued again for another worker. The attempt stops and writes nothing."""


def _scope_record(user) -> list:
    from personnel.models import Membership

    return [
        [m.role, m.unit.code, m.unit.name]
        for m in Membership.objects.filter(user=user, is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    ]


def validate_request(*, user, kind: str, fmt: str, params: dict | None) -> tuple[ReportKind, dict]:
    """Check kind, format and parameters (including that named units are in the user's scope)."""
    if not scope.memberships(user):
        raise QMError("forbidden", gettext("您没有任何单位的权限"), status=403)
    report = get_kind(kind)
    if fmt not in report.formats:
        raise QMError(
            "bad_format",
            gettext("{kind} 不支持格式：{fmt!r}").format(kind=kind, fmt=fmt),
            {"field": "format", "allowed": report.formats},
        )
    parsed = report.parse_params(params)
    from .scoping import root_units

    root_units(user, parsed)  # 404 for a unit outside the scope, before anything is written
    targets_check(user=user, params=parsed.model_dump(exclude_none=True))  # and a shipment, officer, … too
    return report, parsed.model_dump(exclude_none=True)


def targets_check(*, user, params: dict) -> None:
    """The objects a request names by id (shipment, officer, demand snapshot, tender) exist and are in the
    requester's scope, looked up through their own apps' selectors; NotFound naming the field otherwise.
    validate_request calls it, so a bad id is refused (API 404, the report centre's form) with no job written."""
    from assets import selectors as demand
    from distribution import selectors as dist
    from procurement import selectors as procurement

    lookups = {
        "shipment": dist.shipment_get,
        "officer": dist.officer_get,
        "snapshot": demand.snapshot_get,
        "tender": procurement.tender_get,
    }
    for field, get in lookups.items():
        value = params.get(field)
        if value is None:
            continue
        try:
            get(user, int(value))
        except (TypeError, ValueError):
            raise QMError(
                "bad_params", gettext("{field} 须为编号").format(field=field), {"field": field}
            ) from None
        except NotFound:
            raise NotFound(
                gettext("不存在或不在您的权限范围内 {field}：{value}").format(field=field, value=value),
                {"field": field},
            ) from None


def _enqueue(job: ReportJob) -> None:
    from .tasks import run_report_job

    def send():
        result = run_report_job.delay(job.pk)
        ReportJob.objects.filter(pk=job.pk, task_id="").update(task_id=result.id or "")

    transaction.on_commit(send)


def request_language() -> str:
    """The requester's language (the page's, or the API's Accept-Language): the job's file is printed in it."""
    return "en" if is_en() else "zh-hans"


@transaction.atomic
def job_create(
    *, user, kind: str, fmt: str = Format.PDF, params: dict | None = None, rerun_of: ReportJob | None = None
) -> ReportJob:
    """Queue a report. Bad kind/format/parameters → QMError and nothing written."""
    _, clean = validate_request(user=user, kind=kind, fmt=fmt, params=params)
    job = ReportJob.objects.create(
        kind=kind,
        format=fmt,
        parameters=clean,
        requested_by=user,
        language=request_language(),
        scope=_scope_record(user),
        rerun_of=rerun_of,
    )
    record_change(
        actor=user,
        obj=job,
        action=ChangeRecord.Action.CREATE,
        after=snapshot(job, fields=HISTORY_FIELDS),
        note=f"re-run of #{rerun_of.pk}" if rerun_of else "",
    )
    _enqueue(job)
    return job


def job_rerun(*, user, job: ReportJob) -> ReportJob:
    """A finished or failed job is asked again as a new job (the old one stays in the history)."""
    if job.status not in (JobStatus.DONE, JobStatus.FAILED):
        raise Conflict("job_active", gettext("任务尚未结束"), {"status": job.status})
    return job_create(user=user, kind=job.kind, fmt=job.format, params=job.parameters, rerun_of=job)


def job_rerun_once(*, user, job: ReportJob) -> ReportJob:
    """Re-run, asked twice (a double click, a retried request) while the first re-run is still queued or
    running, answers that re-run instead of queueing another."""
    pending = (
        ReportJob.objects.filter(
            rerun_of=job, requested_by=user, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
        )
        .order_by("-id")
        .first()
    )
    return pending or job_rerun(user=user, job=job)


def _transition(job: ReportJob, to: str, **fields) -> None:
    if to not in JOB_TRANSITIONS[JobStatus(job.status)]:
        raise Conflict(
            "bad_transition", gettext("状态不能从 {status} 变为：{to}").format(status=job.status, to=to)
        )
    before = snapshot(job, fields=HISTORY_FIELDS)
    job.status = to
    for k, v in fields.items():
        setattr(job, k, v)
    job.save()
    if to in (JobStatus.DONE, JobStatus.FAILED):
        record_change(
            actor=None,
            obj=job,
            action=ChangeRecord.Action.UPDATE,
            before=before,
            after=snapshot(job, fields=HISTORY_FIELDS),
            note=f"report {to}",
        )


def job_start(*, job_id: int, holder: str = "") -> ReportJob | None:
    """Claim the job for this attempt, under the row's lock: a new lease token, returned on the job. None when
    there is nothing to do: finished, unknown, or 'running' with a fresh heartbeat (another worker holds the
    lease: a redelivered message never runs a live job twice). A job found 'running' with no heartbeat for
    dead_after was being run by a worker that died (acks_late redelivers it): it counts as a new attempt, and
    after MAX_ATTEMPTS the job is failed. `holder`: the claiming worker's node name, kept with the lease."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
            return None
        now = timezone.now()
        if job.status == JobStatus.RUNNING and job.heartbeat_at and job.heartbeat_at >= now - dead_after():
            log.info(
                "report job %s is running elsewhere (heartbeat %s): not started again",
                job.pk,
                job.heartbeat_at,
            )
            return None
        if job.attempts >= MAX_ATTEMPTS:
            _transition(
                job,
                JobStatus.FAILED,
                lease_token="",
                finished_at=now,
                error=gettext("工作进程中断，已重试 {value} 次，请重新生成报表").format(
                    value=job.attempts - 1, attempts=job.attempts
                ),
            )
            return None
        if job.status == JobStatus.RUNNING:
            _transition(job, JobStatus.QUEUED)
        _transition(
            job,
            JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=job.attempts + 1,
            lease_token=uuid.uuid4().hex,
            lease_holder=holder[:200],
            progress=0,
            progress_message=gettext("开始"),
            error="",
        )
        return job


def job_heartbeat(*, job_id: int, token: str) -> bool:
    """The attempt holding `token` is alive: one conditional UPDATE. False when the lease is lost (the job was
    queued again, or finished, meanwhile)."""
    return bool(
        token
        and ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, lease_token=token).update(
            heartbeat_at=timezone.now()
        )
    )


class Heartbeat(threading.Thread):
    """Writes the job's heartbeat every `every` seconds while the attempt runs, whatever it is doing (a long
    query, WeasyPrint in this process, or waiting for the render processes), so only a dead worker goes
    silent. Sets `lost` when the lease is gone; the attempt's next progress call then raises LeaseLost."""

    def __init__(self, *, job_id: int, token: str, every: float):
        super().__init__(name=f"report-heartbeat-{job_id}", daemon=True)
        self.job_id, self.token, self.every = job_id, token, every
        self.stopped = threading.Event()
        self.lost = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    if not job_heartbeat(job_id=self.job_id, token=self.token):
                        self.lost.set()
                        return
                except DatabaseError:  # e.g. SQLite busy past its timeout: try again at the next beat
                    log.warning("report job %s: heartbeat not written", self.job_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=30)


def _start_heartbeat(job: ReportJob) -> Heartbeat | None:
    every = heartbeat_seconds()
    if every <= 0:
        return None
    beat = Heartbeat(job_id=job.pk, token=job.lease_token, every=every)
    beat.start()
    return beat


def _progress_writer(job: ReportJob, beat: Heartbeat | None = None) -> Progress:
    last = {"pct": -1, "t": 0.0}

    def progress(pct: int, message: str) -> None:
        if beat is not None and beat.lost.is_set():
            raise LeaseLost(job.pk)
        pct = max(0, min(100, int(pct)))
        now = time.monotonic()
        if pct == last["pct"] and now - last["t"] < 2:
            return
        last.update(pct=pct, t=now)
        written = ReportJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, lease_token=job.lease_token
        ).update(progress=pct, progress_message=message[:200], heartbeat_at=timezone.now())
        if not written:
            raise LeaseLost(job.pk)

    return progress


def file_name(job_kind: str, params: dict, fmt: str, at: datetime.datetime) -> str:
    """被装签领表-430100-20261205-1200.pdf: the report's title in the job's language, never its code."""
    title = get_kind(job_kind).label.replace(" ", "-")
    unit = params.get("county") or params.get("city")
    return "-".join(filter(None, (title, unit, f"{timezone.localtime(at):%Y%m%d-%H%M}"))) + f".{fmt}"


def render_to_path(
    *,
    user,
    kind: str,
    fmt: str,
    params: dict,
    out: Path,
    progress: Progress = no_progress,
    requested_at: datetime.datetime | None = None,
    language: str | None = None,
    **collect_kwargs,
):
    """The one code path of every report: validate, collect the data in the user's scope, render to `out`.
    Used by the Celery task (through job_run) and by `manage.py render_report`. Returns the ReportData.
    `language`: render in it (default the active one, which job_run sets from the job)."""
    if language:
        with translation.override(language):
            return render_to_path(
                user=user,
                kind=kind,
                fmt=fmt,
                params=params,
                out=out,
                progress=progress,
                requested_at=requested_at,
                **collect_kwargs,
            )
    report, clean = validate_request(user=user, kind=kind, fmt=fmt, params=params)
    parsed = report.parse_params(clean)
    data = report.collect(user, parsed, progress=progress, now=requested_at, **collect_kwargs)
    progress(
        5,
        gettext("{row_count} 行，{n_sections} 部分").format(
            row_count=data.row_count, n_sections=len(data.sections)
        ),
    )
    report.renderers[fmt](data, Path(out), progress)
    return data


def job_run(*, job_id: int, heartbeat: bool = False, holder: str = "") -> ReportJob | None:
    """Run a queued job in the language it was asked in (every text of the file and its progress in it).
    `heartbeat`: a thread writes the job's heartbeat while it runs (the task asks for it in a worker; an eager
    task runs inside a request or a command, where its transaction may not be visible to another thread)."""
    language = ReportJob.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or "zh-hans"):
        return _job_run(job_id=job_id, heartbeat=heartbeat, holder=holder)


def _locked_if_held(job: ReportJob) -> ReportJob:
    """The job's row, locked, when this attempt still holds its lease; LeaseLost otherwise. Call inside atomic."""
    locked = ReportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != JobStatus.RUNNING or locked.lease_token != job.lease_token:
        raise LeaseLost(job.pk)
    return locked


def _job_run(*, job_id: int, heartbeat: bool = False, holder: str = "") -> ReportJob | None:
    """Run a queued job: render into a temporary file, keep it with the job, mark done (or failed, saying why).
    Every write is conditional on the attempt's lease: an attempt that lost it (judged dead while it was only
    slow, and handed to another worker) stops at its next heartbeat or progress, or at the end, and stores no
    file (None)."""
    job = job_start(job_id=job_id, holder=holder)
    if job is None:
        return None
    beat = _start_heartbeat(job) if heartbeat else None
    progress = _progress_writer(job, beat)
    try:
        return _render_and_store(job, progress)
    except LeaseLost:
        log.warning("report job %s: lease lost (queued again as dead); this attempt stops", job.pk)
        return None
    finally:
        if beat is not None:
            beat.stop()


def _render_and_store(job: ReportJob, progress: Progress) -> ReportJob:
    try:
        with TemporaryDirectory(prefix="qm-report-") as tmp:
            name = file_name(job.kind, job.parameters, job.format, job.queued_at)
            path = Path(tmp) / name
            data = render_to_path(
                user=job.requested_by,
                kind=job.kind,
                fmt=job.format,
                params=job.parameters,
                out=path,
                progress=progress,
                requested_at=job.queued_at,
            )
            size = path.stat().st_size
            now = timezone.now()
            stored = ""
            try:
                with transaction.atomic():
                    locked = _locked_if_held(job)  # the file is stored only by the lease's holder
                    with open(path, "rb") as fh:
                        locked.file.save(name, File(fh), save=False)
                    stored = locked.file.name
                    _transition(
                        locked,
                        JobStatus.DONE,
                        lease_token="",
                        file_name=name,
                        file_size=size,
                        progress=100,
                        progress_message=pgettext("done", "完成"),
                        finished_at=now,
                        heartbeat_at=now,
                        expires_at=now + datetime.timedelta(hours=ttl_hours()),
                        sources=data.sources,
                        summary={
                            "rows": data.row_count,
                            "sections": len(data.sections),
                            "scope": data.scope_label,
                        },
                    )
            except BaseException:
                if stored:  # the row was not marked done: no file of it stays behind
                    job.file.storage.delete(stored)
                raise
            return locked
    except LeaseLost:
        raise
    except Exception as exc:  # the job says why; the worker keeps going
        message = exc.message if isinstance(exc, QMError) else f"{type(exc).__name__}: {exc}"
        log.warning("report job %s failed: %s", job.pk, traceback.format_exc())
        with transaction.atomic():
            locked = _locked_if_held(job)
            _transition(
                locked,
                JobStatus.FAILED,
                lease_token="",
                finished_at=timezone.now(),
                error=message[:2000],
                progress_message=gettext("失败"),
            )
        return locked


def jobs_reap_stale(*, now: datetime.datetime | None = None) -> dict:
    """Beat (every minute) and every worker's start: a job 'running' with no heartbeat for dead_after
    (REPORT_DEAD_SECONDS) lost its worker. Queue it once more, with its lease cleared (its old attempt, if only
    slow, stops at its next heartbeat); when it already had its retry, mark it failed."""
    now = now or timezone.now()
    return _reap(cutoff=now - dead_after(), now=now)


def jobs_requeue_orphans(*, now: datetime.datetime | None = None) -> dict:
    """At the start of the embedded set-up (`manage.py serve`, before its one worker starts): a job still
    'running' lost its worker when the set-up was last stopped (killed mid-report). Queue it once more, or
    fail it after its retry, as the reaper does, without waiting dead_after."""
    now = now or timezone.now()
    return _reap(cutoff=now, now=now)


def jobs_requeue_of_holder(*, holder: str, now: datetime.datetime | None = None) -> dict:
    """At a worker's start (celery's worker_ready): the jobs whose lease this node name held were being run by
    its previous incarnation, killed (a worker's node name is unique among live workers: a restarted worker
    takes its predecessor's). Queue them once more at once, or fail them after their retry."""
    now = now or timezone.now()
    if not holder:
        return {"requeued": [], "failed": []}
    return _reap(cutoff=None, holder=holder, now=now)


def next_dead_in(*, now: datetime.datetime | None = None) -> float | None:
    """Seconds until the first job now running can be judged dead by its heartbeat; None when none runs."""
    now = now or timezone.now()
    oldest = (
        ReportJob.objects.filter(status=JobStatus.RUNNING, heartbeat_at__isnull=False)
        .order_by("heartbeat_at")
        .values_list("heartbeat_at", flat=True)
        .first()
    )
    if oldest is None:
        return None
    return max(0.0, (oldest + dead_after() - now).total_seconds())


def _reap(*, cutoff: datetime.datetime | None, now: datetime.datetime, holder: str = "") -> dict:
    """Queue again (or fail after their retry) the running jobs silent since before `cutoff`, or held by
    `holder` (cutoff None)."""
    requeued, failed = [], []
    # a row locked by a worker claiming or finishing it is skipped (PostgreSQL): the next sweep sees it
    skip = {"skip_locked": True} if connection.features.has_select_for_update_skip_locked else {}
    lost = {"lease_holder": holder} if cutoff is None else {"heartbeat_at__lt": cutoff}
    for job_id in ReportJob.objects.filter(status=JobStatus.RUNNING, **lost).values_list("pk", flat=True):
        with transaction.atomic():
            job = ReportJob.objects.select_for_update(**skip).filter(pk=job_id).first()
            if job is None or job.status != JobStatus.RUNNING:
                continue
            if (job.lease_holder != holder) if cutoff is None else (job.heartbeat_at >= cutoff):
                continue
            if job.attempts < MAX_ATTEMPTS:
                _transition(
                    job,
                    JobStatus.QUEUED,
                    lease_token="",
                    lease_holder="",
                    progress=0,
                    progress_message=gettext("工作进程中断，重新排队"),
                )
                _enqueue(job)
                requeued.append(job.pk)
            else:
                _transition(
                    job,
                    JobStatus.FAILED,
                    lease_token="",
                    lease_holder="",
                    finished_at=now,
                    error=gettext("工作进程中断 {attempts} 次").format(attempts=job.attempts),
                )
                failed.append(job.pk)
    return {"requeued": requeued, "failed": failed}


def files_expire(*, now: datetime.datetime | None = None) -> int:
    """Beat: delete the files of jobs past expires_at; the job row stays (history), marked expired."""
    now = now or timezone.now()
    n = 0
    for job in ReportJob.objects.filter(expires_at__lt=now, expired=False).exclude(file=""):
        job.file.delete(save=False)
        ReportJob.objects.filter(pk=job.pk).update(file="", expired=True)
        n += 1
    return n
