"""统采分签 in the pages: Changsha's staff sign their contract, record a payment, record a delivery's arrival and
accept (验收) a 1,980-line delivery by exception — two lines rejected, the request carrying only those two —
and the accepted goods are in Changsha's store. Another city gets 404; the auditor reads without forms."""

import datetime
import json
import re

import pytest

from assets.models import ItemType
from distribution import selectors as stock
from distribution.models import Movement
from procurement import services
from procurement.models import Acceptance, AcceptanceLine, Contract, Payment
from tests.pages.test_read_only_pages import forms_of
from tests.pages.test_receipt_pages import forms, text, visible
from tests.procurement.conftest import PRICES, awarded, catalog, make_supplier, make_tender  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
D = datetime.date

ITEMS = ("DRESS-JACKET", "DRESS-SHIRT", "CAP-PEAKED")
N_SIZES = 330  # 3 items × 男/女 × 330 sizes = 1,980 lines: a city's contract at real size


def sizes(n):
    return [f"{150 + i // 10}/{70 + (i % 10) * 2}A" for i in range(n)]


@pytest.fixture
def contracts(awarded):
    """Per-city drafts under one award: Changsha's with 1,980 lines, Zhuzhou's with one."""
    rows = [
        {"city_code": "430100", "item_code": code, "gender": g, "size": s, "quantity": 1 + n % 3}
        for code in ITEMS
        for g in ("M", "F")
        for n, s in enumerate(sizes(N_SIZES))
    ]
    rows.append(
        {"city_code": "430200", "item_code": "CAP-PEAKED", "gender": "M", "size": "57", "quantity": 5}
    )
    made = services.contracts_create_from_demand(
        actor=None, award=awarded, rows=rows, unit_prices=PRICES, per_city=True
    )
    return {c.buyer.code: c for c in made}


@pytest.fixture
def signed(contracts):
    for c in contracts.values():
        services.contract_sign(actor=None, contract=c, signed_on=D(2026, 2, 10))
        c.refresh_from_db()
    return contracts


def _deliver(contract, number="CS-B1", *, arrived=True):
    return services.delivery_create(
        actor=None,
        contract=contract,
        number=number,
        destination=contract.buyer,
        delivered_on=D(2026, 3, 2) if arrived else None,
        lines=[{"contract_line_id": ln.pk, "quantity": ln.quantity} for ln in contract.lines.all()],
    )


WRITE_FORMS = {
    "sign-form",
    "delivery-form",
    "bond-form",
    "payment-form",
    "arrive-form",
    "accept-form",
    "accept-summary",
    "return-form",
}


def curl(c):
    return f"/procurement/contracts/{c.pk}/"


def durl(d):
    return f"/procurement/deliveries/{d.pk}/"


def test_city_signs_and_pays_its_contract(browse, changsha_user, contracts):
    cs = contracts["430100"]
    c = browse(changsha_user)
    page = c.get(curl(cs))
    assert page.status_code == 200
    assert 'data-testid="sign-form"' in text(page) and 'data-testid="payment-form"' not in text(page)
    sign = forms(page)["sign-form"]
    assert sign["token"]
    r = c.post(f"/procurement/contracts/{cs.pk}/sign/", {**sign, "signed_on": "2026-02-10"})
    assert r.status_code == 302 and r["Location"] == curl(cs)
    cs.refresh_from_db()
    assert (cs.status, cs.signed_on) == ("signed", D(2026, 2, 10))

    page = c.get(curl(cs))
    assert 'data-testid="sign-form"' not in text(page)
    pay = {**forms(page)["payment-form"], "kind": "advance", "amount": "1000.50", "paid_on": "2026-02-20"}
    url = f"/procurement/contracts/{cs.pk}/payments/"
    assert c.post(url, pay).status_code == 302
    assert c.post(url, pay).status_code == 302  # the same form again (double click): one payment
    assert [(p.kind, str(p.amount)) for p in Payment.objects.filter(contract=cs)] == [("advance", "1000.50")]
    shown = text(c.get(curl(cs)))
    # money always to the fen, on SQLite and PostgreSQL alike
    assert 'data-testid="paid">1,000.50<' in shown and shown.count('data-testid="payment"') == 1

    # over the contract total: the message names the figures, nothing is recorded, what was typed is kept
    over = {
        **forms(c.get(curl(cs)))["payment-form"],
        "kind": "final",
        "amount": str(cs.total),
        "paid_on": "2026-03-01",
    }
    r = c.post(url, over)
    assert r.status_code == 400 and "付款累计超过合同金额" in text(r)
    assert Payment.objects.filter(contract=cs).count() == 1 and f'value="{cs.total}"' in text(r)
    bad_date = c.post(url, {**over, "amount": "1", "paid_on": "2026-13-01"})
    assert bad_date.status_code == 400 and Payment.objects.filter(contract=cs).count() == 1

    # the performance bond: at most 10 % of the contract (the service's rule), refused beyond with nothing set
    bond = forms(c.get(curl(cs)))["bond-form"]
    burl = f"/procurement/contracts/{cs.pk}/bond/"
    assert c.post(burl, {**bond, "performance_bond": "500"}).status_code == 302
    cs.refresh_from_db()
    assert str(cs.performance_bond) == "500.00"
    too_much = c.post(burl, {**forms(c.get(curl(cs)))["bond-form"], "performance_bond": str(cs.total)})
    assert too_much.status_code == 400 and 'data-testid="form-error"' in text(too_much)
    cs.refresh_from_db()
    assert str(cs.performance_bond) == "500.00"


