"""The demo seed: idempotent, 1–3 stations per county agency, two surveys."""

import datetime
import io

from django.db.models import Count

from assets import equipment_demo
from assets.equipment_models import EquipmentItem, StandardKitLine, Survey, SurveyEntry
from personnel.models import OrgUnit


def test_seed_is_idempotent_and_plausible(org):
    today = datetime.date(2026, 11, 27)
    counts = equipment_demo.seed_equipment(seed=2026, today=today, under="430100")  # Changsha only: fast
    per_county = (
        OrgUnit.objects.filter(level="station")
        .values("parent_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    n_counties = OrgUnit.objects.filter(level="county", parent__code="430100").count()
    assert len(per_county) == n_counties and set(per_county) <= {1, 2, 3}
    assert counts["stations"] == sum(per_county) and counts["items"] == EquipmentItem.objects.count() > 100
    assert set(EquipmentItem.objects.values_list("condition", flat=True).distinct()) == {
        "good",
        "fair",
        "needs_repair",
        "unserviceable",
    }
    oldest = EquipmentItem.objects.order_by("acquired_on").first().acquired_on
    assert oldest < today - datetime.timedelta(days=365 * 8)
    assert list(Survey.objects.order_by("opened_on").values_list("status", flat=True)) == ["closed", "open"]
    closed = Survey.objects.get(status="closed")
    assert SurveyEntry.objects.filter(survey_return__survey=closed).count() == sum(
        closed.summary["conditions"].values()
    )
    assert StandardKitLine.objects.filter(
        equipment_type__code="WEIGH-PAD", station_class="overload_control"
    ).exists()
    # a second run adds nothing
    assert equipment_demo.seed_equipment(seed=2026, today=today) == {"stations": 0, "items": 0}
    out = io.StringIO()
    equipment_demo.seed(seed=2026, stdout=out)
    assert "0 stations" in out.getvalue()
