"""Every read of station equipment, starting from the user's scope. The gap computation and the survey
progress are aggregates: a constant number of queries whatever the number of stations."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext

from core import scope
from core.errors import NotFound, QMError
from personnel.choices import Level
from personnel.models import OrgUnit

from .equipment_choices import (
    ON_BOOKS,
    SERVICEABLE,
    Condition,
    ItemStatus,
    ReturnStatus,
    StationClass,
    SurveyStatus,
)
from .equipment_models import (
    EquipmentItem,
    EquipmentRequest,
    EquipmentType,
    StandardKitLine,
    Survey,
    SurveyEntry,
    SurveyReturn,
)
from .equipment_services import can_approve, money

CONDITION_RANK = {Condition.GOOD: 0, Condition.FAIR: 1, Condition.NEEDS_REPAIR: 2, Condition.UNSERVICEABLE: 3}


# ---- stations, types, kit, items, requests ---------------------------------------------------------


def unit_get(user, code: str) -> OrgUnit:
    return scope.get_in_scope_or_404(
        OrgUnit.objects.select_related("parent", "city"), user, prefix="", code=code
    )


def station_get(user, code: str) -> OrgUnit:
    unit = unit_get(user, code)
    if unit.level != Level.STATION:
        raise NotFound(gettext("不是站所"))
    return unit


def stations_for(
    user, *, unit_code: str | None = None, station_class: str | None = None, include_inactive: bool = False
):
    qs = OrgUnit.objects.restrict(user).filter(level=Level.STATION).select_related("parent", "city")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if unit_code:
        qs = qs.filter(path__startswith=unit_get(user, unit_code).path)
    if station_class:
        if station_class not in StationClass.values:
            raise QMError(
                "bad_filter",
                gettext("未知站所类别：{station_class}").format(station_class=station_class),
                {"field": "station_class"},
            )
        qs = qs.filter(station_class=station_class)
    return qs.annotate(
        items_on_books=Count("equipment", filter=Q(equipment__status__in=ON_BOOKS)),
    ).order_by("path")


def equipment_types(*, include_inactive: bool = False):
    qs = EquipmentType.objects.all()
    return qs if include_inactive else qs.filter(is_active=True)


def equipment_type_get(code_or_id) -> EquipmentType:
    qs = EquipmentType.objects.all()
    obj = qs.filter(code=str(code_or_id)).first()
    if obj is None and str(code_or_id).isdigit():
        obj = qs.filter(pk=int(code_or_id)).first()
    if obj is None:
        raise NotFound(gettext("装备类型不存在"))
    return obj


def kit_lines(*, station_class: str | None = None, include_zero: bool = False):
    qs = StandardKitLine.objects.select_related("equipment_type")
    if station_class:
        if station_class not in StationClass.values:
            raise QMError(
                "bad_filter",
                gettext("未知站所类别：{station_class}").format(station_class=station_class),
                {"field": "station_class"},
            )
        qs = qs.filter(station_class=station_class)
    return qs if include_zero else qs.filter(quantity__gt=0)


def items_for(
    user,
    *,
    unit_code: str | None = None,
    equipment_type: str | None = None,
    condition: str | None = None,
    status: str | None = None,
    q: str | None = None,
    asset_tag: str | None = None,
):
    qs = scope.restrict(EquipmentItem.objects.all(), user, "station").select_related(
        "equipment_type", "station", "station__parent"
    )
    if unit_code:
        qs = qs.filter(station__path__startswith=unit_get(user, unit_code).path)
    if equipment_type:
        qs = qs.filter(equipment_type=equipment_type_get(equipment_type))
    if condition:
        if condition not in Condition.values:
            raise QMError(
                "bad_filter",
                gettext("未知状况：{condition}").format(condition=condition),
                {"field": "condition"},
            )
        qs = qs.filter(condition=condition)
    if status:
        if status not in ItemStatus.values:
            raise QMError(
                "bad_filter", gettext("未知状态：{status}").format(status=status), {"field": "status"}
            )
        qs = qs.filter(status=status)
    if asset_tag:
        qs = qs.filter(asset_tag=asset_tag.strip())
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(asset_tag__icontains=q) | Q(serial_number__icontains=q) | Q(equipment_type__name__contains=q)
        )
    return qs


def item_get(user, item_id: int) -> EquipmentItem:
    return scope.get_in_scope_or_404(
        EquipmentItem.objects.select_related("equipment_type", "station", "station__parent"),
        user,
        "station",
        pk=item_id,
    )


def requests_for(user, *, status: str | None = None, kind: str | None = None, to_decide: bool = False):
    """Requests whose item comes from or goes to a station in scope, or that the user decides."""
    paths = scope.scope_paths(user)
    qs = EquipmentRequest.objects.select_related(
        "item",
        "item__equipment_type",
        "from_station",
        "to_station",
        "approval_unit",
        "requested_by",
        "decided_by",
    )
    if paths is not None:
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(from_station__path__startswith=p) | Q(to_station__path__startswith=p)
        qs = qs.filter(q)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if to_decide:
        approvable = [r.pk for r in qs.filter(status="pending") if can_approve(user, r)]
        qs = qs.filter(pk__in=approvable)
    return qs


def request_get(user, request_id: int) -> EquipmentRequest:
    req = requests_for(user).filter(pk=request_id).first()
    if req is None:
        raise NotFound()
    return req


# ---- surveys ----------------------------------------------------------------------------------------


def surveys():
    return Survey.objects.all()


def survey_get(survey_id: int) -> Survey:
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise NotFound(gettext("清查不存在"))
    return survey


def survey_return(user, survey: Survey, station: OrgUnit) -> dict:
    """A station's return: its items on the books with the grade given (or none yet), and found items."""
    ret = SurveyReturn.objects.filter(survey=survey, station=station).first()
    entries = {}
    if ret is not None:
        entries = {
            e.item_id: e
            for e in ret.entries.select_related("item", "item__equipment_type").annotate(
                n_photos=Count("photos")
            )
        }
    items = list(
        EquipmentItem.objects.filter(station=station, status__in=ON_BOOKS).select_related("equipment_type")
    )
    graded_ids = set(entries)
    rows = []
    for item in items:
        e = entries.get(item.pk)
        rows.append(_entry_row(item, e))
    for item_id, e in entries.items():
        if item_id not in {i.pk for i in items}:
            rows.append(_entry_row(e.item, e))
    return {
        "survey_id": survey.pk,
        "survey_name": survey.name,
        "survey_status": survey.status,
        "station_code": station.code,
        "station_name": station.name,
        "status": ret.status if ret else ReturnStatus.DRAFT,
        "submitted_at": ret.submitted_at if ret else None,
        "confirmed_at": ret.confirmed_at if ret else None,
        "items_on_books": len(items),
        "graded": len(graded_ids & {i.pk for i in items}),
        "entries": rows,
    }


