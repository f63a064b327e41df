"""签收单 receipt form of a shipment (PDF): its lines and quantities (with what was received, short and in
excess once confirmed), signature and stamp blocks for sender and receiver, and a QR code that opens the
shipment's confirmation page (settings.SITE_URL + /distribution/shipments/<id>/). Built on
distribution.selectors.shipment_get (another unit's shipment → 404)."""

import datetime

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from assets.models import ItemType
from core.pages import tr
from distribution import selectors as dist

from .. import pdf
from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from . import _tables, common

KIND = "receipt-form"
TITLE = "被装物资签收单"
TITLE_EN = "Uniform receipt form"
TEMPLATE = "reports/pdf/receipt_form.html"
COLUMNS = [
    Column("seq", ("序号", "No."), 10, 6, "0"),
    Column("item", ("品名", "Item"), 50, 22),
    Column("gender", ("款式", "Version"), 12, 6),
    Column("size", ("号型", "Size"), 22, 10),
    Column("quantity", ("发运数量", "Shipped"), 18, 9, "0"),
    Column("received", ("实收", "Received"), 16, 8, "0"),
    Column("short", ("短少", "Short"), 14, 8, "0"),
    Column("excess", ("超收", "Excess"), 14, 8, "0"),
    Column("note", ("备注", "Note"), 34, 16),
]


class ReceiptParams(ParamsBase):
    shipment: int


def confirm_url(shipment_id: int) -> str:
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/distribution/shipments/{shipment_id}/"


def qr_data_uri(url: str) -> str:
    """The QR code as a PNG data: URI (WeasyPrint embeds it as an image; nothing is fetched)."""
    return segno.make(url, error="m").png_data_uri(scale=4, border=2)


def _local(dt) -> str:
    return f"{timezone.localtime(dt):%Y-%m-%d %H:%M}" if dt else "—"


def collect(
    user, params: ReceiptParams, *, progress: Progress = no_progress, now: datetime.datetime | None = None
) -> ReportData:
    shipment = dist.shipment_get(user, params.shipment)
    items = {i.pk: i for i in ItemType.objects.all()}
    receipt = getattr(shipment, "receipt", None) if shipment.status not in ("draft", "dispatched") else None
    confirmed = {}
    if receipt is not None:
        confirmed = {r.shipment_line_id: r for r in receipt.lines.all() if r.shipment_line_id}
    rows, total = [], 0
    for n, line in enumerate(shipment.lines.order_by("item__sort_order", "gender", "size", "id"), 1):
        got = confirmed.get(line.pk)
        rows.append(
            (
                n,
                _tables.item_name(items.get(line.item_id), line.gender),
                _tables.gender_label(line.gender),
                _tables.size_label(line.size),
                line.quantity,
                got.received if got else None,
                got.short if got else None,
                got.excess if got else None,
                (got.note or common.choice_label(got.get_reason_display()))
                if got and (got.short or got.note)
                else "",
            )
        )
        total += line.quantity
    sender = (
        shipment.from_location.unit.name if shipment.from_location.unit_id else shipment.from_location.name
    )
    url = confirm_url(shipment.pk)
    meta = {
        "number": shipment.number,
        "sender": sender,
        "receiver": shipment.to_unit.name,
        "status": common.choice_label(shipment.get_status_display()),
        "created": _local(shipment.created_at),
        "dispatched": _local(shipment.dispatched_at),
        "received": _local(shipment.received_at),
        "total": total,
        "lines": len(rows),
        "url": url,
        "note": shipment.note,
        "labels": "发运单号发货单位收货单位状态发运时间签收时间合计件数发货人收货人签字盖章日期扫码确认签收经办",
    }
    progress(3, gettext("{n_rows} 行").format(n_rows=len(rows)))
    when = now or timezone.now()
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=shipment.to_unit.name,
        requested_by=user.get_username(),
        requested_at=when,
        sources=[
            gettext("发运单 {number}（{status}）").format(number=shipment.number, status=meta["status"])
        ],
        columns=COLUMNS,
        sections=[Section(key=shipment.number, title=shipment.number, rows=rows)],
        meta=meta,
    )


def render_pdf(data: ReportData, out, progress: Progress = no_progress) -> None:
    ctx = pdf.base_context(
        data, unit=f"{data.meta['number']} · {data.scope_label}", landscape=False, sections=data.sections
    )
    ctx["rows_html"] = _tables.rows_html(COLUMNS, data.sections[0].rows)
    ctx["qr"] = qr_data_uri(data.meta["url"])
    pdf.render_single(data, TEMPLATE, out, context=ctx, progress=progress)


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        params=ReceiptParams,
        renderers={"pdf": render_pdf},
        description="随货签收单，含二维码",
        description_en="The receipt form that travels with a shipment, with a QR code",
    )
)
