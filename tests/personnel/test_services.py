import datetime

import pytest

from core.errors import Conflict, Forbidden, QMError
from core.history import history_for
from core.models import ChangeRecord
from personnel import services
from personnel.ids import make
from personnel.models import Officer

from .factories import OfficerFactory


def test_officer_create_checks_id_and_gender_and_records(org, changsha_user):
    number = make("430102", datetime.date(1980, 3, 1), 7, "M")
    officer = services.officer_create(
        actor=changsha_user,
        unit=org["430121"],
        name=" 张三 ",
        id_number=number,
        gender="M",
        certificate_number="4300001",
    )
    assert officer.name == "张三" and officer.birth_date == datetime.date(1980, 3, 1)
    rec = history_for(officer).get()
    assert rec.action == "create" and rec.actor == changsha_user and rec.changes["id_number"][1] == number
    with pytest.raises(Conflict):
        services.officer_create(actor=changsha_user, unit=org["430121"], name="李四", id_number=number)
    with pytest.raises(QMError, match="性别"):
        services.officer_create(
            actor=changsha_user,
            unit=org["430121"],
            name="李四",
            id_number=make("430102", datetime.date(1980, 3, 1), 8, "M"),
            gender="F",
        )
    with pytest.raises(QMError, match="校验码错误"):
        services.officer_create(
            actor=changsha_user,
            unit=org["430121"],
            name="李四",
            id_number=number[:17] + "0" if number[17] != "0" else number[:17] + "1",
        )


def test_city_user_cannot_create_in_another_city(org, zhuzhou_user):
    with pytest.raises(Forbidden):
        services.officer_create(
            actor=zhuzhou_user,
            unit=org["430121"],
            name="王五",
            id_number=make("430102", datetime.date(1980, 3, 1), 9, "M"),
        )
    assert not Officer.objects.filter(name="王五").exists()


def test_update_records_before_and_after_and_noop_records_nothing(org, changsha_user):
    officer = OfficerFactory(unit=org["430121"])
    services.officer_update(actor=changsha_user, officer=officer, height_cm=180)
    rec = history_for(officer).get()
    assert rec.changes == {"height_cm": ["173.0", "180.0"]}
    services.officer_update(actor=changsha_user, officer=Officer.objects.get(pk=officer.pk), height_cm=180)
    assert history_for(officer).count() == 1


def test_update_rejects_implausible_measurement(org, changsha_user):
    officer = OfficerFactory(unit=org["430121"])
    with pytest.raises(QMError, match="height_cm"):
        services.officer_update(actor=changsha_user, officer=officer, height_cm=250)
    assert Officer.objects.get(pk=officer.pk).height_cm == 173


def test_transfer_inside_city_by_city_staff_between_cities_only_by_province(
    org, changsha_user, province_user
):
    officer = OfficerFactory(unit=org["430121"])
    services.officer_transfer(actor=changsha_user, officer=officer, to_unit=org["430181"], reason="调整")
    assert Officer.objects.get(pk=officer.pk).unit.code == "430181"
    with pytest.raises(Forbidden):
        services.officer_transfer(actor=changsha_user, officer=officer, to_unit=org["430200"])
    services.officer_transfer(actor=province_user, officer=officer, to_unit=org["430200"], reason="省厅调动")
    actions = list(history_for(officer).values_list("action", "note"))
    assert actions[0] == ("transfer", "省厅调动") and len(actions) == 2


def test_status_transitions(org, changsha_user):
    officer = OfficerFactory(unit=org["430121"])
    services.officer_set_status(actor=changsha_user, officer=officer, status="retired", reason="到龄")
    with pytest.raises(Conflict):
        services.officer_set_status(actor=changsha_user, officer=officer, status="serving")
    assert history_for(officer).get().changes == {"status": ["serving", "retired"]}


def test_auditor_cannot_write(org, auditor_user):
    officer = OfficerFactory(unit=org["430121"])
    with pytest.raises(Forbidden):
        services.officer_update(actor=auditor_user, officer=officer, post="x")


def test_history_records_cli_source(org, changsha_user):
    from core.context import change_source

    officer = OfficerFactory(unit=org["430121"])
    with change_source("cli"):
        services.officer_update(actor=changsha_user, officer=officer, post="站长")
    assert history_for(officer).get().source == "cli"


def test_account_deactivate_is_recorded(org, province_user, changsha_user):
    services.account_deactivate(actor=province_user, user=changsha_user, reason="调离")
    changsha_user.refresh_from_db()
    assert not changsha_user.is_active
    assert ChangeRecord.objects.filter(action="deactivate", object_id=str(changsha_user.pk)).exists()