def last_survey_findings(station: OrgUnit, survey: Survey) -> tuple[Survey | None, dict[int, SurveyEntry]]:
    """The station's last survey before `survey` whose return counts (submitted or confirmed), and what it
    found, by item: what "everything as in the last survey" copies. (None, {}) when there is none."""
    last = (
        Survey.objects.filter(
            returns__station=station, returns__status__in=(ReturnStatus.SUBMITTED, ReturnStatus.CONFIRMED)
        )
        .exclude(pk=survey.pk)
        .filter(opened_on__lte=survey.opened_on)
        .order_by("-opened_on", "-id")
        .distinct()
        .first()
    )
    if last is None:
        return None, {}
    entries = SurveyEntry.objects.filter(survey_return__survey=last, survey_return__station=station)
    return last, {e.item_id: e for e in entries}


def _entry_row(item: EquipmentItem, entry: SurveyEntry | None) -> dict:
    return {
        "entry_id": entry.pk if entry else None,
        "item_id": item.pk,
        "asset_tag": item.asset_tag,
        "equipment_type": item.equipment_type.code,
        "equipment_type_name": item.equipment_type.name,
        "register_condition": item.condition,
        "condition": entry.condition if entry else None,
        "note": entry.note if entry else "",
        "found": entry.found if entry else False,
        "photos": getattr(entry, "n_photos", 0) if entry else 0,
    }


def _child_prefix(path: str, depth: int) -> str:
    """The path of the ancestor `depth` codes deep ('430000/430100/' for depth 2)."""
    return "/".join(path.split("/")[:depth]) + "/"