def test_the_contract_page_at_real_size_is_paged_and_filtered(
    browse, changsha_user, signed, django_assert_max_num_queries
):
    cs = signed["430100"]
    c = browse(changsha_user)
    c.get(curl(cs))
    with django_assert_max_num_queries(30):
        page = c.get(curl(cs))
    body = text(page)
    assert page.status_code == 200 and len(page.content) < 1_000_000
    assert body.count("<tr data-id=") == 500 and 'data-testid="pager"' in body
    seen = visible(body)
    assert "1,980" in seen
    for code in ItemType.objects.values_list("code", flat=True):
        assert code not in seen
    jacket = ItemType.objects.get(code="DRESS-JACKET")
    women = text(c.get(curl(cs), {"item": "DRESS-JACKET", "gender": "F"}))
    assert women.count("<tr data-id=") == N_SIZES and f'data-name="{jacket.name_for("F")}"' in women
    sized = text(c.get(curl(cs), {"size": "175/80A"}))
    assert set(re.findall(r'data-size="([^"]+)"', sized)) == {"175/80A"} and sized.count("<tr data-id=") == 6
    named = text(c.get(curl(cs), {"q": jacket.name_zh[:2], "page": 9}))
    assert 'data-testid="lines-count"' in named and "<tr data-id=" in named


