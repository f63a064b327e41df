import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.errors import QMError
from distribution import selectors as sel
from distribution import services as svc
from distribution.choices import RecoveryStatus, StocktakeStatus
from distribution.models import BadgeNumber, BadgeSequence, IssueRecord, Movement, RecoveryTask, StockBalance
from personnel.services import officer_set_status, officer_transfer
from tests.personnel.factories import OfficerFactory

from .conftest import BOTTOM, TOP, bring_to_county


def held(officer):
    return {(c["item"], c["size"]): c["quantity"] for c in sel.kit_card(officer)}


def test_issue_whole_unit_gives_the_kit_and_skips_badges_without_numbers(
    org, county_user, officers, stocked_county
):
    res = svc.kit_issue(actor=county_user, unit=stocked_county)
    assert res["officers"] == 3
    assert {s["item"] for s in res["skipped"]} == {"INS-NUMBER-HARD", "INS-NUMBER-SOFT"}
    card = held(officers[0])
    assert (
        card[("DRESS-JACKET", TOP)] == 1
        and card[("TROUSERS", BOTTOM)] == 2
        and card[("SHOES-LEATHER", "255")] == 1
    )
    assert IssueRecord.objects.filter(unit=stocked_county).count() == 3
    status = sel.kit_status(officers)
    assert not status[officers[0].pk]["complete"]
    assert {m["item"] for m in status[officers[0].pk]["missing"]} == {"INS-NUMBER-HARD", "INS-NUMBER-SOFT"}
    # a repeat issues nothing more
    again = svc.kit_issue(actor=county_user, unit=stocked_county)
    assert again["quantity"] == 0 and again["officers"] == 0
    # badges: numbers then the badge items
    assert svc.badge_assign(actor=None, unit=stocked_county) == 3
    svc.kit_issue(actor=county_user, unit=stocked_county)
    assert sel.kit_status(officers)[officers[0].pk] == {"complete": True, "missing": []}
    card = sel.kit_card(officers[0])
    jacket = next(c for c in card if c["item"] == "DRESS-JACKET")
    today = timezone.localdate()
    assert jacket["issued_on"] == today and jacket["due_on"] == today.replace(year=today.year + 4)
    assert svc.ledger_verify() == []


def test_never_more_than_the_unit_holds(org, county_user, officers, stocked_county):
    """A fourth officer and stock for three: the store is emptied, nothing is overdrawn, the rest is owed."""
    extra = OfficerFactory(unit=org["430121"], name="赵末")  # sorts after 测试… (code point): gets stock last
    res = svc.kit_issue(actor=county_user, unit=stocked_county)
    assert res["officers"] == 3
    assert not Movement.objects.filter(kind="issue", to_location__officer=extra).exists()
    owed = {r["item"] for r in res["outstanding"] if r["officer_id"] == extra.pk and r["reason"] == "short"}
    assert {"DRESS-JACKET", "TROUSERS", "INS-TIE"} <= owed
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    assert svc.ledger_verify() == []


def test_issue_size_override_and_errors(
    org, county_user, changsha_user, zhuzhou_user, officers, stocked_county
):
    o = officers[0]
    # the store holds no 180/96A: that jacket stays owed, the rest of the kit goes out
    res = svc.kit_issue(
        actor=county_user, unit=stocked_county, officers=[o], sizes={o.pk: {"DRESS-JACKET": "180/96A"}}
    )
    assert [(r["item"], r["size"], r["reason"]) for r in res["outstanding"] if r["reason"] == "short"] == [
        ("DRESS-JACKET", "180/96A", "short")
    ]
    assert held(o).get(("DRESS-JACKET", TOP)) is None and held(o)[("TROUSERS", BOTTOM)] == 2
    with pytest.raises(QMError) as e:
        svc.kit_issue(actor=county_user, unit=stocked_county, officers=[o], sizes={o.pk: {"NOPE": "1"}})
    assert e.value.code == "bad_item"
    with pytest.raises(QMError) as e:
        svc.kit_issue(actor=county_user, unit=stocked_county, signature="sheet")
    assert e.value.code == "sheet_required"
    with pytest.raises(QMError) as e:
        svc.kit_issue(
            actor=county_user, unit=stocked_county, signed_on=timezone.localdate() + datetime.timedelta(1)
        )
    assert e.value.code == "bad_date"
    with pytest.raises(QMError) as e:
        svc.kit_issue(actor=county_user, unit=stocked_county, signature="thumb")
    assert e.value.code == "bad_signature"
    other = OfficerFactory(unit=org["430100"])
    with pytest.raises(QMError) as e:
        svc.kit_issue(actor=county_user, unit=stocked_county, officers=[other])
    assert e.value.code == "not_eligible"
    with pytest.raises(QMError) as e:
        svc.kit_issue(actor=zhuzhou_user, unit=stocked_county)
    assert e.value.status == 404
    sheet = SimpleUploadedFile("签领表.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    res = svc.kit_issue(
        actor=changsha_user, unit=stocked_county, officers=[officers[1]], signature="sheet", sheet=sheet
    )
    assert res["officers"] == 1
    rec = IssueRecord.objects.get(officer=officers[1])
    assert rec.signature == "sheet" and rec.sheet.name.endswith(".pdf")
    assert Movement.objects.filter(kind="issue", to_location__officer=officers[1]).count() == res["lines"]


