SCHEDULES = [
    {
        "name": "站所装备普查提醒 equipment survey reminders",
        "task": "assets.equipment_tasks.equipment_survey_reminders",
        "crontab": {"minute": "0", "hour": "8"},
    },
]
