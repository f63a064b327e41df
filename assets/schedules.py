from django.utils.translation import gettext_lazy

SCHEDULES = [
    {
        "name": gettext_lazy("站所装备普查提醒"),
        "task": "assets.equipment_tasks.equipment_survey_reminders",
        "crontab": {"minute": "0", "hour": "8"},
    },
]
