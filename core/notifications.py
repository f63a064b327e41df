"""In-app notifications (and e-mail when the user has an address and e-mail is configured)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from .models import Notification


def notify(
    *, user, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = "", email: bool = False
) -> Notification | None:
    """Send one notification. With a dedupe_key the same user gets it once, however often asked."""
    try:
        with transaction.atomic():
            n = Notification.objects.create(
                user=user, kind=kind, title=title[:200], body=body, link=link, dedupe_key=dedupe_key[:200]
            )
    except IntegrityError:
        return None
    if email and user.email:
        transaction.on_commit(
            lambda: send_mail(
                title, body or title, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True
            )
        )
    return n
