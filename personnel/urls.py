from django.urls import path

from . import views

app_name = "personnel"

urlpatterns = [
    path("", views.officer_list, name="officers"),
    path("officers/<int:officer_id>/", views.officer_detail, name="officer"),
    path("officers/<int:officer_id>/measurements/", views.officer_measure, name="measure"),
    path("officers/<int:officer_id>/status/", views.officer_status, name="status"),
    path("officers/<int:officer_id>/transfer/", views.officer_transfer, name="transfer"),
    path("missing-measurements/", views.lacking, name="lacking"),
    path("upload/", views.roll_upload, name="upload"),
    path("data-accesses/", views.data_accesses, name="data_accesses"),
]
