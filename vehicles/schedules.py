from django.utils.translation import gettext_lazy

SCHEDULES = [
    {
        "name": gettext_lazy("车辆保险与检验到期提醒"),
        "task": "vehicles.tasks.papers_remind",
        "crontab": {"minute": "30", "hour": "7"},
    },
]
