"""Beat schedules of reports (django-celery-beat rows; staff may change them in the admin).

The weekly distribution digest for provincial logistics is NOT declared here yet: it mails/links the
`distribution-progress` report, whose data (the stock ledger) lives in distribution/, not in this branch.
When that kind is registered, add:
    {"name": "reports: weekly distribution digest", "task": "reports.tasks.weekly_distribution_digest",
     "crontab": {"minute": "0", "hour": "8", "day_of_week": "1"}}
with a task that calls services.job_create(user=<each provincial logistics account>, kind="distribution-progress")
and notifies them with the job's download link when it is done (see README, Reports 报表).
"""

SCHEDULES = [
    {"name": "reports: retry or fail stale report jobs", "task": "reports.tasks.reap_stale_report_jobs",
     "crontab": {"minute": "*/5"}},
    {"name": "reports: delete expired report files", "task": "reports.tasks.expire_report_files",
     "crontab": {"minute": "20", "hour": "3"}},
]
