from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("officers/", views.officer_matches, name="officers"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/status/", views.job_status, name="status"),
    path("jobs/<int:job_id>/download/", views.job_download, name="download"),
    path("jobs/<int:job_id>/rerun/", views.job_rerun, name="rerun"),
]
