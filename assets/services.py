"""Every write of the catalog, the entitlement standard, skirt choices and demand snapshots.

Each service checks the role, validates everything before writing (all-or-nothing) and records history.
"""

import re

from django.db import connection, transaction
from django.utils.translation import gettext, pgettext

from core import scope
from core.errors import Conflict, QMError
from core.history import build_record, record_change, record_changes, snapshot
from core.models import ChangeRecord

from . import demand as demand_mod
from .choices import Category, SizeSystem
from .kit import SKIRT_ITEM, current_standard
from .models import DemandSnapshot, ItemType, SkirtChoice, SnapshotRow, StandardLine, StandardVersion

Action = ChangeRecord.Action
CODE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,29}$")
NAME_FIELDS = {
    "name_zh",
    "name_en",
    "name_men",
    "name_women",
    "category",
    "size_system",
    "note",
    "sort_order",
}
STANDARD_FIELDS = {"qty_per_officer", "service_life_years", "source"}
MAX_QTY, MAX_LIFE = 50, 30


def _require(actor, *roles, unit=None) -> None:
    """Role check for people; actor None is the system itself (seeds, imports, tasks)."""
    if actor is not None:
        scope.require_role(actor, *roles, unit=unit)


def _check_standard_values(where: dict, qty, life, source) -> None:
    if not isinstance(qty, int) or isinstance(qty, bool) or not 0 <= qty <= MAX_QTY:
        raise QMError(
            "bad_quantity",
            gettext("数量无效：{MAX_QTY} {qty!r}").format(MAX_QTY=MAX_QTY, qty=qty),
            {**where, "field": "qty_per_officer"},
        )
    if not isinstance(life, int) or isinstance(life, bool) or not 1 <= life <= MAX_LIFE:
        raise QMError(
            "bad_service_life",
            gettext("换发周期无效：{MAX_LIFE} {life!r}").format(MAX_LIFE=MAX_LIFE, life=life),
            {**where, "field": "service_life_years"},
        )
    if not isinstance(source, str) or not source.strip() or len(source) > 60:
        raise QMError(
            "bad_source",
            gettext("须注明依据"),
            {**where, "field": "source"},
        )


def _new_version(*, actor, note: str, lines: dict[int, dict]) -> StandardVersion:
    """Write a new version whose lines are `lines` {item_id: {qty_per_officer, service_life_years, source}}."""
    last = StandardVersion.objects.select_for_update().order_by("-number").first()
    version = StandardVersion.objects.create(
        number=(last.number + 1) if last else 1, note=note[:300], created_by=actor
    )
    StandardLine.objects.bulk_create(
        [StandardLine(version=version, item_id=item_id, **values) for item_id, values in lines.items()]
    )
    record_change(
        actor=actor,
        obj=version,
        action=Action.CREATE,
        note=note,
        after={"number": version.number, "lines": {str(k): v for k, v in lines.items()}},
    )
    return version


def _current_lines() -> dict[int, dict]:
    version = current_standard()
    if version is None:
        return {}
    return {
        ln.item_id: {
            "qty_per_officer": ln.qty_per_officer,
            "service_life_years": ln.service_life_years,
            "source": ln.source,
        }
        for ln in version.lines.all()
    }


@transaction.atomic
def standard_ensure(*, actor=None, note: str = gettext("初版")) -> StandardVersion:
    """The current version of the standard; the first one is made from the catalog's active items if
    there is none yet (idempotent)."""
    version = current_standard()
    if version is not None:
        return version
    lines = {
        i.pk: {
            "qty_per_officer": i.qty_per_officer,
            "service_life_years": i.service_life_years,
            "source": i.source,
        }
        for i in ItemType.objects.filter(is_active=True)
    }
    return _new_version(actor=actor, note=note, lines=lines)


