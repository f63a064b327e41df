from celery import shared_task
from django.utils import timezone

from core.context import change_source


@shared_task
def milestone_reminders() -> dict:
    """Daily (beat, procurement/schedules.py): milestones due in 3 days and overdue ones."""
    from .reminders import send_milestone_reminders

    with change_source("task"):
        return send_milestone_reminders(timezone.localdate())
