"""The org tree's reference data (copied from shared/data into personnel/data), loaded idempotently."""

import csv
from pathlib import Path

from django.db import transaction

from core.history import build_record, record_changes
from core.models import ChangeRecord

from .choices import Level
from .models import Division, OrgUnit

DATA = Path(__file__).resolve().parent / "data"
TOTAL_AUTHORISED = 12_484  # authorised posts in the province (DESIGN.md)


def read_csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def authorised_posts_plan(agencies: list[dict]) -> dict[str, int]:
    """A plausible split of the 12,484 posts: the bureau 184, each city detachment 60, the rest over
    the counties by a fixed weight from their code, exact to the total."""
    plan = {}
    counties = [a["code"] for a in agencies if a["level"] == "county"]
    for a in agencies:
        if a["level"] == "province":
            plan[a["code"]] = 184
        elif a["level"] == "city":
            plan[a["code"]] = 60
    rest = TOTAL_AUTHORISED - sum(plan.values())
    weights = {c: 80 + (int(c) * 7919) % 60 for c in counties}
    total_w = sum(weights.values())
    shares = {c: rest * w // total_w for c, w in weights.items()}
    leftover = rest - sum(shares.values())
    for c in sorted(counties)[:leftover]:
        shares[c] += 1
    plan.update(shares)
    return plan


@transaction.atomic
def load_org_tree(actor=None) -> dict[str, int]:
    """Create the divisions and the province → city → county tree if missing. Returns counts created."""
    created = {"divisions": 0, "units": 0}
    existing = set(Division.objects.values_list("code", flat=True))
    new_divs = [
        Division(
            code=r["code"], name=r["name"], level=r["level"], parent_code=r["parent_code"], kind=r["kind"]
        )
        for r in read_csv("hunan_divisions.csv")
        if r["code"] not in existing
    ]
    Division.objects.bulk_create(new_divs)
    created["divisions"] = len(new_divs)
    divisions = {d.code: d for d in Division.objects.all()}

    agencies = read_csv("hunan_agencies.csv")
    posts = authorised_posts_plan(agencies)
    units = {u.code: u for u in OrgUnit.objects.all()}
    records = []
    for level in ("province", "city", "county"):
        for row in (a for a in agencies if a["level"] == level):
            if row["code"] in units:
                continue
            parent = units.get(row["parent_code"]) if row["parent_code"] else None
            unit = OrgUnit(
                code=row["code"],
                name=row["name"],
                level=Level(level),
                parent=parent,
                authorised_posts=posts[row["code"]],
            )
            unit.path = unit.compute_path()
            if level == "county":
                unit.city = parent
            unit.save()
            if level in ("province", "city"):
                unit.city = unit
                unit.save(update_fields=["city"])
            covers = [divisions[c] for c in row["covers_divisions"].split() if c in divisions]
            if covers:
                unit.divisions.set(covers)
            units[unit.code] = unit
            records.append(
                build_record(actor=actor, obj=unit, action=ChangeRecord.Action.CREATE, note="reference data")
            )
            created["units"] += 1
    record_changes(records)
    return created
