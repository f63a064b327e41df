from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = pgettext_lazy("app", "采购")
