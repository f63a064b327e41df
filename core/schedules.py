"""Periodic tasks live in the database (django-celery-beat) so staff can change them in the admin.

Each app may declare `SCHEDULES` in `<app>/schedules.py`: a list of dicts
{"name": "...", "task": "app.tasks.fn", "crontab": {"minute": "0", "hour": "7", "day_of_week": "*"}}.
ensure_schedules() creates the missing ones and leaves edited ones alone.
"""

from importlib import import_module

APPS = ["personnel", "assets", "procurement", "distribution", "vehicles", "reports"]


def declared() -> list[dict]:
    out = []
    for app in APPS:
        try:
            module = import_module(f"{app}.schedules")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.schedules":
                raise
            continue
        out.extend(module.SCHEDULES)
    return out


def ensure_schedules() -> int:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = 0
    for entry in declared():
        if PeriodicTask.objects.filter(name=entry["name"]).exists():
            continue
        cron, _ = CrontabSchedule.objects.get_or_create(
            timezone="Asia/Shanghai",
            **{
                "minute": "0",
                "hour": "*",
                "day_of_week": "*",
                "day_of_month": "*",
                "month_of_year": "*",
                **entry["crontab"],
            },
        )
        PeriodicTask.objects.create(name=entry["name"], task=entry["task"], crontab=cron)
        created += 1
    return created
