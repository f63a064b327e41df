"""County issue with the store short: what is in stock goes out (officers in name order first), the rest
stays outstanding and is listed by officer, item name, size and reason — at the service, the API and the
kits page alike; a retried request issues nothing twice; other counties see nothing."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import translation

from assets.models import ItemType
from core.models import ChangeRecord
from distribution import selectors as sel
from distribution import services as svc
from distribution.models import IssueRecord, Movement, StockBalance
from tests.personnel.factories import OfficerFactory

from .conftest import bring_to_county, kit_lines

CAP = "CAP-PEAKED"


@pytest.fixture
def short_county(org, catalog, province_user, changsha_user, county_user):
    """长沙县 with four officers (李A…李D by name; 李D made to measure: chest 110 − waist 76) and the kits of
    two of them, but a single peaked cap."""
    a, b, c = (OfficerFactory(unit=org["430121"], name=f"李{x}") for x in "ABC")
    d = OfficerFactory(unit=org["430121"], name="李D", chest_cm=110)
    lines = kit_lines(a, 2)
    for ln in lines:
        if ln["item"] == CAP:
            ln["quantity"] = 1
    bring_to_county(org, province_user, changsha_user, county_user, lines)
    return {"unit": org["430121"], "A": a, "B": b, "C": c, "D": d, "lines": lines}


def owed(res, officer, reason=None):
    return {
        r["item"]: r
        for r in res["outstanding"]
        if r["officer_id"] == officer.pk and reason in (None, r["reason"])
    }


def issued_to(officer) -> dict:
    return {(c["item"], c["size"]): c["quantity"] for c in sel.kit_card(officer)}


def test_short_store_issues_what_it_holds_in_name_order_and_lists_the_rest(short_county, county_user):
    w = short_county
    res = svc.kit_issue(actor=county_user, unit=w["unit"])
    # 李A and 李B get the two kits; 李A first, so the only cap is his
    assert res["officers"] == 2
    assert issued_to(w["A"])[(CAP, "57")] == 1 and (CAP, "57") not in issued_to(w["B"])
    assert issued_to(w["B"])[("DRESS-JACKET", "175/92A")] == 1
    assert not Movement.objects.filter(kind="issue", to_location__officer=w["C"]).exists()
    # what 李B lacks is named and explained
    cap = owed(res, w["B"], "short")[CAP]
    assert cap["item_name"] == "大檐帽" and cap["size"] == "57" and cap["quantity"] == 1
    assert cap["reason_text"] == "库存不足" and cap["officer"] == "李B"
    assert set(owed(res, w["B"], "short")) == {CAP}
    # badge-number items wait for a number, for everybody
    assert set(owed(res, w["A"])) == {"INS-NUMBER-HARD", "INS-NUMBER-SOFT"}
    assert owed(res, w["A"])["INS-NUMBER-HARD"]["reason_text"] == "未分配胸号"
    # 李C: the whole kit is short; 李D's garments are made to measure, named as such
    assert "DRESS-JACKET" in owed(res, w["C"], "short")
    mtm = owed(res, w["D"], "mtm")
    assert {"DRESS-JACKET", "TROUSERS"} <= set(mtm)
    jacket = mtm["DRESS-JACKET"]
    assert jacket["item_name"] == "常服上衣（男）" and jacket["size"] is None
    assert jacket["reason_text"] == "量体定制" and jacket["officer"] == "李D"
    # per item × size, what the store lacked, in the user's words
    short = {(s["item"], s["size"]): s for s in res["short"]}
    assert short[(CAP, "57")]["available"] == 1 and short[(CAP, "57")]["needed"] == 4
    assert short[(CAP, "57")]["message"] == "大檐帽57号 库存 1 顶，需 4 顶"
    assert short[("DRESS-TROUSERS", "175/76A")]["message"].endswith("库存 2 条，需 3 条")
    # the store is empty of what went out, nothing overdrawn, the ledger holds
    store = svc.unit_location(w["unit"])
    assert StockBalance.objects.get(location=store, item__code=CAP).quantity == 0
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    assert res["quantity"] == sum(m.quantity for m in Movement.objects.filter(kind="issue"))
    assert svc.ledger_verify() == []
    # each officer who got something signed once, and the record says who issued
    recs = IssueRecord.objects.filter(unit=w["unit"])
    assert set(recs.values_list("officer__name", flat=True)) == {"李A", "李B"}
    changes = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(IssueRecord), object_id__in=[str(r.pk) for r in recs]
    )
    assert changes.count() == 2 and set(changes.values_list("actor_id", flat=True)) == {county_user.pk}
    assert sorted(c.changes["outstanding"][1] for c in changes) == [2, 3]  # the badges; 李B also the cap
    assert all(m.actor_id == county_user.pk for m in Movement.objects.filter(kind="issue"))


def test_outstanding_stays_reachable_and_a_repeat_issues_nothing_more(short_county, county_user):
    w = short_county
    first = svc.kit_issue(actor=county_user, unit=w["unit"])
    n = Movement.objects.filter(kind="issue").count()
    preview = sel.issue_preview(county_user, w["unit"])
    assert preview.issue == [] and len(preview.outstanding) == len(first["outstanding"])
    assert {(ln.officer.pk, ln.item.code, ln.reason) for ln in preview.outstanding} == {
        (r["officer_id"], r["item"], r["reason"]) for r in first["outstanding"]
    }
    again = svc.kit_issue(actor=county_user, unit=w["unit"])
    assert again["quantity"] == 0 and again["officers"] == 0
    assert Movement.objects.filter(kind="issue").count() == n
    assert again["outstanding"] == first["outstanding"]
    # kit_status names the missing items with their reasons too
    st = sel.kit_status([w["D"]])[w["D"].pk]["missing"]
    jacket = next(m for m in st if m["item"] == "DRESS-JACKET")
    assert (
        jacket["reason"] == "mtm"
        and jacket["reason_text"] == "量体定制"
        and jacket["name"] == "常服上衣（男）"
    )


def test_a_retried_request_with_its_key_gets_the_first_answer(short_county, county_user):
    w = short_county

    def issue():
        return svc.idempotent(
            actor=county_user,
            key="retry-1",
            action="kit_issue",
            payload={"unit": w["unit"].code},
            fn=lambda: svc.kit_issue(actor=county_user, unit=w["unit"]),
        )

    first = issue()
    n = Movement.objects.filter(kind="issue").count()
    again = issue()
    assert again == first and first["officers"] == 2
    assert Movement.objects.filter(kind="issue").count() == n and IssueRecord.objects.count() == 2


def test_a_missing_measurement_is_named(org, catalog, province_user, changsha_user, county_user):
    o = OfficerFactory(unit=org["430121"], head_cm=None)
    bring_to_county(org, province_user, changsha_user, county_user, kit_lines(OfficerFactory.build()))
    res = svc.kit_issue(actor=county_user, unit=org["430121"])
    cap = owed(res, o, "missing")[CAP]
    assert cap["reason_text"] == "缺少测量：头围" and cap["size"] is None
    assert ("DRESS-JACKET", "175/92A") in issued_to(o)
    with translation.override("en"):
        line = sel.issue_preview(county_user, org["430121"]).outstanding
        cap = next(ln for ln in line if ln.item.code == CAP and ln.officer.pk == o.pk)
        assert cap.as_dict()["reason_text"] == "measurements missing: head"
        assert cap.as_dict()["item_name"].endswith("(men's)")


def test_short_message_in_english(short_county, county_user):
    with translation.override("en"):
        res = svc.kit_issue(actor=county_user, unit=short_county["unit"])
    msg = next(s["message"] for s in res["short"] if s["item"] == CAP)
    assert msg.endswith(", size 57: 1 in stock, 4 needed") and "库存" not in msg and CAP not in msg


# ---- the API door ----------------------------------------------------------------------------------------


def test_api_answers_the_same_partial_result_and_retries_once(api, short_county, county_user, make_user):
    w = short_county
    cu = api.as_(county_user)
    url = "/distribution/units/430121/issue"
    r = cu.post(url, {}, headers={"Idempotency-Key": "api-1"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["officers"] == 2 and body["quantity"] > 0
    cap = owed(body, w["B"], "short")[CAP]
    assert cap == {
        "officer_id": w["B"].pk,
        "officer": "李B",
        "item": CAP,
        "item_name": "大檐帽",
        "gender": "M",
        "size": "57",
        "quantity": 1,
        "reason": "short",
        "reason_text": "库存不足",
    }
    assert owed(body, w["D"], "mtm")["DRESS-JACKET"]["item"] == "DRESS-JACKET"
    n = Movement.objects.filter(kind="issue").count()
    again = cu.post(url, {}, headers={"Idempotency-Key": "api-1"})
    assert again.json() == body and Movement.objects.filter(kind="issue").count() == n
    other = cu.post(url, {"officer_ids": [w["C"].pk]}, headers={"Idempotency-Key": "api-1"})
    assert other.status_code == 409
    # the unit's outstanding, later, from kit-status
    status = cu.get("/distribution/units/430121/kit-status").json()
    d = next(i for i in status["items"] if i["officer_id"] == w["D"].pk)
    assert any(m["item"] == "DRESS-JACKET" and m["reason"] == "mtm" for m in d["missing"])
    # a county user of another county sees nothing of it
    wangcheng = make_user("county", "430112")
    assert api.as_(wangcheng).post(url, {}).status_code == 404
    assert api.as_(wangcheng).get("/distribution/units/430121/kit-status").status_code == 404
    assert Movement.objects.filter(kind="issue").count() == n


# ---- the kits page ---------------------------------------------------------------------------------------

RAW = re.compile(r"\?mtm|\?missing|mtm×|×\d")


def visible(html: str) -> str:
    """The page's text as users read it: no tags, attributes, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_named(html: str):
    text = visible(html)
    codes = [c for c in ItemType.objects.values_list("code", flat=True) if c in text]
    assert codes == [], codes
    assert not re.search(r"\b[A-Z]{2,}-[A-Z]", text), re.search(r"\b[A-Z]{2,}-[A-Z].{0,20}", text)
    assert not RAW.search(text) and not re.search(r"[>\s](M|F)[<\s]", html.split("<main", 1)[-1])


