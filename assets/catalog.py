"""The uniform catalog's reference data (assets/data/uniform_items.csv, from shared/data), loaded idempotently."""

import csv
import re
from pathlib import Path

from django.db import transaction

from core.history import build_record, record_changes
from core.models import ChangeRecord

from .models import ItemType

DATA = Path(__file__).resolve().parent / "data"
WOMEN_NOTE = re.compile(r"^(?P<base>[^（(]+)[（(]女[：:](?P<women>[^）)]+)[）)]$")
# Where the CSV does not name the women's version, it is the same item in a women's cut.
WOMEN_NAMES = {"INS-CAP-BADGE": ("大帽徽", "小帽徽")}


def version_names(code: str, name_zh: str) -> tuple[str, str]:
    """(men's, women's) names: '大檐帽（女：卷檐帽）' → ('大檐帽', '卷檐帽'); '常服上衣' → ('常服上衣（男）', '常服上衣（女）')."""
    if code in WOMEN_NAMES:
        return WOMEN_NAMES[code]
    m = WOMEN_NOTE.match(name_zh)
    if m and "或" not in m["women"]:
        return m["base"], m["women"]
    base = m["base"] if m else name_zh
    return f"{base}（男）", f"{base}（女）"


def read_items() -> list[dict]:
    with open(DATA / "uniform_items.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@transaction.atomic
def load_catalog(actor=None) -> int:
    """Create the item types that are missing. Returns how many were created."""
    existing = set(ItemType.objects.values_list("code", flat=True))
    records = []
    for order, row in enumerate(read_items()):
        if row["code"] in existing:
            continue
        men, women = version_names(row["code"], row["name_zh"])
        item = ItemType.objects.create(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            name_men=men,
            name_women=women,
            category=row["category"],
            size_system=row["size_system"],
            applies_to=row["applies_to"],
            qty_per_officer=int(row["qty_per_officer"]),
            service_life_years=int(row["service_life_years"]),
            source=row["source"],
            note=row["note"],
            sort_order=order,
        )
        records.append(
            build_record(actor=actor, obj=item, action=ChangeRecord.Action.CREATE, note="reference data")
        )
    record_changes(records)
    return len(records)
