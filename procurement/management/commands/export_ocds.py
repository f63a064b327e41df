"""Export a tender as an OCDS 1.1 release package, validated offline against the 1.1.5 schema."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.cli import acting_user
from procurement import ocds, selectors


class Command(BaseCommand):
    help = (
        "Write a tender's OCDS 1.1 release package (JSON) to --out, after validating it against the schema."
    )
    requires_system_checks = ["models"]  # core.cli.DATA_COMMAND_CHECKS: not the URL checks

    def add_arguments(self, parser):
        parser.add_argument("--tender", type=int, required=True, help="tender id")
        parser.add_argument("--out", required=True, help="output file (UTF-8 JSON); '-' for standard output")
        parser.add_argument("--user", help="acting account (default: province)")
        parser.add_argument("--no-validate", action="store_true", help="skip the schema validation")

    def handle(self, *args, tender, out, user=None, no_validate=False, **options):
        actor = acting_user(user)
        try:
            obj = selectors.tender_get(actor, tender)
        except Exception as exc:
            raise CommandError(f"tender {tender}: {exc}") from None
        package = ocds.release_package(obj)
        if not no_validate:
            errors = ocds.validate(package)
            if errors:
                raise CommandError("OCDS schema errors:\n" + "\n".join(errors[:20]))
        import json

        text = json.dumps(package, ensure_ascii=False, indent=2)
        if out == "-":
            self.stdout.write(text)
        else:
            Path(out).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(
                f"{obj.reference}: {len(package['releases'][0]['contracts'])} contracts, "
                f"valid OCDS 1.1 → {out}"
            )
