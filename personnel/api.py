import tempfile

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from ninja import File, Form, Query, Router, UploadedFile

from core.errors import QMError
from core.history import history_for
from core.i18n import one
from core.pagination import PageParams, page_schema, paginate

from . import privacy, selectors, services
from .choices import OfficerStatus
from .schemas import (
    DataAccessOut,
    OfficerDetail,
    OfficerOut,
    OfficerPatch,
    RollImportOut,
    StatusIn,
    TransferIn,
    UnitNode,
    UnitOut,
)

router = Router(tags=["personnel"])


def officer_out(user, officer, shown: list | None = None) -> dict:
    """The officer as `user` may see it; where the full ID number is shown, (id, unit) goes to `shown`, which
    the route hands to privacy.record_disclosures."""
    full = services.can_see_full_id(user, officer.unit)
    if full and shown is not None:
        shown.append((officer.pk, officer.unit))
    return {
        "id": officer.id,
        "name": officer.name,
        "gender": officer.gender,
        **privacy.identity(officer, full=full),
        "certificate_number": officer.certificate_number,
        "unit_code": officer.unit.code,
        "unit_name": officer.unit.name,
        "city_code": officer.unit.city_code,
        "post": officer.post,
        "status": officer.status,
        "status_label": one(OfficerStatus(officer.status).label),
        "height_cm": officer.height_cm,
        "chest_cm": officer.chest_cm,
        "waist_cm": officer.waist_cm,
        "head_cm": officer.head_cm,
        "foot_mm": officer.foot_mm,
        "shoe_eu": officer.shoe_eu,
        "measured_on": officer.measured_on,
        "phone": officer.phone,
        "remarks": officer.remarks,
    }


def change_out(record, *, full: bool = True) -> dict:
    return {
        "id": record.id,
        "action": record.action,
        "changes": privacy.redact_changes(record.changes, full=full),
        "note": record.note,
        "actor": record.actor_name,
        "source": record.source,
        "at": record.created_at,
    }


@router.get("/units", response=list[UnitNode], summary=gettext_lazy("单位树与编制、到位"))
def unit_tree(request):
    return selectors.unit_tree(request.user)


@router.get("/units/{code}", response=UnitOut)
def unit_detail(request, code: str):
    unit = selectors.unit_get(request.user, code)
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "parent_code": unit.parent.code if unit.parent_id else None,
        "city_code": unit.city_code,
        "authorised_posts": unit.authorised_posts,
        "station_class": unit.station_class,
        "address": unit.address,
    }


class OfficerFilters(PageParams):
    unit: str | None = None
    status: str | None = None
    q: str | None = None
    eligible: bool | None = None


@router.get(
    "/officers",
    response=page_schema(OfficerOut),
    summary=pgettext_lazy("officers (paginated, scoped)", "花名册"),
)
def officer_list(request, filters: Query[OfficerFilters]):
    if filters.status and filters.status not in OfficerStatus.values:
        raise QMError(
            "bad_filter",
            gettext("未知状态：{status}").format(status=filters.status),
            {"field": "status"},
        )
    qs = selectors.officers_for(
        request.user, unit_code=filters.unit, status=filters.status, q=filters.q, eligible=filters.eligible
    )
    shown: list = []
    page = paginate(qs, filters, lambda o: officer_out(request.user, o, shown))
    privacy.record_disclosures(request.user, shown, door="api", where=privacy.request_where(request))
    return page


@router.get("/officers/{officer_id}", response=OfficerDetail)
def officer_detail(request, officer_id: int):
    officer = selectors.officer_get(request.user, officer_id)
    from assets.selectors import size_report

    shown: list = []
    out = officer_out(request.user, officer, shown)
    privacy.record_disclosures(request.user, shown, door="api", where=request.path)
    sizes = size_report(officer)
    out["sizes"], out["sizes_missing"] = sizes["sizes"], sizes["missing"]
    full = services.can_see_full_id(request.user, officer.unit)
    out["history"] = [change_out(r, full=full) for r in history_for(officer)]
    return out


@router.patch("/officers/{officer_id}", response=OfficerOut)
def officer_patch(request, officer_id: int, payload: OfficerPatch):
    officer = selectors.officer_get(request.user, officer_id)
    officer = services.officer_update(actor=request.user, officer=officer, **payload.dict(exclude_unset=True))
    shown: list = []
    out = officer_out(request.user, officer, shown)
    privacy.record_disclosures(request.user, shown, door="api", where=request.path)
    return out


