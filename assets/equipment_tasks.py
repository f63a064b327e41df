"""Celery tasks of station equipment (thin: ids in, a service called)."""

from celery import shared_task

from .equipment_models import Survey


@shared_task
def equipment_survey_reminders() -> int:
    """Daily: announce the open survey and remind agencies with stations yet to submit near the deadline."""
    from .equipment_services import survey_notify

    return sum(
        survey_notify(survey_id=pk)
        for pk in Survey.objects.filter(status="open").values_list("pk", flat=True)
    )