def test_arrival_and_acceptance_of_1980_lines_with_two_rejected(
    browse, changsha_user, signed, django_assert_max_num_queries
):
    cs = signed["430100"]
    delivery = _deliver(cs, arrived=False)
    c = browse(changsha_user)
    page = c.get(durl(delivery))
    assert 'data-testid="arrive-form"' in text(page) and 'data-testid="accept-form"' not in text(page)
    arrive = {**forms(page)["arrive-form"], "delivered_on": "2026-03-02", "step": "arrive"}
    assert c.post(durl(delivery), arrive).status_code == 302
    assert c.post(durl(delivery), arrive).status_code == 302  # resubmitted: the token answers, no error
    delivery.refresh_from_db()
    assert (delivery.status, delivery.delivered_on) == ("arrived", D(2026, 3, 2))

    c.get(durl(delivery))
    with django_assert_max_num_queries(30):
        page = c.get(durl(delivery))
    body = text(page)
    assert page.status_code == 200 and len(page.content) < 1_000_000
    assert body.count("<tr data-id=") == 500 and 'data-testid="pager"' in body
    seen = visible(body)
    for code in ItemType.objects.values_list("code", flat=True):
        assert code not in seen
    assert not re.search(r">\s*[MF]\s*<", body)
    fields = forms(page)["accept-form"]
    assert len(fields) < 10  # csrf, rejects, token and the certificate's fields — never a field per line
    lines = list(delivery.lines.select_related("contract_line__item").order_by("id"))
    a, b = lines[7], lines[1500]
    rejects = [
        {"line": a.pk, "rejected": 1, "reason": "色差"},
        {"line": b.pk, "rejected": b.quantity, "reason": "尺码标签错误"},
    ]
    data = {**fields, "certificate_number": "YS-CS-001", "step": "review", "rejects": json.dumps(rejects)}
    assert len(data) < 12
    review = c.post(durl(delivery), data)
    assert review.status_code == 200 and not Acceptance.objects.exists()
    rbody = text(review)
    delivered = sum(ln.quantity for ln in lines)
    rejected = 1 + b.quantity
    assert f'data-testid="summary-delivered">{delivered:,}<' in rbody
    assert f'data-testid="summary-accepted">{delivered - rejected:,}<' in rbody
    assert f'data-testid="summary-rejected">{rejected}<' in rbody
    listed = visible(rbody.split('data-testid="summary-rejects"')[1].split("</table>")[0])
    for ln in (a, b):
        assert (
            ln.contract_line.item.name_for(ln.contract_line.gender) in listed
            and ln.contract_line.size in listed
        )
    assert "色差" in listed and "尺码标签错误" in listed

    confirm = {**forms(review)["accept-summary"], "step": "confirm"}
    assert len(confirm) < 12
    done = c.post(durl(delivery), confirm)
    assert done.status_code == 302
    acceptance = Acceptance.objects.get(delivery=delivery)
    assert acceptance.certificate_number == "YS-CS-001" and acceptance.actor == changsha_user
    got = {al.delivery_line_id: al for al in AcceptanceLine.objects.filter(acceptance=acceptance)}
    assert len(got) == len(lines)
    assert (got[a.pk].accepted, got[a.pk].rejected, got[a.pk].reason) == (a.quantity - 1, 1, "色差")
    assert (got[b.pk].accepted, got[b.pk].rejected) == (0, b.quantity)
    assert sum(al.rejected for al in got.values()) == rejected
    booked = stock.stock_of(changsha_user, "430100")
    assert sum(r["quantity"] for r in booked) == delivered - rejected
    b_line = b.contract_line
    assert not [
        r
        for r in booked
        if (r["item"], r["gender"], r["size"]) == (b_line.item.code, b_line.gender, b_line.size)
    ]

    n = Movement.objects.count()
    again = c.post(durl(delivery), confirm)  # a retry after a time-out: nothing booked twice
    assert again.status_code == 302 and Movement.objects.count() == n and Acceptance.objects.count() == 1
    after = c.get(durl(delivery))
    abody = text(after)
    assert 'data-testid="certificate">YS-CS-001<' in abody and abody.count('data-testid="rejected-line"') == 2
    assert 'data-testid="accept-form"' not in abody and len(after.content) < 1_000_000
    # rejected goods handed back to the supplier
    ret = forms(after)["return-form"]
    r = c.post(durl(delivery), {**ret, "returned_on": "2026-03-05", "step": "returned"})
    assert r.status_code == 302
    assert AcceptanceLine.objects.filter(acceptance=acceptance, rejection_status="returned").count() == 1
    cpage = text(c.get(curl(cs)))
    assert f'data-testid="accepted">{delivered - rejected:,}<' in cpage and "YS-CS-001" in cpage


def test_the_untouched_form_without_script_accepts_everything(browse, changsha_user, signed):
    zz_free = signed["430100"]
    delivery = _deliver(zz_free, "CS-SMALL")
    c = browse(changsha_user)
    untouched = forms(c.get(durl(delivery)))["accept-form"]
    assert untouched["rejects"] == "" and untouched["certificate_number"] == "YS-CS-SMALL"
    review = c.post(durl(delivery), {**untouched, "step": "review"})
    assert review.status_code == 200 and 'data-testid="summary-all-accepted"' in text(review)
    assert c.post(durl(delivery), {**forms(review)["accept-summary"], "step": "confirm"}).status_code == 302
    acceptance = Acceptance.objects.get(delivery=delivery)
    assert not acceptance.lines.filter(rejected__gt=0).exists()
    total = sum(dl.quantity for dl in delivery.lines.all())
    assert sum(r["quantity"] for r in stock.stock_of(changsha_user, "430100")) == total


