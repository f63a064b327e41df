"""What every page shares: the page decorator (login, QMError → 404/403/400 pages), the navigation by
role and the blocks of the start page, both collected from each app's `<app>/pages.py`.

An app that has pages declares in `<app>/pages.py`:

    NAV = [NavItem(key="shipments", zh="发运签收", en="Shipments", url_name="distribution:shipments",
                   roles=(CITY, PROVINCE, AUDITOR), order=30)]

    def start_blocks(request) -> list[Block]:
        # what is waiting for this user, from the app's selectors (never fake data)
        return [Block(key="shipments_to_confirm", zh="待签收发运", en="Shipments to confirm", order=10,
                      figures=[Figure(zh="待签收", en="to confirm", value=n, url="/distribution/...")])]

    def dashboard_sections(request) -> list[Section]:
        # the dashboard's parts, each with its own template and (optionally) an ECharts chart
        ...

The start page shows the blocks of every app in `order`; the header shows the NAV items the user's roles
may see. An app without pages.py simply contributes nothing.
"""

import functools
from dataclasses import dataclass, field
from importlib import import_module
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from . import scope
from .errors import Forbidden, NotFound, QMError
from .i18n import is_en, tr  # noqa: F401 - re-exported: the pages' long-standing names

APPS = ["personnel", "assets", "procurement", "distribution", "vehicles", "reports"]

# The start page's blocks, in this order, so a module added later lands where users expect it.
# Modules fill them from their own `start_blocks(request)`; the keys are documented here only.
BLOCK_ORDER = {
    "roll": 10,  # personnel: officers in scope, staffing rate, without measurements
    "shipments_to_confirm": 20,  # distribution (city): shipments arrived, not yet confirmed
    "kits_to_issue": 30,  # distribution (county): eligible officers without their kit
    "milestones_due": 40,  # procurement (province): tender milestones due or late
    "papers_expiring": 50,  # vehicles: insurance / inspection running out
    "surveys_open": 60,  # assets/stations: station surveys to fill in
    "reports": 70,  # reports: my reports running or ready
    "notifications": 90,  # core: unread notifications
}


@dataclass(frozen=True)
class NavItem:
    key: str
    zh: str
    en: str
    url_name: str
    roles: tuple[str, ...] = scope.ALL_ROLES
    order: int = 100

    @property
    def label(self) -> str:
        return tr(self.zh, self.en)


@dataclass
class Figure:
    """One number on the start page or a dashboard, with the list behind it."""

    zh: str
    en: str
    value: object
    url: str = ""
    tone: str = ""  # "" / "warn" / "ok"
    note: str = ""
    display: str = ""  # shown instead of the value when set (a rate, a date)

    @property
    def label(self) -> str:
        return tr(self.zh, self.en)


@dataclass
class Block:
    key: str
    zh: str
    en: str
    figures: list[Figure] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)  # {"text": ..., "url": ..., "meta": ...}
    url: str = ""
    empty_zh: str = "暂无待办"
    empty_en: str = "Nothing waiting"
    order: int | None = None

    @property
    def title(self) -> str:
        return tr(self.zh, self.en)

    @property
    def empty(self) -> str:
        return tr(self.empty_zh, self.empty_en)

    @property
    def sort_key(self) -> int:
        return self.order if self.order is not None else BLOCK_ORDER.get(self.key, 80)


