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
    # the award announcement (1 working day) ends Fri 13 Feb; 7 working days after it: 14 (make-up), 24, 25,
    # 26, 27, 28 (make-up), Mon 2 Mar (《政府采购法实施条例》第五十三条, 财政部令第87号 第六十九条)
    (
        "challenge_7wd",
        "open",
        "award_notice",
        D(2026, 2, 12),
        "challenge_end",
        D(2026, 3, 2),
        D(2026, 2, 28),
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
    assert "《中华人民共和国政府采购法》第三十五条" in v.message() and "20日" in v.message()
    assert "招标投标法" not in v.message()  # the goods procurement law, not the tendering law


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
        ("variation_10pct", Decimal("4550.10"), Decimal("455.01"), Decimal("455.02")),
        ("award_within_budget", Decimal("26000000.00"), Decimal("26000000.00"), Decimal("26000000.01")),
    ],
)
def test_ratio_rules_both_sides(code, base, ok, bad):
    assert rules.ratio_ok(code, ok, base)
    assert not rules.ratio_ok(code, bad, base)


# Every rule of legal_rules.json, one day inside and one day outside, worked out by hand on March 2026 (no
# holiday and no make-up day in March; weekends off). `start` is the rule's from-milestone; for 'before'
# rules the bid opening is Mon 30 Mar and the clarification moves.
M2 = D(2026, 3, 2)  # a Monday
BID = D(2026, 3, 30)
BOUNDARIES = {
    # code: (from date, to date inside, to date outside) or for 'before' (from inside, from outside, to)
    "intention_30d": (M2, D(2026, 4, 1), D(2026, 3, 31)),  # 3 Mar is day 1 → day 30 is Wed 1 Apr
    "documents_available_5wd": (M2, D(2026, 3, 9), D(2026, 3, 6)),  # 3, 4, 5, 6, 9
    "bid_period_20d": (M2, D(2026, 3, 23), D(2026, 3, 22)),  # day 20 is Sun 22 → Mon 23
    "consultation_sale_5wd": (M2, D(2026, 3, 9), D(2026, 3, 6)),
    "consultation_response_10d": (M2, D(2026, 3, 12), D(2026, 3, 11)),
    "negotiation_response_3wd": (M2, D(2026, 3, 5), D(2026, 3, 4)),
    "quotation_response_3wd": (M2, D(2026, 3, 5), D(2026, 3, 4)),
    "single_source_publicity_5wd": (M2, D(2026, 3, 9), D(2026, 3, 6)),
    "winner_7wd": (M2, D(2026, 3, 11), D(2026, 3, 12)),  # at most: 3, 4, 5, 6, 9, 10, 11
    "award_notice_2wd": (M2, D(2026, 3, 4), D(2026, 3, 5)),
    "challenge_7wd": (
        M2,
        D(2026, 3, 12),
        D(2026, 3, 11),
    ),  # announcement ends Tue 3; then 4, 5, 6, 9, 10, 11, 12
    "contract_30d": (M2, D(2026, 4, 1), D(2026, 4, 2)),
    "contract_published_2wd": (M2, D(2026, 3, 4), D(2026, 3, 5)),
    "clarification_15d": (D(2026, 3, 15), D(2026, 3, 16), BID),  # at least 15 days before 30 Mar
    "consultation_clarification_5d": (D(2026, 3, 25), D(2026, 3, 26), BID),
    "nonbid_clarification_3wd": (D(2026, 3, 25), D(2026, 3, 26), BID),  # 27, 26, 25 counted back
}


def test_every_rule_has_its_boundary_days_here():
    assert set(BOUNDARIES) == {r["code"] for r in rules.legal_data()["rules"]}


@pytest.mark.parametrize("code", sorted(BOUNDARIES))
def test_each_rule_one_day_inside_and_one_day_outside(code):
    cal = WorkCalendar(overrides={})
    rule = next(r for r in rules.legal_data()["rules"] if r["code"] == code)
    method = rule["methods"][0]
    a, b, c = BOUNDARIES[code]

    def broken(start, end):
        found, warnings = rules.check_dates(method, {rule["from"]: start, rule["to"]: end}, cal)
        assert warnings == []
        return [f for f in found if f.rule == code]

    if rule["kind"] == "before":
        assert broken(a, c) == []
        (finding,) = broken(b, c)
        assert finding.milestone == rule["from"] and finding.limit == a
    else:
        assert broken(a, b) == []
        (finding,) = broken(a, c)
        assert finding.milestone == rule["to"] and finding.limit == b


def test_challenge_period_counts_from_the_end_of_the_award_announcement():
    """The audit's repro: an award notice on Mon 2 Feb 2026; the announcement runs 1 working day (3 Feb), the 7
    working days are 4, 5, 6, 9, 10, 11 and 12 Feb: the challenge period ends on 12 Feb, not 11 Feb."""
    cal = WorkCalendar(overrides={})
    found, _ = rules.check_dates(
        "open", {"award_notice": D(2026, 2, 2), "challenge_end": D(2026, 2, 11)}, cal
    )
    assert [(f.rule, f.limit) for f in found] == [("challenge_7wd", D(2026, 2, 12))]
    found, _ = rules.check_dates(
        "open", {"award_notice": D(2026, 2, 2), "challenge_end": D(2026, 2, 12)}, cal
    )
    assert found == []
    assert rules.earliest_allowed("open", "challenge_end", {"award_notice": D(2026, 2, 2)}, cal) == D(
        2026, 2, 12
    )


def test_every_rule_cites_statute_article_and_a_quote():
    data = rules.legal_data()
    for rule in data["rules"] + data["ratios"]:
        assert rule["citations"], rule["code"]
        for cite in rule["citations"]:
            assert cite["statute"].startswith("《") and "》" in cite["statute"], rule["code"]
            assert cite["article"] and cite["quote"].endswith("。"), rule["code"]
        assert rule["source"] == "；".join(c["statute"] + c["article"] for c in rule["citations"])
    by_code = {r["code"]: r for r in data["rules"] + data["ratios"]}
    assert by_code["bid_period_20d"]["source"] == "《中华人民共和国政府采购法》第三十五条"
    assert (
        "第五十三条" in by_code["challenge_7wd"]["source"]
        and "第六十九条" in by_code["challenge_7wd"]["source"]
    )
    assert (
        "第四十九条" in by_code["variation_10pct"]["source"]
        and by_code["variation_10pct"]["max_percent"] == "10"
    )


def test_rule_messages_in_one_language(english):
    cal = WorkCalendar(overrides={})
    (finding,) = [
        f
        for f in rules.check_dates(
            "open", {"award_notice": D(2026, 2, 2), "challenge_end": D(2026, 2, 3)}, cal
        )[0]
        if f.rule == "challenge_7wd"
    ]
    message = finding.message()
    assert message.startswith("The date breaks a legal period: suppliers may challenge within 7 working days")
    assert "limit 2026-02-12" in message and "质疑" not in message
    assert rules.rule_message(rules.ratio_rule("bid_bond_2pct")).startswith(
        "the bid bond is at most 2% of the budget (basis:"
    )