def test_a_bad_mark_names_the_row_and_changes_nothing(browse, changsha_user, signed):
    delivery = _deliver(signed["430100"], "CS-BAD")
    c = browse(changsha_user)
    fields = forms(c.get(durl(delivery)))["accept-form"]
    dl = delivery.lines.select_related("contract_line__item").order_by("id")[3]
    cl = dl.contract_line
    name = cl.item.name_for(cl.gender)
    cases = [
        ([{"line": dl.pk, "rejected": dl.quantity + 1, "reason": "破损"}], "不合格数量须为"),
        ([{"line": dl.pk, "rejected": 1, "reason": ""}], "不合格须写明原因"),
        (
            [{"line": dl.pk, "rejected": 1, "reason": "a"}, {"line": dl.pk, "rejected": 1, "reason": "b"}],
            "同一行",
        ),
    ]
    for rejects, message in cases:
        for step in ("review", "confirm"):
            r = c.post(durl(delivery), {**fields, "step": step, "rejects": json.dumps(rejects)})
            body = text(r)
            assert r.status_code == 400, body
            error = body.split('data-testid="form-error">')[1].split("<")[0]
            assert message in error and name in error and cl.size in error
            assert cl.item.code not in error
    garbled = c.post(durl(delivery), {**fields, "step": "review", "rejects": "{not json"})
    assert garbled.status_code == 400
    nobody = c.post(durl(delivery), {**fields, "step": "confirm", "inspectors": " "})
    assert nobody.status_code == 400 and "须填写验收人员" in text(nobody)
    assert not Acceptance.objects.exists() and not Movement.objects.exists()


def test_another_city_gets_404_and_the_auditor_reads_without_forms(
    browse, zhuzhou_user, auditor_user, changsha_user, contracts
):
    cs = contracts["430100"]
    z = browse(zhuzhou_user)
    assert z.get(curl(cs)).status_code == 404
    assert z.post(f"/procurement/contracts/{cs.pk}/sign/", {"signed_on": "2026-02-10"}).status_code == 404
    assert Contract.objects.get(pk=cs.pk).status == "draft"
    listed = text(z.get("/procurement/contracts/"))
    assert cs.number not in listed and contracts["430200"].number in listed

    services.contract_sign(actor=None, contract=cs, signed_on=D(2026, 2, 10))
    delivery = _deliver(cs, "CS-AUD")
    assert z.get(durl(delivery)).status_code == 404
    assert z.post(durl(delivery), {"step": "confirm"}).status_code == 404

    a = browse(auditor_user)
    for url in (curl(cs), durl(delivery), curl(contracts["430200"])):
        r = a.get(url)
        assert r.status_code == 200 and not set(forms(r)) & WRITE_FORMS and 'class="mark"' not in text(r)
        shown = forms_of(r)
        assert shown.post_forms == [] and shown.submits == []
    assert (
        a.post(
            f"/procurement/contracts/{cs.pk}/payments/",
            {"kind": "advance", "amount": "1", "paid_on": "2026-03-01"},
        ).status_code
        == 403
    )
    assert a.post(durl(delivery), {"step": "confirm", "certificate_number": "X"}).status_code == 403
    assert not Payment.objects.exists() and not Acceptance.objects.exists()


def test_the_start_page_lists_what_waits_for_the_city(browse, changsha_user, auditor_user, signed):
    arrived = _deliver(signed["430100"], "CS-WAIT")
    home = text(browse(changsha_user).get("/"))
    assert "待验收批次" in home and durl(arrived) in home and "CS-WAIT" in home
    assert "/procurement/contracts/" in home
    assert "待验收批次" not in text(browse(auditor_user).get("/"))


def test_the_pages_in_english_have_no_chinese_of_their_own(browse, changsha_user, signed):
    """Switched to English, the contract and delivery pages read in English; only names (units, suppliers,
    items, reasons typed by users) stay as they are stored."""
    cs = signed["430100"]
    delivery = _deliver(cs, "CS-EN")
    c = browse(changsha_user)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = visible(text(c.get(curl(cs))))
    assert "Contract summary" in page and "Record the payment" in page and "Delivered" in page
    dpage = text(c.get(durl(delivery)))
    assert "Acceptance: everything accepted unless marked" in visible(dpage) and "Mark rejects" in dpage
    names = {"中文", cs.buyer.name, cs.supplier.name, *ItemType.objects.values_list("name_zh", flat=True)}
    for chunk in re.findall(r"[\u4e00-\u9fff]+", visible(dpage)):
        assert any(chunk in n for n in names) or chunk in "男女", chunk


