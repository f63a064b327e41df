"""Issue 16, part 5: officers' names in the one stored form personnel.names gives every door (NFKC, trimmed,
a Chinese name without alignment spaces) and without invisible characters (Cc, Cf, Cs, Cn: zero-width
spaces, bidi overrides), once, so that the next import of an unchanged roll changes nothing. The rule is
frozen here as it was written (a migration must not follow later edits of the app's code)."""

import re
import unicodedata

from django.db import migrations

INVISIBLE = {"Cc", "Cf", "Cs", "Cn"}
SPACES = re.compile(r"\s+")
CJK_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•\s]+$")


def stored_form(name: str) -> str:
    text = "".join(ch for ch in name if ch.isspace() or unicodedata.category(ch) not in INVISIBLE)
    text = unicodedata.normalize("NFKC", text).strip()
    return SPACES.sub("", text) if CJK_NAME.match(text) else SPACES.sub(" ", text)


def normalise(apps, schema_editor):
    Officer = apps.get_model("personnel", "Officer")
    changed = []
    for officer in Officer.objects.only("pk", "name").iterator(chunk_size=2000):
        name = stored_form(officer.name)
        if name and name != officer.name:
            officer.name = name
            changed.append(officer)
    Officer.objects.bulk_update(changed, ["name"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0002_labels_one_language"),
    ]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
