from celery import shared_task
from django.contrib.auth import get_user_model

from .notifications import notify


@shared_task(bind=True)
def notify_task(
    self, user_id: int, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = ""
) -> dict:
    """Send an in-app notification from a worker; returns where it ran (tests check the broker path)."""
    user = get_user_model().objects.get(pk=user_id)
    n = notify(user=user, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key)
    return {
        "notification_id": n.pk if n else None,
        "hostname": self.request.hostname,
        "eager": bool(self.request.is_eager),
    }
