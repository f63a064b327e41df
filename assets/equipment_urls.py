from django.urls import path

from . import equipment_views as views

app_name = "stations"

urlpatterns = [
    path("", views.index, name="index"),
    path("gaps/", views.gaps, name="gaps"),
    path("<str:code>/", views.station, name="station"),
    path("<str:code>/survey/", views.survey_form, name="survey"),
]
