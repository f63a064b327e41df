SCHEDULES = [
    {
        "name": "车辆保险与检验到期提醒 vehicle papers reminder",
        "task": "vehicles.tasks.papers_remind",
        "crontab": {"minute": "30", "hour": "7"},
    },
]
