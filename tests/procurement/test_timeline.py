import datetime

import pytest

from core.errors import Forbidden, QMError
from core.history import history_for
from procurement import selectors, services
from procurement.models import Milestone, RuleOverride

D = datetime.date
PLAN = {
    "intention_published": D(2025, 12, 1),
    "plan_filed": D(2025, 12, 5),
    "documents_final": D(2025, 12, 20),
    "notice_published": D(2026, 1, 5),
    "documents_on_sale": D(2026, 1, 5),
    "documents_sale_end": D(2026, 1, 12),
    "last_clarification": D(2026, 1, 9),
    "bid_opening": D(2026, 1, 26),
    "evaluation_report": D(2026, 1, 27),
    "winner_chosen": D(2026, 1, 28),
    "award_notice": D(2026, 1, 29),
    "challenge_end": D(2026, 2, 10),  # announcement ends 30 Jan, then 7 working days
    "contract_signed": D(2026, 2, 11),
    "contract_published": D(2026, 2, 12),
    "deliveries": D(2026, 3, 20),
    "acceptance": D(2026, 3, 31),
    "distribution_complete": D(2026, 4, 20),
}


def ms(tender, code) -> Milestone:
    return tender.milestones.get(code=code)


@pytest.fixture
def tender(make_tender):
    return make_tender(year=2026)


def test_milestones_in_legal_order(tender):
    codes = list(tender.milestones.order_by("sequence").values_list("code", flat=True))
    assert codes[0] == "intention_published" and codes[-1] == "distribution_complete"
    assert codes.index("award_notice") < codes.index("challenge_end") < codes.index("contract_signed")
    assert len(codes) == 17
    assert tender.target_date == D(2026, 4, 30)


def test_whole_legal_plan_is_accepted(tender, province_user):
    for code, day in PLAN.items():
        services.milestone_set(actor=province_user, milestone=ms(tender, code), planned_date=day)
    assert not RuleOverride.objects.exists()


def test_breaking_date_refused_naming_rule_and_source(tender, province_user):
    services.milestone_set(
        actor=province_user, milestone=ms(tender, "documents_on_sale"), planned_date=D(2026, 1, 27)
    )
    with pytest.raises(QMError) as exc:
        services.milestone_set(
            actor=province_user, milestone=ms(tender, "bid_opening"), planned_date=D(2026, 2, 14)
        )
    assert exc.value.code == "legal_rule"
    assert (
        exc.value.details["rule"] == "bid_period_20d"
        and "《中华人民共和国政府采购法》第三十五条" in exc.value.details["source"]
    )
    assert exc.value.details["violations"][0]["limit"] == "2026-02-24"
    assert "第三十五条" in exc.value.message
    assert ms(tender, "bid_opening").planned_date is None  # nothing changed
    # on the boundary it is accepted
    services.milestone_set(
        actor=province_user, milestone=ms(tender, "bid_opening"), planned_date=D(2026, 2, 24)
    )
    assert ms(tender, "bid_opening").planned_date == D(2026, 2, 24)


def test_moving_the_earlier_milestone_is_checked_too(tender, province_user):
    services.milestone_set(
        actor=province_user, milestone=ms(tender, "bid_opening"), planned_date=D(2026, 2, 24)
    )
    with pytest.raises(QMError) as exc:
        services.milestone_set(
            actor=province_user, milestone=ms(tender, "documents_on_sale"), planned_date=D(2026, 2, 5)
        )
    assert exc.value.details["rule"] == "bid_period_20d"
    # 4 Feb + 20 days = 24 Feb; and 3 Feb + 20 = 23 Feb, in the holiday, also ends on 24 Feb
    services.milestone_set(
        actor=province_user, milestone=ms(tender, "documents_on_sale"), planned_date=D(2026, 2, 4)
    )
    services.milestone_set(
        actor=province_user, milestone=ms(tender, "documents_on_sale"), planned_date=D(2026, 2, 3)
    )


def test_override_with_reason_recorded(tender, province_user):
    services.milestone_set(
        actor=province_user, milestone=ms(tender, "award_notice"), planned_date=D(2026, 2, 12)
    )
    m, info = services.milestone_set(
        actor=province_user,
        milestone=ms(tender, "challenge_end"),
        planned_date=D(2026, 2, 27),
        override_reason="省财政厅同意 test",
    )
    assert m.planned_date == D(2026, 2, 27)
    assert [o["rule"] for o in info["overridden"]] == ["challenge_7wd"]
    ov = RuleOverride.objects.get()
    assert ov.rule_code == "challenge_7wd" and ov.actor == province_user and ov.reason == "省财政厅同意 test"
    assert history_for(ov).exists() and "override" in history_for(m).first().note
    timeline = selectors.timeline(tender, today=D(2026, 1, 1))
    row = next(r for r in timeline["milestones"] if r["code"] == "challenge_end")
    assert row["findings"][0]["rule"] == "challenge_7wd" and row["findings"][0]["overridden"] is True


def test_only_provincial_logistics_sets_dates_or_overrides(tender, changsha_user, auditor_user):
    for user in (changsha_user, auditor_user):
        with pytest.raises(Forbidden):
            services.milestone_set(
                actor=user,
                milestone=ms(tender, "notice_published"),
                planned_date=D(2026, 1, 5),
                override_reason="x",
            )
    assert ms(tender, "notice_published").planned_date is None


