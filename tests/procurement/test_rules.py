"""Every legal rule on both sides of its boundary, with periods across the 2026 Spring Festival
(holiday 15–23 Feb; Sat 14 and Sat 28 Feb are make-up working days)."""

import datetime
from decimal import Decimal

import pytest

from procurement import rules
from procurement.choices import Method
from procurement.workdays import WorkCalendar

D = datetime.date

# (rule, method, earlier milestone, its date, later milestone, date that keeps the rule, date that breaks it)
CASES = [
    # 17 Jan + 30 days = 16 Feb, in the holiday → 24 Feb
    (
        "intention_30d",
        "open",
        "intention_published",
        D(2026, 1, 17),
        "notice_published",
        D(2026, 2, 24),
        D(2026, 2, 14),
    ),
    # 5 working days after Thu 12 Feb: 13, 14 (make-up), 24, 25, 26
    (
        "documents_available_5wd",
        "open",
        "notice_published",
        D(2026, 2, 12),
        "documents_sale_end",
        D(2026, 2, 26),
        D(2026, 2, 25),
    ),
    (
        "documents_available_5wd",
        "invited",
        "notice_published",
        D(2026, 2, 12),
        "documents_sale_end",
        D(2026, 2, 26),
        D(2026, 2, 25),
    ),
    # 27 Jan + 20 days = 16 Feb → 24 Feb
    (
        "bid_period_20d",
        "open",
        "documents_on_sale",
        D(2026, 1, 27),
        "bid_opening",
        D(2026, 2, 24),
        D(2026, 2, 14),
    ),
    # 25 Jan + 20 days = Sat 14 Feb, a working day: no roll
    (
        "bid_period_20d",
        "open",
        "documents_on_sale",
        D(2026, 1, 25),
        "bid_opening",
        D(2026, 2, 14),
        D(2026, 2, 13),
    ),
    # at least 15 days before a 2 Mar deadline: 15 Feb at the latest (counted back, calendar days)
    ("clarification_15d", "open", "last_clarification", D(2026, 2, 15), "bid_opening", D(2026, 3, 2), None),
    (
        "consultation_sale_5wd",
        "consultation",
        "notice_published",
        D(2026, 2, 12),
        "documents_sale_end",
        D(2026, 2, 26),
        D(2026, 2, 25),
    ),
    # 6 Feb + 10 days = 16 Feb → 24 Feb
    (
        "consultation_response_10d",
        "consultation",
        "documents_on_sale",
        D(2026, 2, 6),
        "bid_opening",
        D(2026, 2, 24),
        D(2026, 2, 14),
    ),
    # 3 working days after 12 Feb: 13, 14, 24
    (
        "negotiation_response_3wd",
        "negotiation",
        "documents_on_sale",
        D(2026, 2, 12),
        "bid_opening",
        D(2026, 2, 24),
        D(2026, 2, 14),
    ),
    (
        "quotation_response_3wd",
        "quotation",
        "documents_on_sale",
        D(2026, 2, 12),
        "bid_opening",
        D(2026, 2, 24),
        D(2026, 2, 14),
    ),
    (
        "single_source_publicity_5wd",
        "single_source",
        "notice_published",
        D(2026, 2, 12),
        "bid_opening",
        D(2026, 2, 26),
        D(2026, 2, 25),
    ),
    # max rules: 7 working days after Tue 10 Feb: 11, 12, 13, 14, 24, 25, 26
    (
        "winner_7wd",
        "open",
        "evaluation_report",
        D(2026, 2, 10),
        "winner_chosen",
        D(2026, 2, 26),
        D(2026, 2, 27),
    ),
    # 2 working days after Fri 13 Feb: 14, 24
    (
        "award_notice_2wd",
        "open",
        "winner_chosen",
        D(2026, 2, 13),
        "award_notice",
        D(2026, 2, 24),
        D(2026, 2, 25),
    ),
    (
        "award_notice_2wd",
        "negotiation",
        "winner_chosen",
        D(2026, 2, 13),
        "award_notice",
        D(2026, 2, 24),
        D(2026, 2, 25),
    ),
    # 7 working days after Thu 12 Feb: 13, 14, 24, 25, 26, 27, 28 (make-up)
    (
        "challenge_7wd",
        "open",
        "award_notice",
        D(2026, 2, 12),
        "challenge_end",
        D(2026, 2, 28),
        D(2026, 2, 27),
    ),
    # 17 Jan + 30 days = 16 Feb → 24 Feb
    (
        "contract_30d",
        "open",
        "award_notice",
        D(2026, 1, 17),
        "contract_signed",
        D(2026, 2, 24),
        D(2026, 2, 25),
    ),
    (
        "contract_published_2wd",
        "open",
        "contract_signed",
        D(2026, 2, 13),
        "contract_published",
        D(2026, 2, 24),
        D(2026, 2, 25),
    ),
]
BEFORE_CASES = [
    # (rule, method, deadline, latest allowed clarification, first date that breaks)
    ("clarification_15d", "open", D(2026, 3, 2), D(2026, 2, 15), D(2026, 2, 16)),
    ("consultation_clarification_5d", "consultation", D(2026, 2, 24), D(2026, 2, 19), D(2026, 2, 20)),
    # 3 working days before Wed 25 Feb: 24, 14, 13
    ("nonbid_clarification_3wd", "negotiation", D(2026, 2, 25), D(2026, 2, 13), D(2026, 2, 14)),
    ("nonbid_clarification_3wd", "quotation", D(2026, 2, 25), D(2026, 2, 13), D(2026, 2, 14)),
]


