"""One account per city and county agency, each with its own random password, shown once: on the terminal,
or written to a file only its owner may read (--output, mode 600). Each must choose its own password at its
first login (core.passwords). Accounts that exist already are left as they are."""

import os
import secrets
import string

from django.core.management.base import BaseCommand, CommandError

from core.cli import DATA_COMMAND_CHECKS, acting_user
from personnel.models import OrgUnit
from personnel.services import account_create

# 14 characters of letters and digits without look-alikes (0/O, 1/l/I): ~80 bits, typed from a sheet
ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
LENGTH = 14


def new_password() -> str:
    while True:
        pw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


class Command(BaseCommand):
    help = (
        "Create one account per city and county agency (city<code>, county<code>) with its membership and "
        "its own random password, which must be changed at the first login."
    )
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("--user", help="acting provincial account (default: province)")
        parser.add_argument(
            "--output",
            help="write the new accounts and passwords to this file (created with mode 600; must not exist) "
            "instead of the terminal",
        )

    def handle(self, *args, user=None, output=None, **options):
        actor = acting_user(user)
        sink = None
        if output:
            try:
                fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                raise CommandError(
                    f"{output} exists: choose a new file (passwords are written once)"
                ) from None
            sink = os.fdopen(fd, "w", encoding="utf-8")
        created = existing = 0
        try:
            User = type(actor)
            for unit in OrgUnit.objects.filter(level__in=["city", "county"], is_active=True).order_by("path"):
                username = f"{unit.level}{unit.code}"
                existed = User.objects.filter(username=username).exists()
                pw = None if existed else new_password()
                account_create(
                    actor=actor,
                    username=username,
                    password=pw,
                    unit=unit,
                    role=unit.level,
                    full_name=unit.name,
                    password_change_due=not existed,
                )
                line = f"{username}\t{unit.name}\t{'(exists)' if existed else pw}\n"
                (sink.write if sink else self.stdout.write)(line if sink else line.rstrip("\n"))
                created += 0 if existed else 1
                existing += 1 if existed else 0
        finally:
            if sink:
                sink.close()
        if sink:
            self.stdout.write(
                f"{created} accounts created, {existing} existed; passwords in {output} (mode 600)"
            )