def standard_revise(*, actor, changes: list[dict], note: str) -> StandardVersion:
    """A new version of the standard: the current lines with `changes` applied, each
    {item_code, qty_per_officer?, service_life_years?, source?}. Provincial logistics only. Every figure
    is checked before anything is written; a revision that changes nothing is refused."""
    _require(actor, scope.PROVINCE)
    if not note or not note.strip():
        raise QMError("note_required", gettext("须说明修订原因"), {"field": "note"})
    if not changes:
        raise QMError("no_changes", gettext("没有修改"), {"field": "changes"})
    with transaction.atomic():
        standard_ensure(actor=actor)
        items = {i.code: i for i in ItemType.objects.select_for_update().filter(is_active=True)}
        lines = _current_lines()
        seen = set()
        touched = []
        for n, change in enumerate(changes, start=1):
            where = {"row": n, "item_code": change.get("item_code")}
            code = change.get("item_code")
            bad = set(change) - STANDARD_FIELDS - {"item_code"}
            if bad:
                raise QMError(
                    "not_editable",
                    gettext("第 {n} 项 不可修改的字段：{sorted}").format(n=n, sorted=", ".join(sorted(bad))),
                    {**where, "fields": sorted(bad)},
                )
            if code not in items:
                raise QMError(
                    "unknown_item",
                    gettext("第 {n} 项 未知或停用的品类：{code!r}").format(n=n, code=code),
                    {**where, "field": "item_code"},
                )
            if code in seen:
                raise QMError(
                    "duplicate_item",
                    gettext("第 {n} 项 品类重复：{code}").format(n=n, code=code),
                    {**where, "field": "item_code"},
                )
            seen.add(code)
            item = items[code]
            line = dict(
                lines.get(item.pk)
                or {
                    "qty_per_officer": item.qty_per_officer,
                    "service_life_years": item.service_life_years,
                    "source": item.source,
                }
            )
            line.update({k: change[k] for k in STANDARD_FIELDS if k in change})
            _check_standard_values(where, line["qty_per_officer"], line["service_life_years"], line["source"])
            if line != lines.get(item.pk):
                lines[item.pk] = line
                touched.append((item, line))
        if not touched:
            raise QMError("no_changes", gettext("与现行标准相同"))
        version = _new_version(actor=actor, note=note, lines=lines)
        _mirror(actor, touched, note=f"配发标准 v{version.number}: {note}")
    return version


def _mirror(actor, touched, note: str) -> None:
    """Keep each item's own figures equal to the current standard's (the catalog shows them)."""
    records = []
    for item, line in touched:
        before = snapshot(item)
        for k, v in line.items():
            setattr(item, k, v)
        item.save(update_fields=[*line, "updated_at"])
        records.append(build_record(actor=actor, obj=item, action=Action.UPDATE, before=before, note=note))
    record_changes(records)


def _check_item_fields(fields: dict) -> None:
    for key in ("name_zh", "name_en", "name_men", "name_women"):
        if key in fields and (
            not isinstance(fields[key], str) or not fields[key].strip() or len(fields[key]) > 100
        ):
            raise QMError("bad_name", gettext("名称无效：{key}").format(key=key), {"field": key})
    if "category" in fields and fields["category"] not in Category.values:
        raise QMError(
            "bad_category",
            gettext("未知类别：{category!r}").format(category=fields["category"]),
            {"field": "category"},
        )
    if "size_system" in fields and fields["size_system"] not in SizeSystem.values:
        raise QMError(
            "bad_size_system",
            gettext("未知号型体系：{size_system!r}").format(size_system=fields["size_system"]),
            {"field": "size_system"},
        )
    if "note" in fields and len(fields["note"] or "") > 200:
        raise QMError("bad_note", gettext("备注过长"), {"field": "note"})


def item_type_create(
    *,
    actor,
    code: str,
    name_zh: str,
    name_en: str,
    name_men: str,
    name_women: str,
    category: str,
    size_system: str,
    qty_per_officer: int,
    service_life_years: int,
    source: str,
    note: str = "",
    sort_order: int | None = None,
) -> ItemType:
    """Add an item to the catalog and to a new version of the standard (provincial logistics)."""
    _require(actor, scope.PROVINCE)
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise QMError(
            "bad_code",
            gettext("代码须为大写字母、数字和连字符"),
            {"field": "code"},
        )
    fields = dict(
        name_zh=name_zh,
        name_en=name_en,
        name_men=name_men,
        name_women=name_women,
        category=category,
        size_system=size_system,
        note=note,
    )
    _check_item_fields(fields)
    _check_standard_values({}, qty_per_officer, service_life_years, source)
    with transaction.atomic():
        if ItemType.objects.filter(code=code).exists():
            raise Conflict(
                "duplicate_code", gettext("品类代码已存在：{code}").format(code=code), {"field": "code"}
            )
        standard_ensure(actor=actor)
        if sort_order is None:
            sort_order = (
                ItemType.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
            ) + 1
        item = ItemType.objects.create(
            code=code,
            qty_per_officer=qty_per_officer,
            service_life_years=service_life_years,
            source=source.strip(),
            sort_order=sort_order,
            **fields,
        )
        record_change(actor=actor, obj=item, action=Action.CREATE)
        lines = _current_lines()
        lines[item.pk] = {
            "qty_per_officer": qty_per_officer,
            "service_life_years": service_life_years,
            "source": item.source,
        }
        _new_version(
            actor=actor, note=pgettext("item added: {code}", "新增品类").format(code=code), lines=lines
        )
    return item


