from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = pgettext_lazy("app", "公共")

    def ready(self):
        from . import signals  # noqa: F401  (Celery task source tagging)
        from .xlsx_text import install

        install()
