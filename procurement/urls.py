from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("", views.tenders, name="tenders"),
    path("tenders/<int:tender_id>/", views.tender, name="tender"),
    path("contracts/", views.contracts, name="contracts"),
]
