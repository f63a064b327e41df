import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.models import Notification
from procurement import tasks
from procurement.reminders import send_milestone_reminders
from procurement.schedules import SCHEDULES

D = datetime.date


def test_due_and_overdue_reach_provincial_logistics_once(
    make_tender, province_user, changsha_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    province_user.email = "wl@example.org"
    province_user.save()
    tender = make_tender(year=2026)
    today = D(2026, 3, 2)
    ms = {m.code: m for m in tender.milestones.all()}
    for code, planned, actual in (
        ("deliveries", D(2026, 3, 5), None),
        ("contract_signed", D(2026, 2, 20), None),
        ("contract_published", D(2026, 2, 25), D(2026, 2, 25)),
        ("acceptance", D(2026, 3, 6), None),
    ):
        ms[code].planned_date, ms[code].actual_date = planned, actual
        ms[code].save()
    with django_capture_on_commit_callbacks(execute=True):
        result = send_milestone_reminders(today)
    assert (result["due"], result["overdue"]) == (1, 1)
    notes = Notification.objects.filter(user=province_user).order_by("kind")
    assert [n.kind for n in notes] == ["procurement.milestone_due", "procurement.milestone_overdue"]
    assert "交货" in notes[0].title and "合同签订" in notes[1].title
    assert not Notification.objects.filter(user=changsha_user).exists()
    assert len(mail.outbox) == 2
    send_milestone_reminders(today)  # the next run, or a retry: nothing new
    assert Notification.objects.filter(user=province_user).count() == 2


@pytest.mark.broker
def test_daily_task_declared_and_runs(broker, make_tender, province_user):
    assert SCHEDULES[0]["task"] == "procurement.tasks.milestone_reminders"
    tender = make_tender(year=2026)
    m = tender.milestones.get(code="deliveries")
    m.planned_date = timezone.localdate() - datetime.timedelta(days=1)
    m.save()
    assert tasks.milestone_reminders.delay().get(timeout=60)["overdue"] == 1
    assert Notification.objects.filter(user=province_user, kind="procurement.milestone_overdue").count() == 1


@pytest.mark.parametrize("status", ["complete", "cancelled"])
def test_closed_tenders_are_quiet(make_tender, province_user, status):
    tender = make_tender(year=2026)
    tender.status = status
    tender.save()
    m = tender.milestones.get(code="deliveries")
    m.planned_date = D(2026, 1, 1)
    m.save()
    assert send_milestone_reminders(D(2026, 3, 2))["overdue"] == 0
