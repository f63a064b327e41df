"""The legal rules of the timeline, kept as data (data/legal_rules.json) and checked here.

check_dates(method, dates) → violations and warnings for one set of milestone dates. Services call it
for the planned dates and for the actual dates (an actual date is checked against the others' actual
dates, or their planned ones where not yet done) each time a date is set.
"""

import datetime
import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext

from core.i18n import tr

from .workdays import CalendarMissing, WorkCalendar

DATA = Path(__file__).resolve().parent / "data" / "legal_rules.json"
SEQUENCE_RULE = {
    "code": "sequence",
    "kind": "order",
    "text_zh": "节点须按法定顺序",
    "text_en": "milestones follow the legal order",
    "source": "《政府采购法》第三章及财政部令第87号规定的程序顺序",
}


@cache
def legal_data() -> dict:
    with open(DATA, encoding="utf-8") as fh:
        return json.load(fh)


def milestone_defs() -> list[dict]:
    return legal_data()["milestones"]


def milestone_order() -> dict[str, int]:
    return {m["code"]: i + 1 for i, m in enumerate(milestone_defs())}


def rules_for(method: str) -> list[dict]:
    return [r for r in legal_data()["rules"] if method in r["methods"]]


def ratio_rule(code: str) -> dict:
    return next(r for r in legal_data()["ratios"] if r["code"] == code)


def rule_message(rule: dict) -> str:
    """What a rule requires and its legal basis, in the active language: 投标保证金不得超过…（依据：…）."""
    return gettext("{text}（依据：{source}）").format(
        text=tr(rule["text_zh"], rule["text_en"]), source=rule["source"]
    )


def period_start(rule: dict, start: datetime.date, calendar: WorkCalendar) -> datetime.date:
    """The day a rule's period counts from: the event itself, or the end of the earlier period the rule names
    (start_after: the challenge period runs from the end of the 1-working-day award announcement)."""
    after = rule.get("start_after")
    if after:
        return calendar.period_end(start, after["amount"], after["unit"])
    return start


@dataclass
class Finding:
    rule: str
    milestone: str  # the milestone whose date breaks the rule (the later one, or the earlier for 'before')
    other: str
    date: datetime.date
    limit: datetime.date | None
    kind: str
    text_zh: str
    text_en: str
    source: str

    def message(self) -> str:
        text = tr(self.text_zh, self.text_en)
        if self.limit:
            return gettext("日期违反法定期限：{text}，界限 {limit}（依据：{source}）").format(
                text=text, limit=self.limit.isoformat(), source=self.source
            )
        return gettext("日期违反法定期限：{text}（依据：{source}）").format(text=text, source=self.source)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["date"] = self.date.isoformat()
        out["limit"] = self.limit.isoformat() if self.limit else None
        out["message"] = self.message()
        return out


def check_dates(
    method: str,
    dates: dict[str, datetime.date | None],
    calendar: WorkCalendar | None = None,
    only: str | None = None,
) -> tuple[list[Finding], list[dict]]:
    """(violations, warnings) for the milestone dates given. With `only`, just the rules touching that
    milestone. A rule that needs a year with no working-day data gives a calendar_missing warning
    (flagged, never counted as a plain weekday)."""
    calendar = calendar or WorkCalendar()
    violations: list[Finding] = []
    warnings: list[dict] = []
    order = milestone_order()
    present = sorted((order[c], c, d) for c, d in dates.items() if d is not None and c in order)
    seq = {k: SEQUENCE_RULE[k] for k in ("text_zh", "text_en", "source")}
    floating = {m["code"] for m in milestone_defs() if m.get("floating")}
    for pos, (_, code, day) in enumerate(present):
        # compare with the last fixed milestone before it and, for a fixed one, the floating ones in between
        earlier = []
        for _, prev_code, prev_date in reversed(present[:pos]):
            earlier.append((prev_code, prev_date))
            if prev_code not in floating:
                break
        if code in floating:
            earlier = earlier[-1:] if earlier and earlier[-1][0] not in floating else []
        for prev_code, prev_date in earlier:
            if day >= prev_date or (only is not None and only not in (code, prev_code)):
                continue
            if only == prev_code:  # the earlier milestone was moved after a later one
                violations.append(Finding("sequence", prev_code, code, prev_date, day, "order", **seq))
            else:
                violations.append(Finding("sequence", code, prev_code, day, prev_date, "order", **seq))
    for rule in rules_for(method):
        start, end = dates.get(rule["from"]), dates.get(rule["to"])
        if start is None or end is None:
            continue
        if only is not None and only not in (rule["from"], rule["to"]):
            continue
        try:
            finding = _check(rule, start, end, calendar)
        except CalendarMissing as exc:
            warnings.append(
                {"rule": rule["code"], "code": "calendar_missing", "year": exc.year, "message": exc.message}
            )
            continue
        if finding is not None:
            violations.append(finding)
    return violations, warnings


def _check(rule: dict, start: datetime.date, end: datetime.date, calendar: WorkCalendar) -> Finding | None:
    kind, amount, unit = rule["kind"], rule["amount"], rule["unit"]
    common = {
        "kind": kind,
        "text_zh": rule["text_zh"],
        "text_en": rule["text_en"],
        "source": rule["source"],
        "rule": rule["code"],
    }
    start = period_start(rule, start, calendar)
    if kind == "min":
        limit = calendar.period_end(start, amount, unit)
        if end < limit:
            return Finding(milestone=rule["to"], other=rule["from"], date=end, limit=limit, **common)
    elif kind == "max":
        limit = calendar.period_end(start, amount, unit)
        if end > limit:
            return Finding(milestone=rule["to"], other=rule["from"], date=end, limit=limit, **common)
    elif kind == "before":
        limit = calendar.period_start_before(end, amount, unit)
        if start > limit:
            return Finding(milestone=rule["from"], other=rule["to"], date=start, limit=limit, **common)
    return None


def earliest_allowed(
    method: str, code: str, dates: dict[str, datetime.date | None], calendar: WorkCalendar
) -> datetime.date | None:
    """The earliest date `code` may legally take given the earlier milestones' dates: the min rules ending at
    it, and the 'before' rules (a clarification on day d pushes the deadline to the first day that leaves the
    period)."""
    best = None
    for rule in rules_for(method):
        start = dates.get(rule["from"])
        if rule["to"] != code or start is None or rule["kind"] not in ("min", "before"):
            continue
        start = period_start(rule, start, calendar)
        if rule["kind"] == "min":
            limit = calendar.period_end(start, rule["amount"], rule["unit"])
        else:
            limit = start + datetime.timedelta(days=1)
            while calendar.period_start_before(limit, rule["amount"], rule["unit"]) < start:
                limit += datetime.timedelta(days=1)
        best = limit if best is None or limit > best else best
    return best


def ratio_ok(code: str, amount: Decimal, base: Decimal) -> bool:
    """amount ≤ base × max_percent / 100, exactly (no rounding)."""
    rule = ratio_rule(code)
    return amount * 100 <= base * Decimal(rule["max_percent"])
