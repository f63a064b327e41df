"""Receipt confirmation by exception on the shipment page at real size: a generated 3,000-line shipment is
listed 500 lines at a time, searched and filtered by item name, 男/女 and size, and confirmed with two lines
short and one wrong size through a request of a handful of fields; a retry books nothing twice. The untouched
form (no script) records everything received; bad exceptions name the line and change nothing."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assets.catalog import load_catalog
from assets.models import ItemType
from distribution import services as svc
from distribution.choices import MovementKind, ShipmentStatus
from distribution.models import DiscrepancyCase, Location, Movement, Receipt, ReceiptLine
from tests.distribution.conftest import receive, ship

pytestmark = pytest.mark.django_db

N_ITEMS, N_SIZES = 5, 300  # 5 items × 男/女 × 300 sizes = 3,000 lines


def text(resp) -> str:
    return resp.content.decode()


def visible(html: str) -> str:
    """The page's text as read (tags, attributes, scripts and styles left out)."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


class _Forms(HTMLParser):
    """The fields a browser without scripts would send for each form on the page, by its data-testid."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self._cur = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._cur = self.forms.setdefault(a.get("data-testid", ""), {})
        elif self._cur is not None and tag in ("input", "select", "textarea") and a.get("name"):
            if a.get("type") in ("submit", "file"):
                return
            self._cur[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._cur = None


def forms(resp) -> dict[str, dict]:
    p = _Forms()
    p.feed(text(resp))
    return p.forms


def sizes(n: int) -> list[str]:
    return [f"{150 + i // 10}/{70 + (i % 10) * 2}A" for i in range(n)]


@pytest.fixture
def big(org, province_user):
    """A dispatched shipment province store → Changsha of 3,000 lines (quantities 1–7)."""
    load_catalog()
    items = list(ItemType.objects.filter(size_system="top").order_by("sort_order")[:N_ITEMS])
    assert len(items) == N_ITEMS
    lines = [
        {"item": it.code, "gender": g, "size": s, "quantity": 1 + (n % 7)}
        for it in items
        for g in ("M", "F")
        for n, s in enumerate(sizes(N_SIZES))
    ]
    receive(province_user, org, lines)
    return ship(province_user, org, lines, "430100")


def test_3000_lines_are_shown_500_at_a_time_searched_and_filtered(
    browse, changsha_user, big, django_assert_max_num_queries
):
    c = browse(changsha_user)
    url = f"/distribution/shipments/{big.pk}/"
    with django_assert_max_num_queries(25):
        resp = c.get(url)
    page = text(resp)
    assert resp.status_code == 200
    assert len(resp.content) < 400_000  # well under 1 MB
    assert page.count("<tr data-id=") == 500 and 'data-testid="pager"' in page
    assert "3,000" in visible(page)
    seen = visible(page)
    for code in ItemType.objects.values_list("code", flat=True):
        assert code not in seen
    assert not re.search(r">\s*[MF]\s*<", page)  # never the gender letter in a cell
    item = ItemType.objects.get(pk=big.lines.first().item_id)
    assert item.name_for("M") in seen and "男" in seen

    last = c.get(url, {"page": 6})
    assert text(last).count("<tr data-id=") == 500 and 'rel="next"' not in text(last)
    beyond = c.get(url, {"page": 99})
    assert beyond.status_code == 200 and text(beyond).count("<tr data-id=") == 500

    one = text(c.get(url, {"item": item.code, "gender": "F"}))
    assert one.count("<tr data-id=") == N_SIZES and one.count('data-gender="女"') == 1
    assert 'data-gender="男"' not in one
    named = text(c.get(url, {"q": item.name_zh[:3], "gender": "M"}))
    assert 'data-gender="女"' not in named and f'data-name="{item.name_for("M")}"' in named
    sized = text(c.get(url, {"size": "175/80A"}))
    assert sized.count("<tr data-id=") == N_ITEMS * 2
    assert set(re.findall(r'data-size="([^"]+)"', sized)) == {"175/80A"}
    none = c.get(url, {"q": "没有这个品名"})
    assert none.status_code == 200 and "<tr data-id=" not in text(none)
    assert "没有符合条件的行" in text(none)


def test_3000_lines_confirmed_with_two_short_and_one_wrong_size_then_a_retry_books_nothing(
    browse, org, changsha_user, big
):
    c = browse(changsha_user)
    url = f"/distribution/shipments/{big.pk}/"
    page = c.get(url)
    fields = forms(page)["confirm-form"]
    assert len(fields) < 10  # csrf, exceptions, note — never a field per line
    lines = list(big.lines.select_related("item").order_by("id"))
    a, b, w = lines[10], lines[1500], lines[2999]
    exceptions = [
        {"line": a.pk, "kind": "missing", "quantity": 1, "note": "少一件"},
        {"line": b.pk, "kind": "damaged", "quantity": b.quantity},
        {"line": w.pk, "kind": "wrong_size", "quantity": 1, "size": "190/100A", "note": "错发"},
    ]
    data = {**fields, "step": "review", "exceptions": json.dumps(exceptions)}
    assert len(data) < 50
    review = c.post(url, data)
    assert review.status_code == 200 and not Receipt.objects.exists()
    body = text(review)
    shipped = sum(ln.quantity for ln in lines)
    short = 1 + b.quantity + 1
    assert f'data-testid="summary-shipped">{shipped:,}<' in body
    assert f'data-testid="summary-received">{shipped - short:,}<' in body
    assert f'data-testid="summary-short">{short}<' in body
    assert 'data-testid="summary-excess">1<' in body
    listed = visible(body.split('data-testid="summary-exceptions"')[1].split("</table>")[0])
    for ln in (a, b, w):
        assert ln.item.name_for(ln.gender) in listed and ln.size in listed
    assert "短少" in listed and "损坏" in listed and "错发号型" in listed and "190/100A" in listed
    assert ln.item.code not in listed

    confirm = {**forms(review)["confirm-summary"], "step": "confirm"}
    assert len(confirm) < 50
    done = c.post(url, confirm)
    assert done.status_code == 302
    big.refresh_from_db()
    assert big.status == ShipmentStatus.DISCREPANT
    receipt = Receipt.objects.get(shipment=big)
    assert ReceiptLine.objects.filter(receipt=receipt).count() == 3001  # every line + the size that came
    got = {r.shipment_line_id: r for r in receipt.lines.all() if r.shipment_line_id}
    assert (got[a.pk].short, got[a.pk].reason) == (1, "missing")
    assert (got[b.pk].received, got[b.pk].reason) == (0, "damaged")
    assert (got[w.pk].short, got[w.pk].reason) == (1, "wrong")
    extra = receipt.lines.get(shipment_line__isnull=True)
    assert (extra.item_id, extra.gender, extra.size, extra.excess) == (w.item_id, w.gender, "190/100A", 1)
    cases = DiscrepancyCase.objects.filter(shipment=big).order_by("id")
    assert [(x.size, x.quantity, x.reason) for x in cases] == [
        (a.size, 1, "missing"),
        (b.size, b.quantity, "damaged"),
        (w.size, 1, "wrong"),
    ]
    store = Location.objects.get(key="unit:430100")
    assert svc.balance(store, item=w.item, gender=w.gender, size="190/100A") == {
        (w.item_id, w.gender, "190/100A"): 1
    }
    assert sum(svc.balance(store).values()) == shipped - short + 1
    moves = Movement.objects.filter(doc_type="shipment", doc_id=big.pk)
    counts = {k: moves.filter(kind=k).count() for k in (MovementKind.SHORT, MovementKind.EXCESS)}
    assert counts == {MovementKind.SHORT: 3, MovementKind.EXCESS: 1}
    assert not svc.ledger_verify()

    n = Movement.objects.count()
    again = c.post(url, confirm)  # the same confirmation again (double click, a retry after a time-out)
    assert again.status_code == 302
    assert Movement.objects.count() == n and Receipt.objects.count() == 1 and cases.count() == 3

    result = c.get(url)
    page = text(result)
    assert 'data-testid="receipt"' in page and page.count('data-testid="short-line"') == 3
    assert len(result.content) < 400_000 and "/distribution/cases/" in page


def test_the_untouched_form_without_script_records_everything_received(browse, changsha_user, small):
    c = browse(changsha_user)
    url = f"/distribution/shipments/{small.pk}/"
    untouched = forms(c.get(url))["confirm-form"]
    assert untouched["exceptions"] == ""
    review = c.post(url, {**untouched, "step": "review"})
    assert review.status_code == 200 and 'data-testid="summary-all-received"' in text(review)
    assert 'data-testid="summary-short">0<' in text(review)
    done = c.post(url, {**forms(review)["confirm-summary"], "step": "confirm"})
    assert done.status_code == 302
    small.refresh_from_db()
    assert small.status == ShipmentStatus.RECEIVED and not DiscrepancyCase.objects.exists()
    assert sorted(r.received for r in Receipt.objects.get().lines.all()) == [4, 10]
    assert 'data-testid="all-received"' in text(c.get(url))


@pytest.fixture
def small(org, province_user):
    """A dispatched shipment province store → Changsha of two lines (10 + 4)."""
    load_catalog()
    items = list(ItemType.objects.filter(size_system="top").order_by("sort_order")[:2])
    lines = [
        {"item": items[0].code, "gender": "M", "size": "175/92A", "quantity": 10},
        {"item": items[1].code, "gender": "F", "size": "160/84A", "quantity": 4},
    ]
    receive(province_user, org, lines)
    return ship(province_user, org, lines, "430100")


def post(c, shipment, exceptions, step="review"):
    data = {"step": step, "note": "", "exceptions": exceptions}
    return c.post(f"/distribution/shipments/{shipment.pk}/", data)


@pytest.mark.parametrize("step", ["review", "confirm"])
@pytest.mark.parametrize(
    "exc,code_words",
    [
        ([{"line": 999999, "kind": "missing", "quantity": 1}], ["不在本发运单"]),
        ([{"line": "SECOND", "kind": "missing", "quantity": -1}], ["女", "160/84A", "1–4"]),
        ([{"line": "SECOND", "kind": "missing", "quantity": 5}], ["女", "160/84A", "1–4"]),
        ([{"line": "SECOND", "kind": "lost", "quantity": 1}], ["160/84A", "差异类型"]),
        ([{"line": "SECOND", "kind": "wrong_size", "quantity": 1}], ["160/84A", "实际收到的号型"]),
        ([{"line": "SECOND", "kind": "wrong_size", "quantity": 1, "size": "160/84A"}], ["实际收到的号型"]),
        (
            [
                {"line": "FIRST", "kind": "missing", "quantity": 1},
                {"line": "FIRST", "kind": "excess", "quantity": 1},
            ],
            ["男", "175/92A", "只能标记一项"],
        ),
        ("{not json", ["无法读取"]),
        ('{"line": 1}', ["列表"]),
    ],
)
def test_bad_exceptions_name_the_line_and_change_nothing(browse, changsha_user, small, step, exc, code_words):
    first, second = list(small.lines.select_related("item").order_by("id"))
    if isinstance(exc, list):
        ids = {"FIRST": first.pk, "SECOND": second.pk}
        exc = json.dumps([{**e, "line": ids.get(e["line"], e["line"])} for e in exc])
    resp = post(browse(changsha_user), small, exc, step=step)
    assert resp.status_code == 400
    message = re.search(r'data-testid="confirm-error">([^<]*)<', text(resp)).group(1)
    for word in code_words:
        assert word in message
    if "160/84A" in code_words:
        assert second.item.name_for("F") in message and second.item.code not in message
    assert 'data-testid="confirm-form"' in text(resp)  # back on the form, the marks kept
    small.refresh_from_db()
    assert small.status == ShipmentStatus.DISPATCHED and not Receipt.objects.exists()
    assert not Movement.objects.filter(doc_type="shipment", kind__in=["receipt", "short", "excess"]).exists()


def test_confirm_twice_differently_is_refused(browse, changsha_user, small):
    c = browse(changsha_user)
    first = small.lines.order_by("id").first()
    assert post(c, small, "", step="confirm").status_code == 302
    n = Movement.objects.count()
    other = json.dumps([{"line": first.pk, "kind": "missing", "quantity": 1}])
    resp = post(c, small, other, step="confirm")
    assert resp.status_code == 409 and "已签收" in text(resp)
    assert Movement.objects.count() == n and not DiscrepancyCase.objects.exists()
    assert post(c, small, other, step="review").status_code == 302  # nothing left to review


def test_other_city_gets_404_and_auditor_403(browse, zhuzhou_user, auditor_user, small):
    url = f"/distribution/shipments/{small.pk}/"
    assert browse(zhuzhou_user).get(url).status_code == 404
    for step in ("review", "confirm"):
        assert post(browse(zhuzhou_user), small, "", step=step).status_code == 404
        assert post(browse(auditor_user), small, "", step=step).status_code == 403
    page = text(browse(auditor_user).get(url))
    assert 'data-testid="confirm-form"' not in page and 'class="mark"' not in page
    assert "<tr data-id=" in page  # the auditor reads the lines
    assert not Receipt.objects.exists()


def test_english_page_shows_english_names(browse, changsha_user, small):
    c = browse(changsha_user)
    c.post(reverse("set_language"), {"language": "en"})
    page = visible(text(c.get(f"/distribution/shipments/{small.pk}/")))
    item = ItemType.objects.get(pk=small.lines.order_by("id").first().item_id)
    assert item.name_en in page and "women" in page.lower() and "Lines shipped" in page