@functools.cache
def _modules() -> tuple:
    """The apps' pages modules, looked up once per process."""
    found = []
    for app in APPS:
        try:
            found.append(import_module(f"{app}.pages"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.pages":
                raise
    return tuple(found)


CORE_NAV = [NavItem(key="dashboard", zh="看板", en="Dashboard", url_name="core:dashboard", order=10)]


def nav_for(user) -> list[dict]:
    """The header's links for this user's roles: [{key, label, url}]."""
    user_roles = scope.roles(user)
    items = []
    declared = [*CORE_NAV]
    for module in _modules():
        declared.extend(getattr(module, "NAV", []))
    for item in declared:
        if not user_roles.intersection(item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # an app's pages not wired (yet)
            continue
        items.append((item.order, item.key, item.label, url))
    return [{"key": k, "label": label, "url": url} for _o, k, label, url in sorted(items)]


def collect_start_blocks(request) -> list[Block]:
    blocks = []
    for module in _modules():
        fn = getattr(module, "start_blocks", None)
        if fn is not None:
            blocks.extend(fn(request))
    return sorted(blocks, key=lambda b: b.sort_key)


@dataclass
class Section:
    """A part of the dashboard: an app's template (included with `section` in its context) and data.
    `chart` is an ECharts option (JSON-able) and `links` the list URL behind each data point; the page
    draws it with core/static/core/charts.js, so no page needs its own script."""

    key: str
    zh: str
    en: str
    template: str
    context: dict = field(default_factory=dict)
    chart: dict | None = None
    links: list[str] = field(default_factory=list)
    chart_height: int = 360
    order: int = 100

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def title(self) -> str:
        return tr(self.zh, self.en)

    @property
    def chart_spec(self) -> dict | None:
        return {"option": self.chart, "links": self.links} if self.chart else None


def collect_dashboard_sections(request) -> list[Section]:
    sections = []
    for module in _modules():
        fn = getattr(module, "dashboard_sections", None)
        if fn is not None:
            sections.extend(fn(request))
    return sorted(sections, key=lambda s: s.order)


ROLE_LABELS = {
    scope.PROVINCE: ("省厅后勤", "Provincial logistics"),
    scope.CITY: ("市州", "City staff"),
    scope.COUNTY: ("县级执法机构", "County agency"),
    scope.AUDITOR: ("审计", "Auditor"),
}


def may_write(check, *args, **kwargs) -> bool:
    """Whether a page offers its write controls (submit buttons, editable fields): the service's own
    permission rule, run for the page's user. `check` is the rule the service applies — a predicate, or a
    check that raises Forbidden / NotFound — so a page never restates roles; users who may not write (the
    auditor) get the read-only view, and the service refuses the write anyway."""
    try:
        allowed = check(*args, **kwargs)
    except (Forbidden, NotFound):
        return False
    return allowed is None or bool(allowed)


def role_label(user) -> str:
    """The user's main role (province > city > county > auditor) in the active language."""
    user_roles = scope.roles(user)
    for role in (scope.PROVINCE, scope.CITY, scope.COUNTY, scope.AUDITOR):
        if role in user_roles:
            return tr(*ROLE_LABELS[role])
    return ""


def error_page(request, exc: QMError):
    if isinstance(exc, NotFound):
        template, status = "404.html", 404
    elif isinstance(exc, Forbidden):
        template, status = "403.html", 403
    else:
        template, status = "core/error.html", exc.status
    if is_htmx(request):  # a part of a page asked for: answer with the message only, in place
        template = "core/_error_inline.html"
    return render(request, template, {"error": exc, "status": status}, status=status)


def page(view=None, *, roles: tuple[str, ...] | None = None):
    """A page for logged-in users. Out of scope (NotFound) renders the 404 page, a role that may not
    (Forbidden, or not in `roles`) the 403 page and any other QMError its message, the same in DEBUG."""

    def wrap(fn):
        @functools.wraps(fn)
        def outer(request, *args, **kwargs):
            if is_htmx(request) and not request.user.is_authenticated:
                return htmx_login_redirect(request)
            return inner(request, *args, **kwargs)

        @login_required
        @functools.wraps(fn)
        def inner(request, *args, **kwargs):
            try:
                if roles is not None and not scope.roles(request.user).intersection(roles):
                    raise Forbidden()
                return fn(request, *args, **kwargs)
            except QMError as exc:
                return error_page(request, exc)

        return outer

    return wrap(view) if view is not None else wrap


def htmx_login_redirect(request):
    """An htmx request (a polling progress bar, a search box) whose session has ended: the log-in page must
    not be swapped into the fragment, so htmx is told to load it as a whole page (HX-Redirect), coming back
    to the page the user was on (its path from the Referer, when it is ours)."""
    back = request.headers.get("Referer", "")
    path = (
        urlsplit(back).path
        if back
        and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else ""
    )
    target = settings.LOGIN_URL + (f"?{urlencode({'next': path})}" if path else "")
    resp = HttpResponse(status=200)
    resp["HX-Redirect"] = target
    return resp


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
