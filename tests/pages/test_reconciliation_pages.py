"""The reconciliation's pages: the figures per lot and buyer with links to the documents, the document lists,
a contract with its lines and a delivery with its acceptance; scope (a city its own row only, another city's
documents 404 or empty), one language, bounded queries and size."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement import reconciliation
from tests.procurement.conftest import awarded, catalog, make_supplier, make_tender  # noqa: F401
from tests.procurement.test_reconciliation import recon  # noqa: F401

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def visible(html: str) -> str:
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", body)


def test_province_sees_every_buyer_and_the_links(browse, recon, province_user):
    client = browse(province_user)
    html = text(client.get(f"/procurement/reconciliation/?tender={recon['tender'].pk}"))
    rec = reconciliation.reconcile(province_user, tender=recon["tender"])
    for code in ("430000", "430100", "430200"):
        assert f'data-buyer="{code}"' in html
    assert f"{rec.totals['contracted']:,.2f}" in html and f"{rec.totals['paid']:,.2f}" == "6,000.10"
    assert "6,000.10" in html and "recon-restricted" not in html
    lot = recon["award"].lot_id
    for kind in reconciliation.DOCUMENT_KINDS:
        link = (
            f"/procurement/reconciliation/{kind}/?tender={recon['tender'].pk}&amp;lot={lot}&amp;buyer=430100"
        )
        assert link in html, kind
    docs = text(
        client.get(f"/procurement/reconciliation/variations/?tender={recon['tender'].pk}&buyer=430100")
    )
    assert "BC-1" in docs and "595.37" in docs
    docs = text(client.get(f"/procurement/reconciliation/acceptances/?lot={lot}&buyer=430100"))
    assert "YS-CS-1" in docs
    docs = text(client.get(f"/procurement/reconciliation/payments/?lot={lot}&buyer=430100"))
    assert "5,000.10" in docs and "100.00" in docs
    docs = text(client.get(f"/procurement/reconciliation/contracts/?lot={lot}"))
    assert all(recon[k].number in docs for k in ("cs", "zz", "prov"))
    assert client.get("/procurement/reconciliation/bogus/").status_code == 404
    assert client.get("/procurement/reconciliation/?lot=x").status_code == 400


def test_contract_and_delivery_pages(browse, recon, province_user):
    client = browse(province_user)
    c = recon["cs"]
    html = text(client.get(f"/procurement/contracts/{c.pk}/"))
    assert "BC-1" in html and "B-CS-1" in html and "5,000.10" in html
    assert "DRESS-JACKET" not in visible(html)  # names, never item codes
    assert c.lines.get(item__code="DRESS-JACKET").item.name_men in html
    delivery = c.deliveries.get()
    html = text(client.get(f"/procurement/deliveries/{delivery.pk}/"))
    assert "YS-CS-1" in html and "色差" in html
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/procurement/contracts/{c.pk}/")
    assert len(ctx.captured_queries) <= 30


def test_a_city_sees_its_own_row_only(browse, recon, zhuzhou_user, changsha_user):
    client = browse(zhuzhou_user)
    html = text(client.get(f"/procurement/reconciliation/?tender={recon['tender'].pk}"))
    assert 'data-buyer="430200"' in html and 'data-buyer="430100"' not in html
    assert 'data-buyer="430000"' not in html and "recon-restricted" in html
    assert client.get(f"/procurement/contracts/{recon['cs'].pk}/").status_code == 404
    assert client.get(f"/procurement/deliveries/{recon['cs'].deliveries.get().pk}/").status_code == 404
    for kind in reconciliation.DOCUMENT_KINDS:
        docs = text(client.get(f"/procurement/reconciliation/{kind}/?buyer=430100"))
        assert recon["cs"].number not in docs and "BC-1" not in docs and "YS-CS-1" not in docs, kind
    assert client.get("/procurement/reconciliation/?city=430100").status_code == 404
    own = text(browse(changsha_user).get(f"/procurement/contracts/{recon['cs'].pk}/"))
    assert "BC-1" in own


def test_english_page_has_no_chinese_labels(browse, recon, province_user):
    client = browse(province_user)
    client.cookies["django_language"] = "en"
    html = text(client.get(f"/procurement/reconciliation/?tender={recon['tender'].pk}"))
    shown = visible(html)
    from personnel.models import OrgUnit

    names = [
        *OrgUnit.objects.values_list("name", flat=True),
        "服装",
        "帽徽",
        "甲公司",
        "丙公司",
        "测试项目2026",
    ]
    for stored in sorted(names, key=len, reverse=True):  # stored data prints as stored
        shown = shown.replace(stored, "")
    assert "Reconciliation" in shown
    left = [w for w in CJK.findall(shown)]
    assert not left, left[:20]


def test_page_queries_bounded_and_small(browse, recon, province_user):
    client = browse(province_user)
    client.get("/procurement/reconciliation/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/procurement/reconciliation/")
    assert len(ctx.captured_queries) <= 25
    assert len(response.content) < 1_000_000
    assert Decimal("0") <= reconciliation.reconcile(province_user).totals["paid"]


@pytest.mark.parametrize("path", ["/procurement/reconciliation/", "/procurement/reconciliation/contracts/"])
def test_anonymous_goes_to_login(browse, path):
    assert browse().get(path)["Location"].startswith("/login/")


def test_auditor_reads_everything_and_finds_no_write_control(browse, recon, auditor_user):
    client = browse(auditor_user)
    html = text(client.get(f"/procurement/reconciliation/?tender={recon['tender'].pk}"))
    assert all(f'data-buyer="{code}"' in html for code in ("430000", "430100", "430200"))
    main = html.split("<main", 1)[1]
    assert 'method="post"' not in main.lower()  # a read-only view: the filter form is GET only
    assert "BC-1" in text(client.get(f"/procurement/contracts/{recon['cs'].pk}/"))
