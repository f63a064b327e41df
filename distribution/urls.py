from django.urls import path

from . import views

app_name = "distribution"

urlpatterns = [
    path("", views.shipments, name="shipments"),
    path("shipments/<int:shipment_id>/", views.shipment_detail, name="shipment"),
    path("transfer/", views.transfer, name="transfer"),
    path("kits/", views.kits, name="kits"),
    path("officers/<int:officer_id>/", views.officer_kit, name="officer_kit"),
    path("recoveries/", views.recoveries, name="recoveries"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("progress/", views.progress, name="progress"),
    path("progress/<str:code>/", views.progress, name="progress_unit"),
    path("progress/<str:code>/items/", views.progress_detail, name="progress_detail"),
]
