from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = pgettext_lazy("app", "物资")