def test_kits_page_previews_issues_and_lists_what_is_outstanding_by_name(short_county, county_user):
    w = short_county
    c = Client()
    c.force_login(county_user)
    url = "/distribution/kits/?unit=430121"
    before = c.get(url).content.decode()
    assert 'data-testid="issue-preview"' in before
    assert "大檐帽57号 库存 1 顶，需 4 顶" in before  # what is short, in the user's words
    assert "量体定制" in before and "李D" in before
    assert_named(before)
    key = re.search(r'name="key" value="([0-9a-f]+)"', before)[1]
    resp = c.post(url, {"key": key})
    assert resp.status_code == 302 and f"result={key}" in resp["Location"]
    n = Movement.objects.filter(kind="issue").count()
    assert n > 0 and IssueRecord.objects.count() == 2
    page = c.get(resp["Location"]).content.decode()
    assert 'data-testid="issue-result"' in page and "已发放" in page
    result = page.split('data-testid="result-outstanding"', 1)[1].split("</table>", 1)[0]
    assert "李B" in result and "大檐帽" in result and "库存不足" in result
    assert "李D" in result and "常服上衣（男）" in result and "量体定制" in result
    assert_named(page)
    # a resend of the same form issues nothing twice
    resent = c.post(url, {"key": key}, follow=True)
    assert resent.status_code == 200 and Movement.objects.filter(kind="issue").count() == n
    assert IssueRecord.objects.count() == 2
    # the outstanding list is there afterwards, without the result
    later = c.get(url).content.decode()
    table = later.split('data-testid="outstanding-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr") - 1 == len(sel.issue_preview(county_user, w["unit"]).outstanding)
    assert "李C" in table and "未分配胸号" in table
    assert_named(later)


def test_kits_page_of_another_county_is_404(short_county, make_user, auditor_user):
    wangcheng = make_user("county", "430112")
    c = Client()
    c.force_login(wangcheng)
    url = "/distribution/kits/?unit=430121"
    assert c.get(url).status_code == 404
    assert c.post(url, {"key": "x1"}).status_code == 404
    a = Client()
    a.force_login(auditor_user)
    page = a.get(url)
    assert page.status_code == 200 and 'data-testid="issue-all"' not in page.content.decode()
    assert a.post(url, {"key": "x2"}).status_code == 403
    assert not Movement.objects.filter(kind="issue").exists()


def test_officer_page_names_made_to_measure_and_what_was_not_issued(short_county, county_user):
    d = short_county["D"]
    c = Client()
    c.force_login(county_user)
    url = f"/distribution/officers/{d.pk}/"
    page = c.get(url).content.decode()
    assert "量体定制" in page and ">mtm<" not in page
    done = c.post(url, {"action": "issue"}, follow=True).content.decode()
    msg = done.split('class="msg-success"', 1)[1].split("</li>", 1)[0]
    assert "已发放" in msg and "常服上衣（男）（量体定制）" in msg and "大檐帽57号（库存不足）" not in msg
    assert_named(done)


def test_a_refused_exchange_says_what_is_short_by_name(short_county, county_user):
    a = short_county["A"]
    svc.kit_issue(actor=county_user, unit=short_county["unit"], officers=[a])
    with pytest.raises(svc.QMError) as e:
        svc.kit_exchange(actor=county_user, officer=a, item=CAP, from_size="57", to_size="58")
    assert e.value.code == "insufficient_stock"
    assert e.value.message == "库存不足（长沙县交通运输综合行政执法大队）：大檐帽58号 库存 0 顶，需 1 顶"
    assert e.value.details["rows"][0]["item"] == CAP  # the details keep the codes


def test_kits_page_queries_do_not_grow_with_the_officers(short_county, county_user, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = Client()
    c.force_login(county_user)
    url = "/distribution/kits/?unit=430121"
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    for i in range(15):
        OfficerFactory(unit=org["430121"], name=f"王{i:02d}", head_cm=None if i % 3 else 57)
    with CaptureQueriesContext(connection) as many:
        page = c.get(url)
    assert page.status_code == 200 and page.content.decode().count('data-officer="') >= 19
    assert len(many.captured_queries) == len(few.captured_queries) <= 40, [
        q["sql"][:120] for q in many.captured_queries
    ]


def test_api_answer_follows_the_request_language(api, short_county, county_user):
    body = (
        api.as_(county_user)
        .post("/distribution/units/430121/issue", {}, headers={"Accept-Language": "en"})
        .json()
    )
    cap = owed(body, short_county["B"], "short")[CAP]
    assert cap["item"] == CAP and cap["reason"] == "short"  # codes stay codes
    assert cap["reason_text"] == "Not enough stock" and cap["item_name"] == "peaked cap (men's)"
    msg = next(s["message"] for s in body["short"] if s["item"] == CAP)
    assert msg == "peaked cap (men's), size 57: 1 in stock, 4 needed"
