"""The report kinds. A kind is a data function (user, params → ReportData, plain rows, scoped) plus renderers
(ReportData → file). Add a kind by writing both and calling register(); nothing else in reports/ changes."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from core.errors import QMError
from core.i18n import tr

Progress = Callable[[int, str], None]


def no_progress(_pct: int, _message: str) -> None:
    return None


@dataclass
class Section:
    """A part of a report that prints and files on its own: usually one unit (PDF page numbers restart)."""

    key: str
    title: str
    group: str = ""  # e.g. the city name: Excel writes one sheet per group when the kind asks for it
    rows: list[tuple] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReportData:
    """What a data function returns: plain data, already restricted to the requester's scope."""

    kind: str
    title: str
    scope_label: str  # the unit(s) the report covers, e.g. "长沙市"
    requested_by: str
    requested_at: datetime.datetime
    sources: list[str]
    columns: list["Column"]
    sections: list[Section]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        # every page says when it was asked for in the users' time (Asia/Shanghai), whatever the caller passed
        if timezone.is_aware(self.requested_at):
            self.requested_at = timezone.localtime(self.requested_at)

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sections)


@dataclass(frozen=True)
class Column:
    key: str
    text: str | tuple[str, str]  # the header: ("序号", "No.") prints in the active language; a str as it is
    width_mm: float = 20  # PDF column width (fixed table layout)
    xlsx_width: float = 12  # Excel column width (characters)
    number_format: str = "@"  # Excel: text by default; "0" for counts, "0.00" for money…

    @property
    def label(self) -> str:
        return tr(*self.text) if isinstance(self.text, tuple) else self.text


class ParamsBase(BaseModel):
    """Common parameters: which part of the user's scope. Kinds extend it; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")
    city: str | None = None
    county: str | None = None


@dataclass(frozen=True)
class ReportKind:
    kind: str
    title: str
    collect: Callable[..., ReportData]  # collect(user, params, *, progress, now) → ReportData
    renderers: dict[str, Callable[[ReportData, Path, Progress], None]]
    params: type[ParamsBase] = ParamsBase
    description: str = ""
    title_en: str = ""
    description_en: str = ""

    @property
    def label(self) -> str:
        """The title in the active language (file names, the printed title)."""
        return tr(self.title, self.title_en or self.title)

    @property
    def about(self) -> str:
        """The description in the active language."""
        return tr(self.description, self.description_en or self.description)

    @property
    def formats(self) -> list[str]:
        return list(self.renderers)

    def parse_params(self, raw: dict | None) -> ParamsBase:
        try:
            return self.params.model_validate(raw or {})
        except PydanticValidationError as exc:
            fields = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
            ]
            first = fields[0]
            raise QMError(
                "bad_params",
                gettext("参数有误：{field} {message}").format(field=first["field"], message=first["message"]),
                {"fields": fields},
            ) from None


_KINDS: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    _KINDS[kind.kind] = kind
    return kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def kinds() -> dict[str, ReportKind]:
    _load_builtin()
    return dict(_KINDS)


def get_kind(name: str) -> ReportKind:
    _load_builtin()
    try:
        return _KINDS[name]
    except KeyError:
        raise QMError(
            "unknown_kind",
            gettext("未知报表类型：{name!r}").format(name=name),
            {"field": "kind", "known": sorted(_KINDS)},
        ) from None


def _load_builtin() -> None:
    from . import kinds as _kinds  # noqa: F401 - registers the built-in kinds on import
