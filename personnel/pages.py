"""The roll's part of the pages: its menu entries, its start-page block and its dashboard section."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from core import scope
from core.pages import Block, Figure, NavItem, Section

from . import selectors

NAV = [
    NavItem(key="roll", zh="花名册", en="Roll", url_name="personnel:officers", order=20),
    NavItem(key="lacking", zh="缺测量", en="Missing measurements", url_name="personnel:lacking", order=25),
    NavItem(
        key="roll_upload",
        zh="上传花名册",
        en="Upload roll",
        url_name="personnel:upload",
        roles=(scope.PROVINCE, scope.CITY),
        order=28,
    ),
    NavItem(
        key="data_accesses",
        zh="个人信息查阅记录",
        en="Personal data accesses",
        url_name="personnel:data_accesses",
        roles=(scope.PROVINCE, scope.AUDITOR),
        order=29,
    ),
]


def officers_url(**params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse("personnel:officers") + (f"?{urlencode(params)}" if params else "")


def lacking_url(unit: str | None = None) -> str:
    return reverse("personnel:lacking") + (f"?{urlencode({'unit': unit})}" if unit else "")


def short_name(name: str) -> str:
    """长沙市交通运输综合行政执法支队 → 长沙市支队 (chart labels)."""
    return name.replace("交通运输综合行政执法", "")


def data_access_block(request) -> list[Block]:
    """Auditors and provincial logistics: how many full ID numbers were shown outside the chain (30 days)."""
    import datetime

    from django.utils import timezone

    from . import privacy

    if not scope.has_role(request.user, scope.PROVINCE, scope.AUDITOR):
        return []
    since = timezone.now() - datetime.timedelta(days=30)
    n = privacy.accesses_for(request.user).filter(at__gte=since).count()
    url = reverse("personnel:data_accesses")
    return [
        Block(
            key="personal_data",
            zh="个人信息查阅记录",
            en="Personal data accesses",
            url=url,
            order=85,
            figures=[
                Figure(
                    zh="近30天完整身份证号查阅", en="Full ID numbers shown, last 30 days", value=n, url=url
                )
            ],
        )
    ]


def start_blocks(request) -> list[Block]:
    s = selectors.roll_summary(request.user)
    rate = s["staffing_rate"]
    return data_access_block(request) + [
        Block(
            key="roll",
            zh="花名册",
            en="Roll",
            url=officers_url(),
            figures=[
                Figure(
                    zh="在岗人员",
                    en="Officers in post",
                    value=s["officers_in_post"],
                    url=officers_url(status="in_post"),
                ),
                Figure(
                    zh="编制数",
                    en="Authorised posts",
                    value=s["authorised_posts"],
                    url=reverse("core:dashboard"),
                ),
                Figure(
                    zh="到位率",
                    en="Staffing rate",
                    value=rate,
                    url=reverse("core:dashboard"),
                    display="—" if rate is None else f"{rate * 100:.1f}%",
                ),
                Figure(
                    zh="缺测量人员",
                    en="Without measurements",
                    value=s["lacking_measurements"],
                    url=lacking_url(),
                    tone="warn" if s["lacking_measurements"] else "ok",
                    note=gettext("应配发人员中"),
                ),
            ],
        )
    ]


def dashboard_sections(request) -> list[Section]:
    rows = selectors.staffing_breakdown(request.user)
    for row in rows:
        row["short_name"] = (gettext("本级 ") if row["own"] else "") + short_name(row["name"])
        row["officers_url"] = officers_url(unit=row["code"], status="in_post", own="1" if row["own"] else "")
        row["lacking_url"] = lacking_url(row["code"])
    # horizontal bars read best with many long names and on a phone; first row on top
    shown = list(reversed(rows))
    chart = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 48, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": [
            {"type": "value", "name": gettext("人")},
            {"type": "value", "name": "%", "max": 100, "position": "top", "show": False},
        ],
        "yAxis": {"type": "category", "data": [r["short_name"] for r in shown]},
        "series": [
            {
                "name": gettext("编制数"),
                "type": "bar",
                "data": [r["authorised_posts"] for r in shown],
                "itemStyle": {"color": "#b8c4d6"},
                "barGap": "-100%",
            },
            {
                "name": gettext("在岗人员"),
                "type": "bar",
                "data": [r["officers_in_post"] for r in shown],
                "itemStyle": {"color": "#1f5fa8"},
                "label": {"show": True, "position": "right", "formatter": "thousands"},
            },
        ],
    }
    title = gettext("人员到位（按单位）")
    return [
        Section(
            key="staffing",
            zh=title,
            en=title,
            template="personnel/dashboard_staffing.html",
            context={"rows": rows},
            chart=chart,
            chart_height=90 + 34 * len(rows),
            links=[r["officers_url"] for r in shown],
            order=10,
        )
    ]
