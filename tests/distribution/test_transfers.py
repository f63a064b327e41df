"""Transfers city → county (distribution/transfers.py): the suggestion from the allocation plan or the roll,
what has been shipped already taken off, the user's few changes, create and dispatch in one transaction,
stock checks named in words, scope, the API door and the page door."""

import json
import re

import pytest

from assets.models import ItemType
from core.errors import QMError
from distribution import services as svc
from distribution import transfers
from distribution.choices import ShipmentStatus
from distribution.models import Shipment, StockBalance
from tests.distribution.conftest import confirm_all, kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def changsha_store(org, province_user, changsha_user, officers):
    """Changsha's store holding 5 full kits (the fixture's 3 officers in 长沙县 need 3), confirmed received."""
    lines = kit_lines(officers[0], 5)
    receive(province_user, org, lines, doc="YS-T")
    confirm_all(changsha_user, ship(province_user, org, lines, "430100"))
    return {(ln["item"], ln["gender"], ln["size"]): ln["quantity"] for ln in lines}


def _by_key(s) -> dict:
    return {ln.key: ln for ln in s.lines}


def _raises(code, fn, *args, **kwargs) -> QMError:
    with pytest.raises(QMError) as e:
        fn(*args, **kwargs)
    assert e.value.code == code, e.value.message
    return e.value


def test_roll_suggestion_is_the_county_kits_filled_from_the_city(
    org, changsha_user, officers, changsha_store
):
    s = transfers.suggestion(changsha_user, org["430100"], org["430121"])
    assert s.basis == transfers.ROLL and s.plan is None
    kit = {(ln["item"], ln["gender"], ln["size"]): ln["quantity"] for ln in kit_lines(officers[0], 3)}
    got = {k: ln.still_needed for k, ln in _by_key(s).items()}
    assert got == kit
    assert all(ln.quantity == ln.still_needed and ln.in_stock == changsha_store[ln.key] for ln in s.lines)
    assert s.short == 0 and s.total == sum(kit.values())


def test_dispatch_sends_the_suggestion_and_what_was_sent_is_no_longer_needed(
    org, changsha_user, officers, changsha_store
):
    s = transfers.suggestion(changsha_user, org["430100"], org["430121"])
    shipment = transfers.transfer_dispatch(
        actor=changsha_user, city=org["430100"], county=org["430121"], expect=s.digest, note="第一批"
    )
    assert shipment.status == ShipmentStatus.DISPATCHED and shipment.to_unit.code == "430121"
    sent = {(ln.item.code, ln.gender, ln.size): ln.quantity for ln in shipment.lines.select_related("item")}
    assert sent == {ln.key: ln.quantity for ln in s.lines}
    left = StockBalance.objects.filter(location__key="unit:430100")
    assert sum(b.quantity for b in left) == sum(changsha_store.values()) - s.total
    again = transfers.suggestion(changsha_user, org["430100"], org["430121"])
    assert again.lines == [] and again.still_needed == 0
    _raises(
        "no_lines", transfers.transfer_dispatch, actor=changsha_user, city=org["430100"], county=org["430121"]
    )
    assert Shipment.objects.filter(to_unit__code="430121").count() == 1


def test_plan_is_the_basis_once_approved(org, province_user, changsha_user, officers, changsha_store):
    rows = [
        {"city_code": "430100", "item_code": i, "gender": g, "size": sz, "quantity": q}
        for (i, g, sz), q in changsha_store.items()
    ]
    plan = svc.plan_build(actor=province_user, city=org["430100"], rows=rows, spare_share="0")
    svc.plan_approve(actor=province_user, plan=plan)
    OfficerFactory(unit=org["430121"])  # joins after the plan: the plan, not the roll, is what is sent
    s = transfers.suggestion(changsha_user, org["430100"], org["430121"])
    assert s.basis == transfers.PLAN and s.plan.pk == plan.pk
    kit3 = {(ln["item"], ln["gender"], ln["size"]): ln["quantity"] for ln in kit_lines(officers[0], 3)}
    assert {k: ln.still_needed for k, ln in _by_key(s).items()} == kit3


def test_short_in_the_city_is_counted_not_sent(org, province_user, changsha_user, officers):
    lines = kit_lines(officers[0], 1)  # one kit in store, three needed
    receive(province_user, org, lines, doc="YS-S")
    confirm_all(changsha_user, ship(province_user, org, lines, "430100"))
    s = transfers.suggestion(changsha_user, org["430100"], org["430121"])
    assert all(ln.quantity == ln.in_stock < ln.still_needed for ln in s.lines)
    assert s.short == s.still_needed - s.total > 0


