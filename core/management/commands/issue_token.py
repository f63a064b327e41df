from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.auth import token_issue, token_revoke
from core.cli import DATA_COMMAND_CHECKS
from core.context import set_source


class Command(BaseCommand):
    help = "Issue an API token for USERNAME (printed once), or revoke its tokens with --revoke."
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--revoke", action="store_true", help="revoke all of the user's tokens")

    def handle(self, *args, username, name, revoke, **options):
        set_source("cli")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        if revoke:
            self.stdout.write(f"revoked {token_revoke(user=user)} token(s)")
            return
        if not user.is_active:
            raise CommandError(f"user {username!r} is deactivated")
        self.stdout.write(token_issue(user=user, name=name))
