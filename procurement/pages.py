"""The tender's part of the pages: menu entries, "milestones due" on provincial logistics' start page and
the dashboard's Gantt of the current tender."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext

from core import scope
from core.pages import Block, Figure, NavItem, Section
from core.templatetags.qm import cn_date

from . import selectors
from .choices import ContractStatus, DeliveryStatus, TenderStatus
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
    return _contracts_block(request) + _milestones_block(request)


def _contracts_block(request) -> list[Block]:
    """统采分签: contracts waiting for this user's signature, deliveries to their store (or under their
    contracts) waiting for arrival or 验收. City and county staff and provincial logistics; not the auditor."""
    user = request.user
    if not scope.has_role(user, scope.PROVINCE, scope.CITY, scope.COUNTY):
        return []
    drafts = selectors.contracts_for(user).filter(status=ContractStatus.DRAFT)
    if not scope.has_role(user, scope.PROVINCE, scope.CITY):
        drafts = drafts.none()
    waiting = selectors.deliveries_waiting(user)
    to_sign = drafts.count()
    arrived = list(waiting.filter(status=DeliveryStatus.ARRIVED)[:8])
    announced = list(waiting.filter(status=DeliveryStatus.ANNOUNCED)[:8])
    counts = {
        r["status"]: r["n"]
        for r in waiting.order_by().values("status").annotate(n=Count("id")).values("status", "n")
    }
    first = drafts.first() if to_sign else None
    return [
        Block(
            key="contracts_todo",
            zh="合同与验收待办",
            en="Contracts and acceptance to do",
            url=reverse("procurement:contracts"),
            order=25,
            figures=[
                Figure(
                    zh="待签订合同",
                    en="Contracts to sign",
                    value=to_sign,
                    url=reverse("procurement:contract", args=[first.pk]) if first else "",
                    tone="warn" if to_sign else "ok",
                ),
                Figure(
                    zh="待验收批次",
                    en="Deliveries to accept",
                    value=counts.get(DeliveryStatus.ARRIVED, 0),
                    url=reverse("procurement:delivery", args=[arrived[0].pk]) if arrived else "",
                    tone="warn" if arrived else "ok",
                ),
                Figure(
                    zh="待到货批次",
                    en="Deliveries announced",
                    value=counts.get(DeliveryStatus.ANNOUNCED, 0),
                    url=reverse("procurement:delivery", args=[announced[0].pk]) if announced else "",
                ),
            ],
            items=[
                {
                    "text": f"{d.number} → {d.destination.name}",
                    "url": reverse("procurement:delivery", args=[d.pk]),
                    "meta": f"{d.contract.number} · {label(DeliveryStatus(d.status).label)}",
                }
                for d in (arrived + announced)[:8]
            ],
        )
    ]


def _milestones_block(request) -> list[Block]:
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