def survey_progress(user, survey: Survey, *, unit_code: str | None = None) -> dict:
    """Progress of a survey under a unit, per child unit (cities, counties or stations): stations, returns
    by status, items on the books and graded. Four queries whatever the size of the subtree."""
    if unit_code:
        root = unit_get(user, unit_code)
    else:
        paths = scope.scope_paths(user)
        if paths is None:
            root = OrgUnit.objects.get(level=Level.PROVINCE)
        elif paths:
            root = OrgUnit.objects.get(path=paths[0])
        else:
            raise NotFound()
    depth = root.path.count("/") + 1
    stations = list(
        OrgUnit.objects.filter(level=Level.STATION, is_active=True, path__startswith=root.path).values(
            "id", "path"
        )
    )
    ret_status = dict(
        SurveyReturn.objects.filter(survey=survey, station__path__startswith=root.path).values_list(
            "station_id", "status"
        )
    )
    on_books = dict(
        EquipmentItem.objects.filter(station__path__startswith=root.path, status__in=ON_BOOKS)
        .values_list("station_id")
        .annotate(n=Count("id"))
    )
    graded = dict(
        SurveyEntry.objects.filter(
            survey_return__survey=survey,
            survey_return__station__path__startswith=root.path,
            item__status__in=ON_BOOKS,
        )
        .values_list("survey_return__station_id")
        .annotate(n=Count("id"))
    )
    groups = defaultdict(
        lambda: {"stations": 0, "draft": 0, "submitted": 0, "confirmed": 0, "items": 0, "graded": 0}
    )
    total = groups["__total__"]
    for s in stations:
        key = _child_prefix(s["path"], depth) if s["path"].count("/") >= depth else s["path"]
        for g in (groups[key], total):
            g["stations"] += 1
            g[ret_status.get(s["id"], ReturnStatus.DRAFT)] += 1
            g["items"] += on_books.get(s["id"], 0)
            g["graded"] += graded.get(s["id"], 0)
    codes = {k: k.rstrip("/").split("/")[-1] for k in groups if k != "__total__"}
    names = dict(OrgUnit.objects.filter(code__in=codes.values()).values_list("code", "name"))

    def out(g, code=None):
        return {
            "unit_code": code,
            "unit_name": names.get(code, "") if code else root.name,
            **g,
            "graded_rate": round(g["graded"] / g["items"], 4) if g["items"] else None,
            "confirmed_rate": round(g["confirmed"] / g["stations"], 4) if g["stations"] else None,
        }

    rows = [out(groups[k], codes[k]) for k in sorted(codes)]
    summary = out(total)
    summary["unit_code"] = root.code
    return {
        "survey_id": survey.pk,
        "deadline": survey.deadline,
        "status": survey.status,
        "overdue": survey.status == SurveyStatus.OPEN and timezone.localdate() > survey.deadline,
        "summary": summary,
        "children": rows,
    }


def _surveys_for_station(station: OrgUnit) -> list[Survey]:
    """The station's last two surveys with a return that counts: closed ones it submitted, and the open
    one once its county confirmed it."""
    done = (ReturnStatus.SUBMITTED, ReturnStatus.CONFIRMED)
    return list(
        Survey.objects.filter(
            Q(status=SurveyStatus.CLOSED, returns__station=station, returns__status__in=done)
            | Q(status=SurveyStatus.OPEN, returns__station=station, returns__status=ReturnStatus.CONFIRMED)
        )
        .order_by("-opened_on", "-id")
        .distinct()[:2]
    )


def _entries_by_item(survey: Survey, path_prefix: str) -> dict[int, SurveyEntry]:
    return {
        e.item_id: e
        for e in SurveyEntry.objects.filter(
            survey_return__survey=survey,
            survey_return__station__path__startswith=path_prefix,
            survey_return__status__in=(ReturnStatus.SUBMITTED, ReturnStatus.CONFIRMED),
        ).select_related("item", "item__equipment_type")
    }


def _change_kind(before: str | None, after: str | None) -> str:
    if before is None:
        return "new"
    if after is None:
        return "missing"
    if CONDITION_RANK[after] > CONDITION_RANK[before]:
        return "worse"
    if CONDITION_RANK[after] < CONDITION_RANK[before]:
        return "better"
    return "same"


