from django.urls import path

from . import views

app_name = "vehicles"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:vehicle_id>/", views.detail, name="detail"),
    path("register/", views.register, name="register"),
    path("papers/", views.papers, name="papers"),
]
