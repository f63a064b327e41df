from django.contrib.auth import get_user_model

from .catalog import load_catalog
from .models import DemandSnapshot


def seed(*, seed: int, stdout) -> None:
    """The catalog, the first version of the entitlement standard and one demand snapshot (idempotent)."""
    from . import services

    n = load_catalog()
    stdout.write(f"catalog: {n} item types added")
    actor = get_user_model().objects.filter(username="province").first()
    version = services.standard_ensure(actor=actor)
    stdout.write(f"entitlement standard: v{version.number}")
    if not DemandSnapshot.objects.exists():
        snap = services.snapshot_create(actor=actor, note="演示快照 demo snapshot")
        stdout.write(f"demand snapshot #{snap.pk}: {snap.officer_count} officers, {snap.rows.count()} rows")
    from .equipment_demo import seed as seed_equipment

    seed_equipment(seed=seed, stdout=stdout)