def compare_entries(previous: dict, latest: dict) -> list[dict]:
    """Item by item: condition in the previous and the latest survey, and what changed."""
    rows = []
    for item_id in sorted(set(previous) | set(latest)):
        p, la = previous.get(item_id), latest.get(item_id)
        e = la or p
        kind = _change_kind(p.condition if p else None, la.condition if la else None)
        if kind == "same":
            continue
        rows.append(
            {
                "item_id": item_id,
                "asset_tag": e.item.asset_tag,
                "equipment_type": e.item.equipment_type.code,
                "equipment_type_name": e.item.equipment_type.name,
                "before": p.condition if p else None,
                "after": la.condition if la else None,
                "change": kind,
                "found": bool(la and la.found),
            }
        )
    return rows


def station_survey_history(station: OrgUnit) -> dict:
    """What the last survey found at the station (a closed one, or the open one once confirmed), and what
    changed since the one before."""
    last_two = _surveys_for_station(station)
    if not last_two:
        return {
            "last_survey": None,
            "previous_survey": None,
            "findings": [],
            "changes": [],
            "counts": {c: 0 for c in Condition.values},
        }
    latest = _entries_by_item(last_two[0], station.path)
    previous = _entries_by_item(last_two[1], station.path) if len(last_two) > 1 else {}
    findings = [
        {
            "item_id": e.item_id,
            "asset_tag": e.item.asset_tag,
            "equipment_type": e.item.equipment_type.code,
            "equipment_type_name": e.item.equipment_type.name,
            "condition": e.condition,
            "note": e.note,
            "found": e.found,
        }
        for e in sorted(latest.values(), key=lambda e: e.item.asset_tag)
    ]
    counts = {c: 0 for c in Condition.values}
    for e in latest.values():
        counts[e.condition] += 1

    def brief(s):
        return {"id": s.pk, "name": s.name, "status": s.status, "closed_on": s.closed_on} if s else None

    return {
        "last_survey": brief(last_two[0]),
        "previous_survey": brief(last_two[1] if len(last_two) > 1 else None),
        "findings": findings,
        "counts": counts,
        "changes": compare_entries(previous, latest) if len(last_two) > 1 else [],
    }


def survey_compare(user, base: Survey, target: Survey, *, unit_code: str | None = None) -> dict:
    """Condition between two surveys under a unit: counts in each, the transition matrix, changed items."""
    root = unit_get(user, unit_code) if unit_code else None
    if root is None:
        paths = scope.scope_paths(user)
        if paths is not None and len(paths) != 1:
            raise QMError("unit_required", gettext("请指定单位"), {"field": "unit"})
        root = (
            OrgUnit.objects.get(level=Level.PROVINCE) if paths is None else OrgUnit.objects.get(path=paths[0])
        )
    before = _entries_by_item(base, root.path)
    after = _entries_by_item(target, root.path)
    counts = {}
    for label, entries in (("base", before), ("target", after)):
        c = {k: 0 for k in Condition.values}
        for e in entries.values():
            c[e.condition] += 1
        counts[label] = c
    matrix = {a: {b: 0 for b in Condition.values} for a in Condition.values}
    for item_id in set(before) & set(after):
        matrix[before[item_id].condition][after[item_id].condition] += 1
    changes = compare_entries(before, after)
    return {
        "unit_code": root.code,
        "base": {"id": base.pk, "name": base.name, "status": base.status, "closed_on": base.closed_on},
        "target": {
            "id": target.pk,
            "name": target.name,
            "status": target.status,
            "closed_on": target.closed_on,
        },
        "counts": counts,
        "transitions": matrix,
        "changes": changes,
    }


# ---- gaps and needs ---------------------------------------------------------------------------------


