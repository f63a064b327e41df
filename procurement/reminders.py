"""Daily reminders to provincial logistics: milestones due in 3 days and overdue ones."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model

from core import scope
from core.notifications import notify

from .selectors import milestones_to_remind


def email_configured() -> bool:
    backend = getattr(settings, "EMAIL_BACKEND", "")
    return bool(backend) and "console" not in backend and "dummy" not in backend


def logistics_users():
    return (
        get_user_model()
        .objects.filter(memberships__role=scope.PROVINCE, memberships__is_active=True, is_active=True)
        .distinct()
    )


def send_milestone_reminders(today: datetime.date) -> dict:
    """Notify each provincial logistics user once per milestone and planned date (dedupe key)."""
    due, overdue = milestones_to_remind(today)
    users = list(logistics_users())
    email = email_configured()
    sent = 0
    for kind, milestones in (("due", due), ("overdue", overdue)):
        for m in milestones:
            if kind == "due":
                title = f"【3天后到期】{m.tender.title}：{m.name}（计划 {m.planned_date}）"
            else:
                title = f"【已逾期】{m.tender.title}：{m.name}（计划 {m.planned_date}）"
            body = (
                f"{m.tender.reference} {m.name} planned {m.planned_date}"
                f"{' is due in 3 days' if kind == 'due' else ' is overdue: record the actual date or re-plan'}"
            )
            for user in users:
                n = notify(
                    user=user,
                    kind=f"procurement.milestone_{kind}",
                    title=title,
                    body=body,
                    link=f"/api/v1/procurement/tenders/{m.tender_id}/timeline",
                    dedupe_key=f"procurement:{kind}:{m.pk}:{m.planned_date}",
                    email=email,
                )
                sent += n is not None
    return {"due": len(due), "overdue": len(overdue), "sent": sent}
