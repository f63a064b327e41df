SCHEDULES = [
    {
        "name": "采购节点提醒 procurement milestone reminders",
        "task": "procurement.tasks.milestone_reminders",
        "crontab": {"minute": "0", "hour": "8"},
    },
]
