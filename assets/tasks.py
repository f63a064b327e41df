# Celery autodiscovers <app>.tasks: the station equipment tasks live in equipment_tasks.
from .equipment_tasks import equipment_survey_reminders  # noqa: F401
