from django.apps import AppConfig


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = "人员 · Personnel roll"

    def ready(self):
        from core.history import register_redactor

        from .privacy import redact_officer_history

        register_redactor("personnel.officer", redact_officer_history)