def test_actual_dates_checked_against_actual_dates(tender, province_user):
    services.milestone_set(
        actor=province_user,
        milestone=ms(tender, "winner_chosen"),
        actual_date=D(2026, 2, 13),
        today=D(2026, 3, 1),
    )
    with pytest.raises(QMError) as exc:
        services.milestone_set(
            actor=province_user,
            milestone=ms(tender, "award_notice"),
            actual_date=D(2026, 2, 25),
            today=D(2026, 3, 1),
        )
    assert exc.value.details["rule"] == "award_notice_2wd" and exc.value.details["field"] == "actual_date"
    services.milestone_set(
        actor=province_user,
        milestone=ms(tender, "award_notice"),
        actual_date=D(2026, 2, 24),
        today=D(2026, 3, 1),
    )


def test_actual_date_cannot_be_in_the_future(tender, province_user):
    with pytest.raises(QMError) as exc:
        services.milestone_set(
            actor=province_user,
            milestone=ms(tender, "plan_filed"),
            actual_date=D(2026, 3, 2),
            today=D(2026, 3, 1),
        )
    assert exc.value.code == "actual_in_future"


def test_year_without_calendar_is_flagged(make_tender, province_user):
    tender = make_tender(year=2027)
    services.milestone_set(
        actor=province_user, milestone=ms(tender, "documents_on_sale"), planned_date=D(2027, 1, 5)
    )
    _m, info = services.milestone_set(
        actor=province_user, milestone=ms(tender, "bid_opening"), planned_date=D(2027, 1, 26)
    )
    assert info["warnings"][0]["code"] == "calendar_missing" and info["warnings"][0]["year"] == 2027
    timeline = selectors.timeline(tender, today=D(2026, 12, 1))
    assert any(w["code"] == "calendar_missing" for w in timeline["warnings"])


def _set_plan(tender, actual=None):
    for m in tender.milestones.all():
        m.planned_date = PLAN[m.code]
        m.actual_date = (actual or {}).get(m.code)
        m.save()


def test_forecast_on_plan(tender):
    _set_plan(tender)
    t = selectors.timeline(tender, today=D(2025, 11, 20))
    assert [(r["code"], r["forecast_date"]) for r in t["milestones"]] == [
        (r["code"], r["planned_date"]) for r in t["milestones"]
    ]
    assert t["forecast_end"] == D(2026, 4, 20) and t["slack_days"] == 10
    assert t["critical_milestone"] == "intention_published"


def test_forecast_carries_delay_and_legal_minimums(tender):
    done = {c: PLAN[c] for c in ("intention_published", "plan_filed", "documents_final")}
    done.update(notice_published=D(2026, 1, 27), documents_on_sale=D(2026, 1, 27))
    _set_plan(tender, done)
    t = selectors.timeline(tender, today=D(2026, 1, 28))
    f = {r["code"]: r["forecast_date"] for r in t["milestones"]}
    # the bid deadline: 27 Jan + 20 days ends in the Spring Festival → 24 Feb, later than plan + delay (20 Feb)
    assert f["bid_opening"] == D(2026, 2, 24)
    assert f["evaluation_report"] == D(2026, 2, 25)
    # the award announcement of 27 Feb ends on the make-up Saturday 28 Feb, the 7 working days after it on
    # 10 Mar; the plan (10 Feb) + the delay carried gives 11 Mar, the later of the two
    assert f["challenge_end"] == D(2026, 3, 11)
    assert f["distribution_complete"] == D(2026, 5, 19)
    assert t["forecast_end"] == D(2026, 5, 19) and t["slack_days"] == -19
    assert t["critical_milestone"] == "documents_sale_end"
    row = {r["code"]: r for r in t["milestones"]}
    assert row["documents_on_sale"]["status"] == "done" and row["documents_on_sale"]["slip_days"] == 22
    assert row["bid_opening"]["status"] == "overdue" and row["challenge_end"]["status"] == "pending"
    assert row["documents_sale_end"]["status"] == "overdue"


def test_forecast_uses_legal_minimum_without_plan(tender):
    m = ms(tender, "award_notice")
    m.actual_date = D(2026, 2, 12)
    m.save()
    t = selectors.timeline(tender, today=D(2026, 2, 13))
    f = {r["code"]: r["forecast_date"] for r in t["milestones"]}
    # the announcement ends 13 Feb, then 7 working days across the Spring Festival
    assert f["challenge_end"] == D(2026, 3, 2)
    assert f["distribution_complete"] == D(2026, 3, 2)


def test_a_late_clarification_pushes_the_deadline(tender):
    for code, day in (("documents_on_sale", D(2026, 1, 5)), ("last_clarification", D(2026, 2, 12))):
        m = ms(tender, code)
        m.planned_date = m.actual_date = day
        m.save()
    m = ms(tender, "bid_opening")
    m.planned_date = D(2026, 2, 20)
    m.save()
    t = selectors.timeline(tender, today=D(2026, 2, 13))
    f = {r["code"]: r["forecast_date"] for r in t["milestones"]}
    assert f["bid_opening"] == D(2026, 2, 27)  # at least 15 days after the clarification


def test_milestone_check_is_a_dry_run(tender, province_user):
    services.milestone_set(
        actor=province_user, milestone=ms(tender, "winner_chosen"), planned_date=D(2026, 2, 13)
    )
    result = services.milestone_check(milestone=ms(tender, "award_notice"), planned_date=D(2026, 2, 25))
    assert [f.rule for f in result["planned"]] == ["award_notice_2wd"]
    assert (
        services.milestone_check(milestone=ms(tender, "award_notice"), planned_date=D(2026, 2, 24))["planned"]
        == []
    )
    assert ms(tender, "award_notice").planned_date is None