def test_accepting_before_arrival_is_refused(browse, changsha_user, signed):
    delivery = _deliver(signed["430100"], "CS-EARLY", arrived=False)
    c = browse(changsha_user)
    assert 'data-testid="accept-form"' not in text(c.get(durl(delivery)))
    r = c.post(
        durl(delivery),
        {"step": "confirm", "certificate_number": "YS-X", "inspectors": "甲", "sample_size": "1"},
    )
    assert r.status_code == 409 and "批次尚未到货" in text(r) and not Acceptance.objects.exists()


def test_a_countys_staff_receive_a_delivery_to_their_store(browse, county_user, signed):
    """A delivery to a county's store under its city's contract (counties may receive once the stock branch
    allows it): the county's staff see the delivery and record its arrival; the contract stays the city's."""
    from procurement.models import Delivery

    cs = signed["430100"]
    delivery = Delivery.objects.create(
        contract=cs, number="CS-COUNTY", destination=county_user.memberships.get().unit
    )
    delivery.lines.create(contract_line=cs.lines.order_by("id").first(), quantity=1)
    c = browse(county_user)
    page = c.get(durl(delivery))
    assert page.status_code == 200 and 'data-testid="arrive-form"' in text(page)
    assert curl(cs) not in text(page) and c.get(curl(cs)).status_code == 404
    arrive = {**forms(page)["arrive-form"], "delivered_on": "2026-03-02", "step": "arrive"}
    assert c.post(durl(delivery), arrive).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "arrived"


def test_the_city_records_a_delivery_of_what_is_still_owed(
    browse, changsha_user, zhuzhou_user, auditor_user, signed, django_assert_max_num_queries
):
    """The delivery form posts a few fields whatever the contract's size: everything still owed, or the items
    ticked; the batch then waits for 验收 on its own page. A double click records one batch; another city 404,
    the auditor 403; nothing owed on the items ticked is refused and records nothing."""
    from procurement.models import Delivery, DeliveryLine

    cs = signed["430100"]
    c = browse(changsha_user)
    page = c.get(curl(cs))
    form = forms(page)["delivery-form"]
    assert '<option value="430100" selected>' in text(page)  # the city's own store first
    assert "DRESS-JACKET" not in visible(text(page))
    url = f"/procurement/contracts/{cs.pk}/deliveries/"
    post = {
        **form,
        "number": "CS-D1",
        "destination": "430100",
        "planned_on": "2026-03-01",
        "items": ["CAP-PEAKED"],
    }
    with django_assert_max_num_queries(40):
        r = c.post(url, post)
    delivery = Delivery.objects.get(number="CS-D1")
    assert r.status_code == 302 and r["Location"] == durl(delivery)
    assert len(post) < 10  # the request: a few fields for 660 lines
    caps = cs.lines.filter(item__code="CAP-PEAKED")
    assert delivery.destination.code == "430100" and delivery.status == "announced"
    assert sorted(delivery.lines.values_list("contract_line_id", "quantity")) == sorted(
        caps.values_list("pk", "quantity")
    )
    assert c.post(url, post).status_code == 302  # the same form again (double click): one batch
    assert Delivery.objects.filter(contract=cs).count() == 1

    # the caps are all on their way: nothing is owed on them any more
    again = {
        **forms(c.get(curl(cs)))["delivery-form"],
        "number": "CS-D2",
        "destination": "430100",
        "items": ["CAP-PEAKED"],
    }
    r = c.post(url, again)
    assert r.status_code == 400 and "所选品类已无未交数量" in text(r)
    assert not Delivery.objects.filter(number="CS-D2").exists()

    # nothing ticked: everything still owed (the other two items)
    rest = {**forms(c.get(curl(cs)))["delivery-form"], "number": "CS-D2", "destination": "430100"}
    rest.pop("items", None)  # no box ticked
    assert c.post(url, rest).status_code == 302
    d2 = Delivery.objects.get(number="CS-D2")
    assert d2.lines.count() == cs.lines.count() - caps.count()
    assert DeliveryLine.objects.filter(delivery__contract=cs).count() == cs.lines.count()

    # another city cannot see it, the auditor may not write
    assert browse(zhuzhou_user).post(url, {**rest, "number": "ZZ-X"}).status_code == 404
    assert browse(auditor_user).post(url, {**rest, "number": "AU-X"}).status_code == 403
    assert not Delivery.objects.filter(number__in=["ZZ-X", "AU-X"]).exists()