def item_type_update(*, actor, item: ItemType, note: str = "", **fields) -> ItemType:
    """Change an item's names, category, size system, note or order; a change of its quantity, service
    life, source or being in force (is_active) makes a new version of the standard."""
    _require(actor, scope.PROVINCE)
    bad = set(fields) - NAME_FIELDS - STANDARD_FIELDS - {"is_active"}
    if bad:
        raise QMError(
            "not_editable",
            gettext("不可修改的字段：{sorted}").format(sorted=", ".join(sorted(bad))),
            {"fields": sorted(bad)},
        )
    _check_item_fields(fields)
    if "is_active" in fields and not isinstance(fields["is_active"], bool):
        raise QMError("bad_is_active", gettext("is_active 须为 true 或 false"), {"field": "is_active"})
    with transaction.atomic():
        touches_standard = bool(set(fields) & (STANDARD_FIELDS | {"is_active"}))
        if touches_standard:
            standard_ensure(actor=actor)  # so the version before the change exists
        item = ItemType.objects.select_for_update().get(pk=item.pk)
        before = snapshot(item)
        std = {k: fields.pop(k) for k in list(fields) if k in STANDARD_FIELDS}
        merged = {
            "qty_per_officer": item.qty_per_officer,
            "service_life_years": item.service_life_years,
            "source": item.source,
            **std,
        }
        if std:
            _check_standard_values(
                {"item_code": item.code},
                merged["qty_per_officer"],
                merged["service_life_years"],
                merged["source"],
            )
        for k, v in {**fields, **std}.items():
            setattr(item, k, v)
        item.save()
        record_change(actor=actor, obj=item, action=Action.UPDATE, before=before, note=note)
        lines = _current_lines()
        new_lines = dict(lines)
        if item.is_active:
            new_lines[item.pk] = {k: merged[k] for k in STANDARD_FIELDS}
        else:
            new_lines.pop(item.pk, None)
        if touches_standard and new_lines != lines:
            what = gettext("停用品类") if not item.is_active else gettext("修订")
            _new_version(
                actor=actor, note=f"{what}: {item.code}" + (f" — {note}" if note else ""), lines=new_lines
            )
    return item


def skirt_choice_set(*, actor, officer, skirts: int) -> SkirtChoice:
    """Record how many of a woman's bottoms are skirts (0 up to the trousers' quantity, at most 2).
    Staff who keep the roll over the officer's unit (province, city, county)."""
    _require(actor, scope.PROVINCE, scope.CITY, scope.COUNTY, unit=officer.unit)
    if officer.gender != "F":
        raise QMError("not_female", gettext("仅女警可选择裙装"), {"field": "skirts"})
    trousers = ItemType.objects.filter(code=SKIRT_ITEM).first()
    limit = min(2, trousers.qty_per_officer) if trousers else 2
    if not isinstance(skirts, int) or isinstance(skirts, bool) or not 0 <= skirts <= limit:
        raise QMError("bad_skirts", gettext("裙子数须为 0–{limit}").format(limit=limit), {"field": "skirts"})
    with transaction.atomic():
        choice = SkirtChoice.objects.select_for_update().filter(officer=officer).first()
        if choice is None:
            choice = SkirtChoice.objects.create(officer=officer, skirts=skirts)
            record_change(actor=actor, obj=choice, action=Action.CREATE)
        elif choice.skirts != skirts:
            before = snapshot(choice)
            choice.skirts = skirts
            choice.save()
            record_change(actor=actor, obj=choice, action=Action.UPDATE, before=before)
    return choice


ROW_COLUMNS = "snapshot_id, city_code, item_code, gender, size, quantity"


def _insert_rows(snap: DemandSnapshot, rows: dict) -> None:
    """The snapshot's rows, tens of thousands: COPY on PostgreSQL, one executemany on SQLite (bulk_create
    builds a model instance per row and is 5–10× slower; big multi-row INSERTs are slow to bind)."""
    table = connection.ops.quote_name(SnapshotRow._meta.db_table)
    values = [(snap.pk, c, i, g, s, q) for (c, i, g, s), q in sorted(rows.items())]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({ROW_COLUMNS}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({ROW_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)", values)


def snapshot_create(
    *, actor, note: str = "", margin_percent: int = demand_mod.MARGIN_PERCENT
) -> DemandSnapshot:
    """Freeze the province's demand under the current standard (provincial logistics): rows per city ×
    item × gender × size, totals, made-to-measure lines, unknown sizes and each officer's sizes."""
    if actor is not None:
        _require(actor, scope.PROVINCE)
    if len(note or "") > 300:
        raise QMError("bad_note", gettext("说明过长"), {"field": "note"})
    with transaction.atomic():
        standard = standard_ensure(actor=actor)
        d = demand_mod.compute(standard=standard, margin_percent=margin_percent)
        snap = DemandSnapshot.objects.create(
            created_by=actor,
            created_by_name=actor.get_username() if actor else "system",
            standard_version=standard,
            margin_percent=margin_percent,
            note=note or "",
            officer_count=len(d.officers),
            totals=d.totals(),
            made_to_measure=d.made_to_measure,
            unknown=d.unknown,
            officers=d.officers,
        )
        _insert_rows(snap, d.rows)
        record_change(
            actor=actor,
            obj=snap,
            action=Action.CREATE,
            note=note,
            after={
                "standard_version": standard.number,
                "officer_count": snap.officer_count,
                "rows": len(d.rows),
                "margin_percent": margin_percent,
            },
        )
    return snap
