"""Beat schedules of reports (django-celery-beat rows; staff may change them in the admin).

The weekly distribution digest (reports/digest.py): Monday 08:00, the province distribution-progress report
for each provincial logistics account, notified with its download link once per ISO week.
"""

SCHEDULES = [
    {
        "name": "reports: retry or fail stale report jobs",
        "task": "reports.tasks.reap_stale_report_jobs",
        "crontab": {"minute": "*"},
    },
    {
        "name": "reports: delete expired report files",
        "task": "reports.tasks.expire_report_files",
        "crontab": {"minute": "20", "hour": "3"},
    },
    {
        "name": "reports: weekly distribution digest",
        "task": "reports.tasks.weekly_distribution_digest",
        "crontab": {"minute": "0", "hour": "8", "day_of_week": "1"},
    },
]
