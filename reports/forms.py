"""The report centre's request form: which inputs a report kind takes, read from its parameters model (the
registry), and the posted form turned back into the parameters the API takes. Choices come from the owning
apps' selectors, so a user is only offered what is in their scope; the service checks everything again."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext

from core.errors import NotFound, QMError
from core.pages import tr
from personnel.choices import Level
from personnel.models import OrgUnit

from .registry import ReportKind

# English titles of the built-in kinds (the registry's titles are Chinese, as printed on the reports).
KIND_EN = {
    "distribution-progress": "Distribution progress",
    "receipt-form": "Receipt form",
    "sign-for-sheets": "Sign-for sheets",
    "kit-card": "Kit card",
    "size-table": "Size table",
    "vehicle-allocation": "Vehicle allocation",
    "tender-timeline": "Tender timeline",
    "station-condition": "Station condition",
    "procurement-reconciliation": "Procurement reconciliation",
    "badge-list": "Badge number list",
    "packing-list": "Packing list",
}
# Which unit levels a kind may be narrowed to (its `city` / `county` parameters); the default is both.
# Kinds about one object (a shipment, an officer, a tender) are not narrowed by unit at all.
UNIT_LEVELS = {
    "receipt-form": (),
    "kit-card": (),
    "tender-timeline": (),
    "size-table": (Level.CITY,),
    "procurement-reconciliation": (Level.CITY,),
}
LABELS = {
    "unit": ("单位", "Unit"),
    "shipment": ("发运单", "Shipment"),
    "officer": ("人员", "Officer"),
    "snapshot": ("需求快照", "Demand snapshot"),
    "tender": ("采购项目", "Tender"),
    "include_ineligible": (
        "也列出不符合领取条件的人员（核对用）",
        "Also list officers not eligible (for checking)",
    ),
    "format": ("格式", "Format"),
    "lot": ("标包号（空为全部）", "Lot number (blank: every lot)"),
    "per": ("分别列出", "One list per"),
}
# The choices of a parameter with fixed values (a Literal in the kind's parameters model), by value.
CHOICE_LABELS = {
    "per": {"city": ("每个市州", "city"), "county": ("每个县级单位", "county-level unit")},
}
FORMAT_LABELS = {"pdf": "PDF", "xlsx": "Excel"}


def kind_title(kind: ReportKind) -> str:
    return tr(kind.title, KIND_EN.get(kind.kind, kind.kind))


@dataclass
class Field:
    name: str
    widget: str  # unit / select (an id) / choice (a fixed value) / number / checkbox / text
    label: str
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    help: str = ""
    blank: str = ""  # the label of the empty choice of a select
    levels: dict[str, str] = field(default_factory=dict)  # unit code → level, for the unit select


def label(name: str) -> str:
    zh, en = LABELS.get(name, (name, name))
    return tr(zh, en)


def _units(user, levels) -> list[OrgUnit]:
    return list(OrgUnit.objects.restrict(user).filter(is_active=True, level__in=levels).order_by("path"))


def _shipments(user) -> list[tuple[str, str]]:
    from distribution import selectors as dist

    rows = dist.shipments_for(user).select_related("to_unit").order_by("-id")[:200]
    return [
        (str(s.pk), f"{s.number} → {s.to_unit.name}（{tr(*_split(s.get_status_display()))}）") for s in rows
    ]


def _snapshots(user) -> list[tuple[str, str]]:
    from assets import selectors as demand

    return [
        (str(s.pk), f"#{s.pk} {timezone.localtime(s.created_at):%Y-%m-%d %H:%M} {s.note}".strip())
        for s in demand.snapshots_for(user)[:50]
    ]


def _tenders(user) -> list[tuple[str, str]]:
    from procurement import selectors as procurement

    return [(str(t.pk), f"{t.year} {t.title}（{t.reference}）") for t in procurement.tenders_for(user)[:100]]


MATCHES_SHOWN = 20


def officer_choices(user, query: str) -> list[tuple[str, str]]:
    """Officers in the user's scope matching a name, a certificate number or the start of an ID number (6+
    characters): [(id, "name · unit · certificate")], at most MATCHES_SHOWN."""
    from personnel import selectors as roll

    query = (query or "").strip()
    if not query:
        return []
    return [
        _officer_choice(o) for o in roll.officers_for(user, q=query).order_by("name", "pk")[:MATCHES_SHOWN]
    ]


def officer_by_id(user, value: str) -> list[tuple[str, str]]:
    """The officer a link names by record number (打印被装卡), as the one choice; none when not in scope."""
    from distribution import selectors as dist

    try:
        return [_officer_choice(dist.officer_get(user, int(value)))]
    except (QMError, ValueError):
        return []


def _officer_choice(o) -> tuple[str, str]:
    return str(o.pk), " · ".join(x for x in (o.name, o.unit.name, o.certificate_number) if x)


def _split(label: str) -> tuple[str, str]:
    zh, _, en = str(label).partition(" ")
    return zh, en or zh


def fields_for(user, kind: ReportKind, values) -> list[Field]:
    """The inputs of this kind's form, with the values given (a GET link or the posted form)."""
    schema = kind.params.model_json_schema()
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    out: list[Field] = []
    levels = UNIT_LEVELS.get(kind.kind, (Level.CITY, Level.COUNTY))
    if levels and ("city" in props or "county" in props):
        units = _units(user, levels)
        out.append(
            Field(
                name="unit",
                widget="unit",
                label=label("unit"),
                value=values.get("unit", ""),
                choices=[(u.code, ("　" if u.level == Level.COUNTY else "") + u.name) for u in units],
                levels={u.code: u.level for u in units},
                blank=gettext("我的全部范围"),
                help=gettext("只能选择市州") if levels == (Level.CITY,) else "",
            )
        )
    for name, prop in props.items():
        if name in ("city", "county"):
            continue
        value = str(values.get(name, "") or "")
        is_required = name in required
        if name == "shipment":
            out.append(Field(name, "select", label(name), is_required, _shipments(user), value))
        elif name == "snapshot":
            out.append(
                Field(
                    name,
                    "select",
                    label(name),
                    is_required,
                    _snapshots(user),
                    value,
                    blank=gettext("最新快照"),
                )
            )
        elif name == "tender":
            out.append(
                Field(
                    name,
                    "select",
                    label(name),
                    is_required,
                    _tenders(user),
                    value,
                    blank=gettext("最新项目"),
                )
            )
        elif name == "officer":
            query = str(values.get("officer_q", "") or "")
            choices = officer_by_id(user, value) if value.isdigit() else []  # the officer a link brought in
            if not choices and query:
                choices = officer_choices(user, query)
            out.append(
                Field(
                    name,
                    "officer",
                    label(name),
                    is_required,
                    choices,
                    value,
                    help=gettext(
                        "输入姓名、执法证号或身份证号（前6位以上）查找；人员被装页面的「打印被装卡」会直接带入"
                    ),
                    blank=query,
                )
            )
        elif prop.get("enum"):
            names = CHOICE_LABELS.get(name, {})
            choices = [(v, tr(*names.get(v, (v, v)))) for v in prop["enum"]]
            out.append(
                Field(name, "choice", label(name), True, choices, value or str(prop.get("default", "")))
            )
        elif prop.get("type") == "boolean":
            out.append(
                Field(name, "checkbox", label(name), value="on" if value in ("on", "true", "1") else "")
            )
        elif _int_type(prop):
            out.append(Field(name, "number", label(name), is_required, value=value))
        else:
            out.append(Field(name, "text", label(name), is_required, value=value))
    return out


