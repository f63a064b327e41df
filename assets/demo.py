import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.democlock import demo_clock

from .catalog import load_catalog
from .models import DemandSnapshot

SNAPSHOT_DAYS_AGO = 130  # the demand was frozen before the tender was planned (procurement.demo)


def seed(*, seed: int, stdout, today: datetime.date | None = None) -> None:
    """The catalog, the first version of the entitlement standard and one demand snapshot (idempotent)."""
    from . import services

    today = today or timezone.localdate()
    n = load_catalog()
    stdout.write(f"catalog: {n} item types added")
    actor = get_user_model().objects.filter(username="province").first()
    version = services.standard_ensure(actor=actor)
    stdout.write(f"entitlement standard: v{version.number}")
    if not DemandSnapshot.objects.exists():
        with demo_clock(today - datetime.timedelta(days=SNAPSHOT_DAYS_AGO), 10):
            snap = services.snapshot_create(actor=actor, note="演示快照")
        stdout.write(f"demand snapshot #{snap.pk}: {snap.officer_count} officers, {snap.rows.count()} rows")
    from .equipment_demo import seed as seed_equipment

    seed_equipment(seed=seed, stdout=stdout, today=today)