@pytest.fixture
def cal(db):
    return WorkCalendar()


def broken(method, dates, cal):
    violations, warnings = rules.check_dates(method, dates, cal)
    assert warnings == []
    return {v.rule for v in violations}


@pytest.mark.parametrize("rule,method,a,a_date,b,ok,bad", [c for c in CASES if c[-1] is not None])
def test_rule_both_sides(rule, method, a, a_date, b, ok, bad, cal):
    assert rule not in broken(method, {a: a_date, b: ok}, cal)
    assert rule in broken(method, {a: a_date, b: bad}, cal)


@pytest.mark.parametrize("rule,method,deadline,latest,first_bad", BEFORE_CASES)
def test_before_rules_both_sides(rule, method, deadline, latest, first_bad, cal):
    assert rule not in broken(method, {"last_clarification": latest, "bid_opening": deadline}, cal)
    assert rule in broken(method, {"last_clarification": first_bad, "bid_opening": deadline}, cal)


def test_every_rule_in_the_data_is_tested():
    tested = {c[0] for c in CASES} | {c[0] for c in BEFORE_CASES}
    assert tested == {r["code"] for r in rules.legal_data()["rules"]}


def test_rules_are_data_with_sources():
    data = rules.legal_data()
    for rule in data["rules"] + data["ratios"]:
        assert rule["source"] and rule["text_zh"] and rule["text_en"]
    for rule in data["rules"]:
        assert set(rule["methods"]) <= set(Method.values)
        assert rule["kind"] in ("min", "max", "before") and rule["unit"] in ("days", "working_days")
    for method in Method.values:  # every method has its own pre-award period
        assert any(
            r["to"] in ("bid_opening", "documents_sale_end") and r["from"] != "intention_published"
            for r in rules.rules_for(method)
        )


def test_open_tender_periods_do_not_bind_negotiation(cal):
    dates = {"documents_on_sale": D(2026, 2, 12), "bid_opening": D(2026, 2, 24)}
    assert "bid_period_20d" in broken("open", dates, cal)
    assert broken("negotiation", dates, cal) == set()


def test_violation_names_rule_limit_and_source(cal):
    violations, _ = rules.check_dates(
        "open", {"documents_on_sale": D(2026, 1, 27), "bid_opening": D(2026, 2, 14)}, cal
    )
    v = violations[0]
    assert v.limit == D(2026, 2, 24) and v.milestone == "bid_opening"
    assert "财政部令第87号" in v.message() and "20日" in v.message()


def test_sequence(cal):
    assert "sequence" in broken(
        "open", {"documents_final": D(2026, 1, 10), "notice_published": D(2026, 1, 9)}, cal
    )
    assert "sequence" not in broken(
        "open", {"documents_final": D(2026, 1, 9), "notice_published": D(2026, 1, 9)}, cal
    )
    # the last clarification may come before the documents stop selling (both float between fixed milestones)
    dates = {
        "documents_on_sale": D(2026, 1, 5),
        "documents_sale_end": D(2026, 1, 12),
        "last_clarification": D(2026, 1, 9),
        "bid_opening": D(2026, 1, 26),
    }
    assert broken("open", dates, cal) == set()
    assert "sequence" in broken("open", {**dates, "last_clarification": D(2026, 1, 27)}, cal)


def test_missing_calendar_is_a_warning_not_a_weekday(cal):
    violations, warnings = rules.check_dates(
        "open", {"documents_on_sale": D(2027, 1, 5), "bid_opening": D(2027, 1, 20)}, cal
    )
    assert violations == []
    assert warnings and warnings[0]["code"] == "calendar_missing" and warnings[0]["year"] == 2027


@pytest.mark.parametrize(
    "code,base,ok,bad",
    [
        ("bid_bond_2pct", Decimal("1000000.00"), Decimal("20000.00"), Decimal("20000.01")),
        ("performance_bond_10pct", Decimal("123456.78"), Decimal("12345.67"), Decimal("12345.68")),
    ],
)
def test_ratio_rules_both_sides(code, base, ok, bad):
    assert rules.ratio_ok(code, ok, base)
    assert not rules.ratio_ok(code, bad, base)
