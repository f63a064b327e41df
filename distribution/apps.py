from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "配发 · Distribution"

    def ready(self):
        from .services import register_hooks

        register_hooks()
