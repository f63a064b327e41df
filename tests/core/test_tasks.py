import pytest

from core.models import Notification
from core.tasks import notify_task


@pytest.mark.broker
def test_notify_task_goes_through_the_broker_when_configured(broker, province_user):
    result = notify_task.delay(province_user.pk, "test", "测试通知 hello", dedupe_key="t1")
    out = result.get(timeout=60)
    assert Notification.objects.filter(user=province_user, title="测试通知 hello").count() == 1
    if broker:
        assert out["eager"] is False and out["hostname"].startswith("qmtest-")
    else:
        assert out["eager"] is True
    # the same dedupe key is sent once
    notify_task.delay(province_user.pk, "test", "测试通知 hello", dedupe_key="t1").get(timeout=60)
    assert Notification.objects.filter(user=province_user).count() == 1


def test_seed_demo_is_idempotent_and_creates_schedules(db, org):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    from core.schedules import declared
    from personnel.models import Officer

    call_command("seed_demo", officers=20, seed=3)
    call_command("seed_demo", officers=20, seed=3)
    assert Officer.objects.count() == 20
    assert PeriodicTask.objects.count() == len(declared())
