"""Passwords: the project's own validator, and the first-login change of an account whose password someone
else has seen (create_unit_accounts prints it once)."""

from __future__ import annotations

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .history import record_change
from .models import ChangeRecord, PasswordChangeDue

SESSION_KEY = "qm_password_change_due"

# Words every guesser of this system tries first: its names, the province's, the corps', and the demo's.
ORGANISATION_WORDS = ("quartermaster", "hunan", "zhifa", "jiaotong", "xiangjiao", "demo", "password")


class OrganisationWordsValidator:
    """Refuses a password built on what anyone knows about the account: the unit code in its name
    (city430100 → 430100, the codes are public administrative division codes) or the organisation's words.
    Django's similarity check compares the whole password with the whole name and lets "430100abcdef" pass;
    this one looks inside it."""

    def validate(self, password, user=None):
        lowered = password.lower()
        codes = re.findall(r"\d{4,}", getattr(user, "username", "") or "") if user is not None else []
        if any(code in lowered for code in codes) or any(word in lowered for word in ORGANISATION_WORDS):
            raise ValidationError(
                gettext("密码不能包含单位代码、系统或单位名称等他人容易猜到的词。"), code="password_guessable"
            )

    def get_help_text(self):
        return gettext("密码不能包含单位代码、系统或单位名称等他人容易猜到的词。")


def password_change_require(*, actor, user) -> None:
    """`user` must choose a new password at their next login (pages send them to it first)."""
    with transaction.atomic():
        due, created = PasswordChangeDue.objects.select_for_update().get_or_create(user=user)
        if not created and due.changed_at is None:
            return
        if not created:
            due.changed_at = None
            due.save(update_fields=["changed_at"])
        record_change(
            actor=actor,
            obj=user,
            action=ChangeRecord.Action.UPDATE,
            before={"password_change_due": False},
            after={"password_change_due": True},
        )


def password_is_due(user) -> bool:
    return PasswordChangeDue.objects.filter(user=user, changed_at__isnull=True).exists()


def password_change(*, user, new_password: str) -> None:
    """The user sets their own password (validated by AUTH_PASSWORD_VALIDATORS); a pending first-login change
    is then done. Recorded without the password."""
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        due = PasswordChangeDue.objects.select_for_update().filter(user=user, changed_at__isnull=True).first()
        if due is not None:
            due.changed_at = timezone.now()
            due.save(update_fields=["changed_at"])
        record_change(
            actor=user,
            obj=user,
            action=ChangeRecord.Action.UPDATE,
            before={"password_changed_at": None, "password_change_due": due is not None},
            after={"password_changed_at": timezone.now().isoformat(), "password_change_due": False},
        )