def test_changes_set_drop_and_add_lines(org, province_user, changsha_user, officers, changsha_store):
    s = transfers.suggestion(changsha_user, org["430100"], org["430121"])
    first, second = s.lines[0], s.lines[1]
    extra = {"item": first.item.code, "gender": "F" if first.gender == "M" else "M", "size": first.size}
    receive(province_user, org, [{**extra, "quantity": 2}], doc="YS-X")
    confirm_all(changsha_user, ship(province_user, org, [{**extra, "quantity": 2}], "430100"))
    changes = [
        {"item": first.item.code, "gender": first.gender, "size": first.size, "quantity": 1},
        {"item": second.item.code, "gender": second.gender, "size": second.size, "quantity": 0},
        {**extra, "quantity": 2},
    ]
    shipment = transfers.transfer_dispatch(
        actor=changsha_user, city=org["430100"], county=org["430121"], changes=changes
    )
    sent = {(ln.item.code, ln.gender, ln.size): ln.quantity for ln in shipment.lines.select_related("item")}
    assert sent[first.key] == 1
    assert second.key not in sent
    assert sent[(extra["item"], extra["gender"], extra["size"])] == 2
    assert len(sent) == len(s.lines) - 1 + 1


def test_more_than_in_store_is_refused_in_words_and_sends_nothing(
    org, changsha_user, officers, changsha_store
):
    s = transfers.suggestion(changsha_user, org["430100"], org["430121"])
    ln = s.lines[0]
    err = _raises(
        "insufficient_stock",
        transfers.transfer_dispatch,
        actor=changsha_user,
        city=org["430100"],
        county=org["430121"],
        changes=[{"item": ln.item.code, "gender": ln.gender, "size": ln.size, "quantity": ln.in_stock + 1}],
    )
    assert ln.item.name_for(ln.gender) in err.message and str(ln.in_stock) in err.message
    assert ln.item.code not in err.message and " M " not in err.message
    assert err.details["row"] == 1 and err.details["field"] == "quantity"
    assert not Shipment.objects.filter(to_unit__code="430121").exists()


def test_bad_changes_name_the_row_and_field(org, changsha_user, officers, changsha_store):
    ln = transfers.suggestion(changsha_user, org["430100"], org["430121"]).lines[0]
    ok = {"item": ln.item.code, "gender": ln.gender, "size": ln.size, "quantity": 1}
    e = _raises(
        "bad_item",
        transfers.transfer_dispatch,
        actor=changsha_user,
        city=org["430100"],
        county=org["430121"],
        changes=[ok, {**ok, "item": "NOPE"}],
    )
    assert e.details == {"row": 2, "field": "item"}
    _raises(
        "duplicate_change",
        transfers.transfer_dispatch,
        actor=changsha_user,
        city=org["430100"],
        county=org["430121"],
        changes=[ok, ok],
    )
    _raises(
        "bad_changes",
        transfers.transfer_dispatch,
        actor=changsha_user,
        city=org["430100"],
        county=org["430121"],
        changes="{not json",
    )
    assert not Shipment.objects.filter(to_unit__code="430121").exists()


def test_a_suggestion_that_moved_is_not_sent_unseen(org, changsha_user, officers, changsha_store):
    seen = transfers.suggestion(changsha_user, org["430100"], org["430121"]).digest
    OfficerFactory(unit=org["430121"])  # the county's need grows before the user submits
    _raises(
        "suggestion_changed",
        transfers.transfer_dispatch,
        actor=changsha_user,
        city=org["430100"],
        county=org["430121"],
        expect=seen,
    )
    assert not Shipment.objects.filter(to_unit__code="430121").exists()


def test_route_and_roles(
    org, changsha_user, zhuzhou_user, county_user, auditor_user, officers, changsha_store
):
    from core.errors import NotFound

    with pytest.raises(NotFound):
        transfers.suggestion(zhuzhou_user, org["430100"], org["430121"])
    with pytest.raises(NotFound):  # a county does not see its city's store
        transfers.transfer_dispatch(actor=county_user, city=org["430100"], county=org["430121"])
    _raises(
        "forbidden", transfers.transfer_dispatch, actor=auditor_user, city=org["430100"], county=org["430121"]
    )
    _raises("bad_route", transfers.suggestion, changsha_user, org["430100"], org["430200"])
    _raises("bad_route", transfers.suggestion, changsha_user, org["430121"], org["430121"])


# ---- the API door ---------------------------------------------------------------------------------------------


