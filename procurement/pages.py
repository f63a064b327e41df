"""The tender's part of the pages: menu entries, "milestones due" on provincial logistics' start page and
the dashboard's Gantt of the current tender."""

from django.urls import reverse
from django.utils.translation import gettext

from core import scope
from core.pages import Block, Figure, NavItem, Section
from core.templatetags.qm import cn_date

from . import selectors
from .choices import TenderStatus
from .views import gantt_spec, label, tender_url

NAV = [
    NavItem(key="tenders", zh="招标", en="Tenders", url_name="procurement:tenders", order=50),
    NavItem(
        key="contracts",
        zh="合同",
        en="Contracts",
        url_name="procurement:contracts",
        roles=(scope.PROVINCE, scope.CITY, scope.AUDITOR),
        order=52,
    ),
]


def start_blocks(request) -> list[Block]:
    """Provincial logistics: the milestones of open tenders overdue or due within 3 days."""
    user = request.user
    if not scope.has_role(user, scope.PROVINCE):
        return []
    due = selectors.milestones_due(user)
    overdue = [m for m in due if m["status"] == "overdue"]
    soon = [m for m in due if m["status"] == "due_soon"]
    first_url = tender_url(due[0]["tender"].pk) if due else ""
    return [
        Block(
            key="milestones_due",
            zh="招标节点到期",
            en="Milestones due",
            url=reverse("procurement:tenders"),
            figures=[
                Figure(
                    zh="已逾期",
                    en="Overdue",
                    value=len(overdue),
                    url=f"{tender_url(overdue[0]['tender'].pk)}#m-{overdue[0]['code']}"
                    if overdue
                    else first_url,
                    tone="warn" if overdue else "ok",
                ),
                Figure(
                    zh=f"{selectors.DUE_SOON_DAYS}天内到期",
                    en=f"Due within {selectors.DUE_SOON_DAYS} days",
                    value=len(soon),
                    url=f"{tender_url(soon[0]['tender'].pk)}#m-{soon[0]['code']}" if soon else first_url,
                    tone="warn" if soon else "ok",
                ),
            ],
            items=[
                {
                    "text": f"{label(m['name'])}",
                    "url": f"{tender_url(m['tender'].pk)}#m-{m['code']}",
                    "meta": f"{m['tender'].reference} · {gettext('计划')} {cn_date(m['planned_date'])}",
                }
                for m in due[:8]
            ],
        )
    ]


def dashboard_sections(request) -> list[Section]:
    """Province-wide users: the Gantt of the newest open tender (the one the April target is about)."""
    user = request.user
    if scope.scope_paths(user) is not None or not scope.memberships(user):
        return []
    tenders = selectors.tenders_for(user)
    tender = (
        tenders.exclude(status__in=[TenderStatus.COMPLETE, TenderStatus.CANCELLED]).first() or tenders.first()
    )
    if tender is None:
        return []
    tl = selectors.timeline(tender)
    url = tender_url(tender.pk)
    title = gettext("招标时间线")
    return [
        Section(
            key="tender_gantt",
            zh=title,
            en=title,
            template="procurement/dashboard_gantt.html",
            context={
                "tender": tender,
                "tl": tl,
                "url": url,
                "gantt": gantt_spec(tl, link=url),
                "gantt_id": "gantt-dashboard",
                "gantt_height": 80 + 30 * len(tl["milestones"]),
            },
            order=30,
        )
    ]