@dataclass
class GapRow:
    station_id: int
    station_code: str
    station_name: str
    station_path: str
    station_class: str
    type_id: int
    type_code: str
    type_name: str
    unit_price: Decimal
    required: int
    serviceable: int = 0
    serviceable_past_life: int = 0
    needs_repair: int = 0
    unserviceable: int = 0
    oldest_acquired_on: datetime.date | None = None
    shortage: int = 0
    renewal: int = 0
    replacement: int = 0
    additional: int = 0
    need: int = 0
    cost: Decimal = Decimal("0.00")
    priority: int = 0
    reason: str = ""
    extra: dict = field(default_factory=dict)


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def gap_rows(stations: list[OrgUnit], *, today: datetime.date | None = None) -> list[GapRow]:
    """Per station × required type: the standard kit against serviceable items (good or fair, in use).

    required R, serviceable S (of which P past their service life), unserviceable U (on the books):
      shortage    = max(0, R − S)
      renewal     = serviceable items past their life that the standard still relies on
                  = max(0, min(S, R) − (S − P))      (the newest count first)
      replacement = min(U, shortage) + renewal       (replace what is broken or worn out)
      additional  = shortage − min(U, shortage)      (never had, lost, or in repair)
      need        = shortage + renewal = additional + replacement;  cost = need × unit price
    Priority 1 when a station has no serviceable item of a required type, else 2 (3 when only renewal);
    within a priority the oldest equipment first. Three queries whatever the number of stations.
    """
    today = today or timezone.localdate()
    if not stations:
        return []
    classes = {s.station_class for s in stations}
    kit = defaultdict(list)
    for line in StandardKitLine.objects.filter(
        station_class__in=classes, quantity__gt=0, equipment_type__is_active=True
    ).select_related("equipment_type"):
        kit[line.station_class].append(line)
    types = {line.equipment_type_id: line.equipment_type for lines in kit.values() for line in lines}
    past_life = Q(pk__in=[])
    for t in types.values():
        past_life |= Q(equipment_type_id=t.pk, acquired_on__lte=_years_ago(today, t.service_life_years))
    serviceable = Q(condition__in=SERVICEABLE, status=ItemStatus.IN_USE)
    station_ids = [s.pk for s in stations]
    counts = {}
    # One grouped aggregate over the register (chunked only to keep the IN list short).
    for i in range(0, len(station_ids), 2000):
        chunk = station_ids[i : i + 2000]
        for r in (
            EquipmentItem.objects.filter(
                station_id__in=chunk, equipment_type_id__in=list(types), status__in=ON_BOOKS
            )
            .values("station_id", "equipment_type_id")
            .annotate(
                serviceable=Count("id", filter=serviceable),
                past=Count("id", filter=serviceable & past_life),
                repair=Count("id", filter=Q(condition=Condition.NEEDS_REPAIR)),
                broken=Count("id", filter=Q(condition=Condition.UNSERVICEABLE)),
                oldest=Min("acquired_on"),
            )
        ):
            counts[(r["station_id"], r["equipment_type_id"])] = r
    rows = []
    for s in stations:
        for line in kit.get(s.station_class, []):
            t = line.equipment_type
            c = counts.get((s.pk, t.pk), {})
            row = GapRow(
                station_id=s.pk,
                station_code=s.code,
                station_name=s.name,
                station_path=s.path,
                station_class=s.station_class,
                type_id=t.pk,
                type_code=t.code,
                type_name=t.name,
                unit_price=t.unit_price,
                required=line.quantity,
                serviceable=c.get("serviceable", 0),
                serviceable_past_life=c.get("past", 0),
                needs_repair=c.get("repair", 0),
                unserviceable=c.get("broken", 0),
                oldest_acquired_on=c.get("oldest"),
            )
            _compute(row, t.service_life_years)
            rows.append(row)
    return rows


def _compute(row: GapRow, life: int) -> None:
    r, s, p, u = row.required, row.serviceable, row.serviceable_past_life, row.unserviceable
    row.shortage = max(0, r - s)
    row.renewal = max(0, min(s, r) - (s - p))
    broken_replaced = min(u, row.shortage)
    row.replacement = broken_replaced + row.renewal
    row.additional = row.shortage - broken_replaced
    row.need = row.shortage + row.renewal
    row.cost = money(row.need * Decimal(row.unit_price))
    if row.need == 0:
        row.priority, row.reason = 0, gettext("达标")
    elif s == 0:
        row.priority = 1
        row.reason = gettext("无可用{type_name}（标准 {r}）").format(type_name=row.type_name, r=r)
    else:
        row.priority = 2 if row.shortage else 3
        parts = []
        if row.shortage:
            parts.append(gettext("缺 {shortage}").format(shortage=row.shortage))
        if row.renewal:
            parts.append(
                gettext("超期 {renewal}（使用年限 {life} 年）").format(renewal=row.renewal, life=life)
            )
        if row.oldest_acquired_on:
            parts.append(gettext("最早购置 {isoformat}").format(isoformat=row.oldest_acquired_on.isoformat()))
        row.reason = gettext("；").join(parts)


