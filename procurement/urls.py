from django.urls import path

from . import contract_views, views

app_name = "procurement"

urlpatterns = [
    path("", views.tenders, name="tenders"),
    path("tenders/<int:tender_id>/", views.tender, name="tender"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/<int:contract_id>/", contract_views.contract_detail, name="contract"),
    path("contracts/<int:contract_id>/sign/", contract_views.contract_sign, name="contract_sign"),
    path("contracts/<int:contract_id>/bond/", contract_views.contract_bond, name="contract_bond"),
    path("contracts/<int:contract_id>/payments/", contract_views.payment_create, name="payment_create"),
    path(
        "contracts/<int:contract_id>/deliveries/", contract_views.delivery_create_page, name="delivery_create"
    ),
    path("deliveries/<int:delivery_id>/", contract_views.delivery_detail, name="delivery"),
    path("reconciliation/", views.reconciliation_view, name="reconciliation"),
    path("reconciliation/<str:kind>/", views.reconciliation_documents, name="reconciliation_documents"),
]