def test_exchange_and_return(org, county_user, officers, stocked_county):
    o = officers[0]
    svc.kit_issue(actor=county_user, unit=stocked_county, officers=[o])
    with pytest.raises(QMError) as e:  # nothing of that size in store
        svc.kit_exchange(actor=county_user, officer=o, item="DRESS-JACKET", from_size=TOP, to_size="180/96A")
    assert e.value.code == "insufficient_stock"
    with pytest.raises(QMError) as e:
        svc.kit_exchange(actor=county_user, officer=o, item="DRESS-JACKET", from_size=TOP, to_size=TOP)
    assert e.value.code == "same_size"
    with pytest.raises(QMError) as e:  # does not hold 170/88A
        svc.kit_exchange(actor=county_user, officer=o, item="DRESS-JACKET", from_size="170/88A", to_size=TOP)
    assert e.value.code == "insufficient_stock"
    # store gets a 180/96A via a stocktake surplus, then the exchange works
    st = svc.stocktake_submit(
        actor=county_user,
        unit=stocked_county,
        lines=[
            {"item": "DRESS-JACKET", "gender": "M", "size": "180/96A", "counted": 1, "reason": "盘盈 found"}
        ],
    )
    svc.stocktake_decide(actor=svc_user(org), stocktake=st, approve=True)
    svc.kit_exchange(actor=county_user, officer=o, item="DRESS-JACKET", from_size=TOP, to_size="180/96A")
    card = held(o)
    assert card.get(("DRESS-JACKET", TOP)) is None and card[("DRESS-JACKET", "180/96A")] == 1
    svc.kit_return(actor=county_user, officer=o, lines=[{"item": "INS-TIE", "size": "-", "quantity": 2}])
    assert held(o).get(("INS-TIE", "-")) is None
    with pytest.raises(QMError) as e:
        svc.kit_return(actor=county_user, officer=o, lines=[{"item": "INS-TIE", "size": "-", "quantity": 1}])
    assert e.value.code == "insufficient_stock"
    assert svc.ledger_verify() == []


def svc_user(org):
    from personnel.services import account_create

    return account_create(
        actor=None, username="cs-approver", password="pw-test-123", unit=org["430100"], role="city"
    )


def test_badge_numbers_unique_never_reused(org, catalog, province_user, changsha_user):
    a = OfficerFactory(unit=org["430121"])
    b = OfficerFactory(unit=org["430100"])
    with pytest.raises(QMError) as e:
        svc.badge_assign(actor=changsha_user)
    assert e.value.status == 403
    assert svc.badge_assign(actor=province_user) == 2
    assert svc.badge_assign(actor=province_user) == 0
    nums = dict(BadgeNumber.objects.values_list("officer_id", "number"))
    officer_set_status(actor=province_user, officer=a, status="left")
    c = OfficerFactory(unit=org["430121"])
    svc.badge_assign(actor=province_user)
    assert BadgeNumber.objects.get(officer=c).number == max(nums.values()) + 1
    assert BadgeNumber.objects.get(officer=a).number == nums[a.pk]
    assert BadgeSequence.objects.get().last == 3
    rows = sel.badge_rows(changsha_user)
    assert [r["number"] for r in rows] == sorted(r["number"] for r in rows) and len(rows) == 3
    assert b.pk in nums


def test_transfer_keeps_kit_card(org, province_user, county_user, officers, stocked_county):
    o = officers[0]
    svc.kit_issue(actor=county_user, unit=stocked_county, officers=[o])
    before = held(o)
    officer_transfer(actor=province_user, officer=o, to_unit=org["430200"])
    o.refresh_from_db()
    assert held(o) == before