@router.post("/officers/{officer_id}/transfer", response=OfficerOut)
def officer_transfer(request, officer_id: int, payload: TransferIn):
    officer = selectors.officer_get(request.user, officer_id)
    to_unit = selectors.unit_get(request.user, payload.to_unit)
    officer = services.officer_transfer(
        actor=request.user, officer=officer, to_unit=to_unit, reason=payload.reason
    )
    shown: list = []
    out = officer_out(request.user, officer, shown)
    privacy.record_disclosures(request.user, shown, door="api", where=request.path)
    return out


@router.post("/officers/{officer_id}/status", response=OfficerOut)
def officer_status(request, officer_id: int, payload: StatusIn):
    officer = selectors.officer_get(request.user, officer_id)
    officer = services.officer_set_status(
        actor=request.user, officer=officer, status=payload.status, reason=payload.reason
    )
    shown: list = []
    out = officer_out(request.user, officer, shown)
    privacy.record_disclosures(request.user, shown, door="api", where=request.path)
    return out


class DataAccessFilters(PageParams):
    officer: int | None = None
    user: str | None = None


@router.get(
    "/data-accesses",
    response=page_schema(DataAccessOut),
    summary=gettext_lazy("个人信息查阅记录（完整身份证号，单位链之外）"),
)
def data_accesses(request, filters: Query[DataAccessFilters]):
    """Every full ID number shown to someone outside the officer's unit chain (《个人信息保护法》): provincial
    logistics and auditors, in their scope; newest first."""
    qs = privacy.accesses_for(request.user, officer_id=filters.officer, username=filters.user)
    return paginate(qs, filters, privacy.access_out)


# ---- roll import and export (花名册) --------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 2**20


def _upload(file: UploadedFile) -> bytes:
    if file.size and file.size > MAX_UPLOAD:
        raise QMError(
            "file_too_large",
            gettext("文件过大（上限20MB）"),
            {"field": "file"},
            status=413,
        )
    return file.read()


def _rejected(report) -> QMError:
    n = len(report.errors)
    return QMError(
        "roll_rejected",
        gettext("花名册有{n}处错误，未导入任何数据").format(n=n),
        report.as_dict(),
        status=422,
    )


@router.post(
    "/roll/import",
    response=RollImportOut,
    summary=gettext_lazy("花名册导入"),
    description="Multipart: `file` (.xlsx; .xls if readable), `dry_run` (true: check and report, write "
    "nothing). Refused rows answer 422 `roll_rejected` with the whole report in "
    "`details` (details.errors[]: row, column, cell, value, reason, code); nothing is "
    "written. POST the same file to /roll/import/report for the workbook with the bad "
    "cells marked.",
)
def roll_import(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    report = services.roll_import(
        actor=request.user, file=_upload(file), filename=file.name or "", dry_run=dry_run
    )
    if report.errors:
        raise _rejected(report)
    return report.as_dict()


@router.post("/roll/import/report", summary=gettext_lazy("花名册错误报告"))
def roll_import_report(request, file: File[UploadedFile]):
    from .importers import error_workbook

    data = _upload(file)
    report = services.roll_import(actor=request.user, file=data, filename=file.name or "", dry_run=True)
    body = error_workbook(
        data,
        file.name or "",
        report.errors,
        message=_rejected(report).message if report.errors else gettext("没有错误"),
    )
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="roll-errors.xlsx"'
    response["X-Roll-Errors"] = str(len(report.errors))
    return response


def _xlsx_response(write, filename: str) -> FileResponse:
    """Write the workbook (openpyxl write_only) to a temporary file and stream it back."""
    out = tempfile.TemporaryFile()
    write(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


@router.get(
    "/roll/export",
    summary=gettext_lazy("花名册导出"),
    description="Optional `unit`: a unit code in your scope (its subtree). ID numbers in full for roll "
    "keepers, masked (first 6, last 4) for auditors.",
)
def roll_export(request, unit: str | None = None):
    from .exporters import export_roll

    target = selectors.unit_get(request.user, unit) if unit else None
    name = f"roll-{target.code if target else 'all'}.xlsx"
    return _xlsx_response(
        lambda out: export_roll(out, user=request.user, unit=target, where=privacy.request_where(request)),
        name,
    )


@router.get(
    "/roll/template",
    summary=gettext_lazy("花名册模板"),
    description="`city`: a unit code in your scope; without it, the empty template.",
)
def roll_template(request, city: str | None = None):
    from .exporters import export_template

    target = selectors.unit_get(request.user, city) if city else None
    name = f"roll-template-{target.code if target else 'blank'}.xlsx"
    return _xlsx_response(
        lambda out: export_template(
            out, user=request.user, city=target, where=privacy.request_where(request)
        ),
        name,
    )
