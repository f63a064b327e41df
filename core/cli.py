"""Helpers for management commands: who acts (for scope and history) and marking the source as cli."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from .context import set_source

DEFAULT_USERNAME = "province"


def acting_user(username: str | None):
    """The user a command acts as: --user, else the demo provincial account, else any provincial member."""
    set_source("cli")
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user
    user = User.objects.filter(username=DEFAULT_USERNAME, is_active=True).first()
    if user is None:
        user = User.objects.filter(
            memberships__role="province", memberships__is_active=True, is_active=True
        ).first()
    if user is None:
        raise CommandError(
            "no provincial logistics account: run `manage.py seed_demo --officers 0` or pass --user"
        )
    return user


# The system checks a project command runs before it starts: only the model checks (0.07 s). The full set
# imports the URLs and with them the whole API (684 pydantic models, ~2–4 s on a shared 2-core machine) to
# check things no command uses; `manage.py check`, `migrate` and the test suite still run them all.
DATA_COMMAND_CHECKS = ["models"]