def _int_type(prop: dict) -> bool:
    types = [prop.get("type")] + [p.get("type") for p in prop.get("anyOf", [])]
    return "integer" in types


def params_from(user, fields: list[Field], post) -> dict:
    """The posted form as the API's `params`. A unit not offered (another city's, or unknown) is NotFound, a
    required input left empty or a number that is not one is a QMError; each names its field. An officer not
    chosen from the matches but typed in the search is taken when exactly one officer matches."""
    params: dict = {}
    for f in fields:
        raw = (post.get(f.name) or "").strip()
        if f.widget == "officer" and not raw and (post.get("officer_q") or "").strip():
            matches = officer_choices(user, post["officer_q"])
            if len(matches) != 1:
                raise QMError(
                    "choose_officer",
                    gettext("没有找到该人员")
                    if not matches
                    else gettext("有 {n_matches} 人符合，请选择一人").format(n_matches=len(matches)),
                    {"field": f.name},
                )
            raw = matches[0][0]
        if f.widget == "checkbox":
            if raw:
                params[f.name] = True
            continue
        if not raw:
            if f.required:
                raise QMError(
                    "required",
                    gettext("请填写{label}：{name}").format(label=f.label, name=f.name),
                    {"field": f.name},
                )
            continue
        if f.widget == "unit":
            level = f.levels.get(raw)
            if level is None:
                raise NotFound(
                    gettext("单位不存在或不在您的权限范围内：{raw}").format(raw=raw), {"field": "unit"}
                )
            params[level] = raw
        elif f.widget == "choice":
            if raw not in {v for v, _text in f.choices}:
                raise QMError(
                    "bad_params",
                    gettext("{label}须为列出的选项之一：{name}").format(label=f.label, name=f.name),
                    {"field": f.name},
                )
            params[f.name] = raw
        elif f.widget in ("select", "number", "officer"):
            if not raw.isdigit():
                raise QMError(
                    "bad_params",
                    gettext("{label}须为编号：{name}").format(label=f.label, name=f.name),
                    {"field": f.name},
                )
            params[f.name] = int(raw)
        else:
            params[f.name] = raw
    return params


def error_field(exc: QMError) -> str:
    """The input an error is about, from its details ({"field": …} or {"fields": [{"field": …}]})."""
    details = exc.details if isinstance(exc.details, dict) else {}
    if details.get("field"):
        name = details["field"]
    elif details.get("fields"):
        name = details["fields"][0].get("field", "")
    else:
        return ""
    return "unit" if name in ("city", "county") else name
