import io

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from pypdf import PdfReader

from core.errors import NotFound
from reports import pdf
from reports.kinds import receipt_form
from reports.services import render_to_path
from tests.distribution.conftest import confirm_all, kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory

from .conftest import pdf_pages_text


@pytest.fixture
def shipment(org, catalog, province_user):
    officer = OfficerFactory(unit=org["430121"], name="王芳")
    lines = kit_lines(officer)
    receive(province_user, org, lines)
    s = ship(province_user, org, lines, "430100")
    return s, sum(x["quantity"] for x in lines)


def test_pdf_lines_signature_and_qr(province_user, shipment, media, tmp_path, settings):
    settings.SITE_URL = "https://qm.example.cn"
    s, total = shipment
    out = tmp_path / "r.pdf"
    data = render_to_path(
        user=province_user, kind="receipt-form", fmt="pdf", params={"shipment": s.pk}, out=out
    )
    assert data.meta["url"] == f"https://qm.example.cn/distribution/shipments/{s.pk}/"
    text = "".join(pdf_pages_text(out.read_bytes()))
    assert s.number in text and "长沙市" in text
    assert "发货人签字" in text and "收货人签字" in text and "盖章" in text
    assert f"合计 {s.lines.count()} 行" in text and str(total) in text
    first = s.lines.order_by("item__sort_order", "gender", "size", "id").first()
    assert first.item.name_for(first.gender) in text
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert any(page.images for page in reader.pages)  # the QR code is an image in the PDF


def test_qr_data_uri_in_html(province_user, shipment):
    s, _ = shipment
    kind = receipt_form
    data = kind.collect(province_user, kind.ReceiptParams(shipment=s.pk))
    ctx = pdf.base_context(data, unit="x", landscape=False, sections=data.sections)
    ctx.update(rows_html="", qr=kind.qr_data_uri(data.meta["url"]))
    html = render_to_string(kind.TEMPLATE, ctx)
    assert 'src="data:image/png;base64,' in html


def test_confirmed_quantities(province_user, changsha_user, shipment, media):
    s, total = shipment
    confirm_all(changsha_user, s)
    data = receipt_form.collect(changsha_user, receipt_form.ReceiptParams(shipment=s.pk))
    assert sum(r[5] for r in data.sections[0].rows) == total
    assert all(r[6] == 0 for r in data.sections[0].rows)


def test_other_city_shipment_is_404(zhuzhou_user, shipment, tmp_path):
    s, _ = shipment
    with pytest.raises(NotFound):
        render_to_path(
            user=zhuzhou_user,
            kind="receipt-form",
            fmt="pdf",
            params={"shipment": s.pk},
            out=tmp_path / "x.pdf",
        )
    assert not (tmp_path / "x.pdf").exists()


def test_command(shipment, media, tmp_path, province_user):
    s, _ = shipment
    out = tmp_path / "cmd.pdf"
    call_command("render_report", "receipt-form", "--shipment", str(s.pk), "--out", str(out))
    assert s.number in "".join(pdf_pages_text(out.read_bytes()))
