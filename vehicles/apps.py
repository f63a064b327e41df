from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class VehiclesConfig(AppConfig):
    name = "vehicles"
    verbose_name = pgettext_lazy("app", "车辆")
