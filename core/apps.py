from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "公共 · Core"

    def ready(self):
        from . import signals  # noqa: F401  (Celery task source tagging)
