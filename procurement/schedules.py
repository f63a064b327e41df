from django.utils.translation import gettext_lazy

SCHEDULES = [
    {
        "name": gettext_lazy("采购节点提醒"),
        "task": "procurement.tasks.milestone_reminders",
        "crontab": {"minute": "0", "hour": "8"},
    },
]