def priority_key(row: GapRow):
    """Priority first, then the oldest equipment (unknown dates after known ones), then the station."""
    return (row.priority, row.oldest_acquired_on or datetime.date.max, row.station_code, row.type_code)


def _stations_under(user, unit_code: str | None) -> tuple[OrgUnit, list[OrgUnit]]:
    if unit_code:
        root = unit_get(user, unit_code)
    else:
        paths = scope.scope_paths(user)
        if paths is None:
            root = OrgUnit.objects.get(level=Level.PROVINCE)
        elif len(paths) == 1:
            root = OrgUnit.objects.get(path=paths[0])
        else:
            raise QMError("unit_required", gettext("请指定单位"), {"field": "unit"})
    stations = list(
        OrgUnit.objects.filter(level=Level.STATION, is_active=True, path__startswith=root.path).exclude(
            station_class=""
        )
    )
    return root, stations


def gap_report(user, *, unit_code: str | None = None, today: datetime.date | None = None) -> dict:
    """Needs rolled up under a unit: the total, per child unit (cities, counties or stations), per type."""
    root, stations = _stations_under(user, unit_code)
    rows = gap_rows(stations, today=today)
    depth = root.path.count("/") + 1

    def blank():
        return {
            "shortage": 0,
            "renewal": 0,
            "replacement": 0,
            "additional": 0,
            "need": 0,
            "cost": Decimal("0.00"),
            "stations": set(),
            "stations_without_required": set(),
        }

    def add(acc, row):
        for k in ("shortage", "renewal", "replacement", "additional", "need"):
            acc[k] += getattr(row, k)
        acc["cost"] += row.cost
        if row.need:
            acc["stations"].add(row.station_id)
        if row.priority == 1:
            acc["stations_without_required"].add(row.station_id)

    total, by_child, by_type = blank(), defaultdict(blank), defaultdict(blank)
    type_names = {}
    for row in rows:
        add(total, row)
        add(by_child[_child_prefix(row.station_path, depth)], row)
        add(by_type[row.type_code], row)
        type_names[row.type_code] = (row.type_name, row.unit_price)
    codes = {k: k.rstrip("/").split("/")[-1] for k in by_child}
    names = dict(OrgUnit.objects.filter(code__in=codes.values()).values_list("code", "name"))

    def out(acc, **extra):
        return {
            **extra,
            **{k: acc[k] for k in ("shortage", "renewal", "replacement", "additional", "need")},
            "cost": money(acc["cost"]),
            "stations_in_need": len(acc["stations"]),
            "stations_without_required": len(acc["stations_without_required"]),
        }

    children = [out(by_child[k], unit_code=codes[k], unit_name=names.get(codes[k], "")) for k in by_child]
    children.sort(key=lambda c: (-c["stations_without_required"], -c["cost"], c["unit_code"]))
    types = [
        out(by_type[k], type_code=k, type_name=type_names[k][0], unit_price=type_names[k][1]) for k in by_type
    ]
    types.sort(key=lambda t: (-t["cost"], t["type_code"]))
    return {
        "unit_code": root.code,
        "unit_name": root.name,
        "as_of": today or timezone.localdate(),
        "stations": len(stations),
        **out(total),
        "children": children,
        "by_type": types,
    }


def gap_list(
    user, *, unit_code: str | None = None, only_needs: bool = True, today: datetime.date | None = None
) -> list[GapRow]:
    """The station × type rows under a unit in priority order (the province's purchase list)."""
    _root, stations = _stations_under(user, unit_code)
    rows = gap_rows(stations, today=today)
    if only_needs:
        rows = [r for r in rows if r.need]
    rows.sort(key=priority_key)
    return rows


def return_statuses(survey: Survey, stations) -> dict[int, str]:
    """Each station's return status in a survey (draft when it has none yet), in one query."""
    ids = [s.pk for s in stations]
    found = dict(
        SurveyReturn.objects.filter(survey=survey, station_id__in=ids).values_list("station_id", "status")
    )
    return {pk: found.get(pk, ReturnStatus.DRAFT) for pk in ids}
