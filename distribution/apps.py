from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = pgettext_lazy("app", "配发")

    def ready(self):
        from .services import register_hooks

        register_hooks()
