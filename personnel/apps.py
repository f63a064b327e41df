from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = pgettext_lazy("app", "人员")

    def ready(self):
        from core.history import register_redactor

        from .privacy import redact_officer_history

        register_redactor("personnel.officer", redact_officer_history)
