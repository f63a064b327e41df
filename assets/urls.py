from django.urls import path

from . import views

app_name = "assets"

urlpatterns = [
    path("", views.demand, name="demand"),
    path("size-table.xlsx", views.size_table, name="size_table"),
    path("snapshots/", views.snapshots, name="snapshots"),
    path("snapshots/compare/", views.snapshot_compare, name="snapshot_compare"),
]
