from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("", views.tenders, name="tenders"),
    path("tenders/<int:tender_id>/", views.tender, name="tender"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/<int:contract_id>/", views.contract_detail, name="contract"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery"),
    path("reconciliation/", views.reconciliation_view, name="reconciliation"),
    path("reconciliation/<str:kind>/", views.reconciliation_documents, name="reconciliation_documents"),
]