def test_api_suggestion_and_transfer_idempotent(
    api, org, changsha_user, zhuzhou_user, officers, changsha_store
):
    c = api.as_(changsha_user)
    r = c.get("/distribution/transfers/suggestion", {"from_unit": "430100", "to_unit": "430121"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["basis"] == "roll" and body["lines"] and body["quantity"] == body["still_needed"]
    first = body["lines"][0]
    assert first["item_name"] == ItemType.objects.get(code=first["item_code"]).name_for(first["gender"])
    payload = {
        "from_unit": "430100",
        "to_unit": "430121",
        "expect": body["digest"],
        "changes": [{**{k: first[k] for k in ("gender", "size")}, "item": first["item_code"], "quantity": 1}],
    }
    one = c.post("/distribution/transfers", payload, HTTP_IDEMPOTENCY_KEY="t-1")
    two = c.post("/distribution/transfers", payload, HTTP_IDEMPOTENCY_KEY="t-1")
    assert one.status_code == 200, one.content
    assert one.json()["id"] == two.json()["id"] and one.json()["status"] == "dispatched"
    assert Shipment.objects.filter(to_unit__code="430121").count() == 1
    assert c.post("/distribution/transfers", payload).status_code == 409  # the suggestion moved
    other = api.as_(zhuzhou_user).post("/distribution/transfers", {**payload, "expect": ""})
    assert other.status_code == 404


def test_api_exact_lines(api, org, changsha_user, officers, changsha_store):
    (item, gender, size), _q = next(iter(changsha_store.items()))
    r = api.as_(changsha_user).post(
        "/distribution/transfers",
        {
            "from_unit": "430100",
            "to_unit": "430121",
            "lines": [{"item": item, "gender": gender, "size": size, "quantity": 2}],
        },
    )
    assert r.status_code == 200, r.content
    assert [(ln["item"], ln["quantity"]) for ln in r.json()["lines"]] == [(item, 2)]


# ---- the page door --------------------------------------------------------------------------------------------


def _named_fields(html: str) -> set[str]:
    form = html[html.index('id="transfer-form"') :]
    form = form[: form.index("</form>")]
    return set(re.findall(r'name="([^"]+)"', form))


def test_page_fills_by_name_and_posts_only_changes(browse, org, changsha_user, officers, changsha_store):
    c = browse(changsha_user)
    assert 'data-testid="transfer-pick"' in c.get("/distribution/transfer/").content.decode()
    page = c.get("/distribution/transfer/", {"city": "430100", "to_unit": "430121"}).content.decode()
    s = transfers.suggestion(changsha_user, org["430100"], org["430121"])
    assert page.count('<tr data-item="') == len(s.lines) > 20
    # grouped by item and cut: one heading each, its totals the sum of its lines, every line in one group
    groups = s.groups
    assert (
        page.count('data-testid="transfer-group"')
        == len(groups)
        == len({(ln.item.code, ln.gender) for ln in s.lines})
    )
    assert sum(len(g["lines"]) for g in groups) == len(s.lines)
    assert all(g["quantity"] == sum(ln.quantity for ln in g["lines"]) for g in groups)
    assert all(g["still_needed"] == sum(ln.still_needed for ln in g["lines"]) for g in groups)
    assert f"{groups[0]['name']} · {groups[0]['gender_name']}" in page
    # a field per line would hit Django's field limit on a big store: the form has a fixed handful
    assert _named_fields(page) <= {
        "csrfmiddlewaretoken", "city", "to_unit", "token", "expect", "changes",
        "add_item", "add_gender", "add_size", "add_qty", "note",
    }  # fmt: skip
    visible = re.sub(r"<[^>]+>", " ", page)
    assert s.lines[0].item.name_for(s.lines[0].gender) in visible
    assert not re.search(r"\b[A-Z]{2,}-[A-Z-]+\b", visible)  # no item codes where names belong
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    ln = s.lines[0]
    post = {
        "city": "430100",
        "to_unit": "430121",
        "token": token,
        "expect": s.digest,
        "changes": json.dumps([{"item": ln.item.code, "gender": ln.gender, "size": ln.size, "quantity": 1}]),
    }
    done = c.post("/distribution/transfer/", post)
    assert done.status_code == 302
    again = c.post("/distribution/transfer/", post)  # a double submit: the same shipment, not a second
    assert again.status_code == 302 and again["Location"] == done["Location"]
    shipment = Shipment.objects.get(to_unit__code="430121")
    assert shipment.lines.get(item=ln.item, gender=ln.gender, size=ln.size).quantity == 1
    assert sum(x.quantity for x in shipment.lines.all()) == s.total - ln.quantity + 1


def test_page_untouched_form_sends_the_suggestion_and_errors_say_why(
    browse, org, changsha_user, officers, changsha_store
):
    c = browse(changsha_user)
    s = transfers.suggestion(changsha_user, org["430100"], org["430121"])
    no_county = c.post("/distribution/transfer/", {"city": "430100", "to_unit": ""})
    assert no_county.status_code == 400 and "县级" in no_county.content.decode()
    ln = s.lines[0]
    too_much = c.post(
        "/distribution/transfer/",
        {
            "city": "430100",
            "to_unit": "430121",
            "add_item": ln.item.code,
            "add_gender": ln.gender,
            "add_size": ln.size,
            "add_qty": str(ln.in_stock + 5),
        },
    )
    html = too_much.content.decode()
    assert too_much.status_code == 409 and 'data-testid="transfer-error"' in html and "本市库存" in html
    assert not Shipment.objects.filter(to_unit__code="430121").exists()
    ok = c.post("/distribution/transfer/", {"city": "430100", "to_unit": "430121", "expect": s.digest})
    assert ok.status_code == 302
    assert sum(x.quantity for x in Shipment.objects.get(to_unit__code="430121").lines.all()) == s.total