def test_leaving_opens_a_recovery_task_and_returns_come_back_to_the_unit(
    org, province_user, county_user, officers, stocked_county
):
    o, r = officers[0], officers[1]
    svc.kit_issue(actor=county_user, unit=stocked_county, officers=[o, r])
    officer_set_status(actor=province_user, officer=o, status="left")
    task = RecoveryTask.objects.get(officer=o)
    assert task.status == RecoveryStatus.OPEN
    assert {e["item"] for e in task.expected} >= {"DRESS-JACKET", "INS-TIE"}
    officer_set_status(actor=province_user, officer=r, status="retired")
    rtask = RecoveryTask.objects.get(officer=r)
    assert {e["item"] for e in rtask.expected} == {
        "INS-CAP-BADGE",
        "INS-ARMBAND",
        "INS-SHOULDER-HARD",
        "INS-SHOULDER-SOFT",
        "INS-SHOULDER-SLIP",
        "INS-CHEST-HARD",
        "INS-CHEST-SOFT",
        "INS-TIE",
        "INS-BELT",
    }
    with pytest.raises(QMError) as e:
        svc.recovery_record(
            actor=county_user,
            task=rtask,
            lines=[{"item": "DRESS-JACKET", "gender": "M", "size": TOP, "quantity": 1}],
        )
    assert e.value.code == "not_expected"
    store = svc.unit_location(stocked_county)
    tie_before = StockBalance.objects.filter(location=store, item__code="INS-TIE").first()
    tie_before = tie_before.quantity if tie_before else 0
    svc.recovery_record(
        actor=county_user,
        task=rtask,
        lines=[
            {"item": e["item"], "gender": e["gender"], "size": e["size"], "quantity": e["quantity"]}
            for e in rtask.expected
        ],
    )
    rtask.refresh_from_db()
    assert rtask.status == RecoveryStatus.DONE
    assert StockBalance.objects.get(location=store, item__code="INS-TIE").quantity == tie_before + 2
    with pytest.raises(QMError) as e:
        svc.recovery_record(
            actor=county_user,
            task=rtask,
            lines=[{"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 1}],
        )
    assert e.value.code == "task_done"
    # partial return then close with the rest written off
    svc.recovery_record(
        actor=county_user,
        task=task,
        lines=[{"item": "DRESS-JACKET", "gender": "M", "size": TOP, "quantity": 1}],
    )
    task.refresh_from_db()
    assert task.status == RecoveryStatus.OPEN
    with pytest.raises(QMError) as e:
        svc.recovery_close(actor=county_user, task=task, note="")
    assert e.value.code == "note_required"
    svc.recovery_close(actor=county_user, task=task, note="本人拒不交回 not returned")
    task.refresh_from_db()
    assert task.status == RecoveryStatus.DONE and sel.kit_card(o) == []
    assert svc.ledger_verify() == []


def test_no_task_when_nothing_held(org, province_user, officers):
    officer_set_status(actor=province_user, officer=officers[0], status="left")
    assert not RecoveryTask.objects.exists()


def test_stocktake_posts_adjustments_when_approved_by_the_level_above(
    org, province_user, county_user, changsha_user, officers, stocked_county
):
    store = svc.unit_location(stocked_county)
    with pytest.raises(QMError) as e:
        svc.stocktake_submit(
            actor=county_user,
            unit=stocked_county,
            lines=[{"item": "DRESS-JACKET", "gender": "M", "size": TOP, "counted": 1}],
        )
    assert e.value.code == "reason_required"
    st = svc.stocktake_submit(
        actor=county_user,
        unit=stocked_county,
        lines=[
            {"item": "DRESS-JACKET", "gender": "M", "size": TOP, "counted": 1, "reason": "2件被盗 stolen"},
            {"item": "INS-TIE", "gender": "M", "size": "-", "counted": 7, "reason": "多1条"},
        ],
    )
    assert [(ln.ledger, ln.counted) for ln in st.lines.order_by("id")] == [(3, 1), (6, 7)]
    with pytest.raises(QMError) as e:
        svc.stocktake_decide(actor=county_user, stocktake=st, approve=True)
    assert e.value.status == 403
    svc.stocktake_decide(actor=changsha_user, stocktake=st, approve=True)
    st.refresh_from_db()
    assert st.status == StocktakeStatus.APPROVED
    assert StockBalance.objects.get(location=store, item__code="DRESS-JACKET").quantity == 1
    assert StockBalance.objects.get(location=store, item__code="INS-TIE").quantity == 7
    with pytest.raises(QMError) as e:
        svc.stocktake_decide(actor=changsha_user, stocktake=st, approve=False)
    assert e.value.code == "bad_transition"
    # the province store: another provincial user approves
    st2 = svc.stocktake_submit(
        actor=province_user,
        unit=org["430000"],
        lines=[{"item": "INS-TIE", "gender": "M", "size": "-", "counted": 0}],
    )
    with pytest.raises(QMError) as e:
        svc.stocktake_decide(actor=province_user, stocktake=st2, approve=True)
    assert e.value.status == 403
    assert svc.ledger_verify() == []


def test_stocktake_deficit_refused_if_stock_left_meanwhile(
    org, county_user, changsha_user, officers, stocked_county
):
    st = svc.stocktake_submit(
        actor=county_user,
        unit=stocked_county,
        lines=[{"item": "DRESS-JACKET", "gender": "M", "size": TOP, "counted": 0, "reason": "丢失"}],
    )
    svc.kit_issue(actor=county_user, unit=stocked_county, officers=[officers[0]])
    with pytest.raises(QMError) as e:
        svc.stocktake_decide(actor=changsha_user, stocktake=st, approve=True)
    assert e.value.code == "insufficient_stock"
    st.refresh_from_db()
    assert st.status == StocktakeStatus.SUBMITTED


def test_county_issue_through_full_chain(org, province_user, changsha_user, county_user, catalog):
    o = OfficerFactory(
        unit=org["430121"], gender="F", height_cm=160, chest_cm=84, waist_cm=68, head_cm=55, foot_mm=232
    )
    from .conftest import kit_lines

    bring_to_county(org, province_user, changsha_user, county_user, kit_lines(o))
    res = svc.kit_issue(actor=county_user, unit=org["430121"])
    assert res["officers"] == 1 and all(k[1] == "F" for k in held(o)) is not None
    assert Movement.objects.filter(kind="issue", gender="F").count() == res["lines"]
