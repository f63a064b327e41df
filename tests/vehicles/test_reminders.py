import pytest

from core.models import Notification
from vehicles import services, tasks
from vehicles.schedules import SCHEDULES

from .conftest import add_compulsory, days, today

pytestmark = pytest.mark.usefixtures("allocation")


def _keys(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_each_threshold_fires_once(make_vehicle, changsha_user, province_user, zhuzhou_user, county_user):
    v = make_vehicle("430121", in_service=True)
    services.vehicle_set_inspection_due(actor=None, vehicle=v, due=days(400), reason="test")
    policy_end = days(25)
    add_compulsory(v, starts_on=days(-340), ends_on=policy_end)
    base = today()
    out = services.papers_remind(today=base)
    assert out["vehicles"] == 1 and out["notifications"] >= 2
    assert _keys(changsha_user) == _keys(province_user) == ["vehicle_compulsory_30d"]
    assert _keys(zhuzhou_user) == [] and _keys(county_user) == []  # city staff of the owning city only
    assert services.papers_remind(today=base)["notifications"] == 0  # the same threshold: not again
    assert services.papers_remind(today=days(10))["notifications"] == 0  # still inside 30 days
    assert services.papers_remind(today=days(19))["notifications"] >= 2  # 6 days left: the 7-day warning
    assert services.papers_remind(today=days(24))["notifications"] == 0
    out = services.papers_remind(today=days(26))  # run out
    assert out["overdue"] == 1 and out["notifications"] >= 2
    assert services.papers_remind(today=days(40))["notifications"] == 0
    assert _keys(changsha_user) == [
        "vehicle_compulsory_30d",
        "vehicle_compulsory_7d",
        "vehicle_compulsory_overdue",
    ]
    # a renewed policy starts afresh
    add_compulsory(v, starts_on=days(25), ends_on=days(390))
    assert services.papers_remind(today=days(40))["notifications"] == 0
    assert services.papers_remind(today=days(370))["notifications"] >= 2


def test_inspection_and_missing_policy_flagged_and_disposed_ignored(
    make_vehicle, changsha_user, province_user
):
    v = make_vehicle("430100", in_service=True)  # registered, no compulsory policy at all
    services.vehicle_set_inspection_due(actor=None, vehicle=v, due=days(5), reason="test")
    make_vehicle("430100")  # on order, no plate: nothing to remind
    services.papers_remind(today=today())
    kinds = _keys(changsha_user)
    assert kinds == ["vehicle_compulsory_overdue", "vehicle_inspection_7d"]
    n = Notification.objects.count()
    req = services.disposal_request(actor=changsha_user, vehicle=v, method="scrap", reason="x")
    services.disposal_decide(actor=province_user, request=req, approve=True)
    assert services.papers_remind(today=days(30))["vehicles"] == 0 and Notification.objects.count() == n


@pytest.mark.broker
def test_task_and_schedule(broker, make_vehicle, changsha_user):
    v = make_vehicle("430100", in_service=True)
    add_compulsory(v, starts_on=days(-360), ends_on=days(5))
    services.vehicle_set_inspection_due(actor=None, vehicle=v, due=days(500), reason="test")
    result = tasks.papers_remind.delay().get(timeout=60)
    assert result["vehicles"] == 1 and _keys(changsha_user) == ["vehicle_compulsory_7d"]
    assert SCHEDULES[0]["task"] == "vehicles.tasks.papers_remind" and SCHEDULES[0]["crontab"]["hour"] == "7"
