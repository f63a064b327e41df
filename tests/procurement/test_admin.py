import datetime

from django.test import Client

from procurement.models import Holiday


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_province_extends_the_holiday_table_in_the_admin(province_user):
    c = client_for(province_user)
    assert c.get("/admin/procurement/holiday/add/").status_code == 200
    r = c.post(
        "/admin/procurement/holiday/add/",
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "source": "国办发明电"},
    )
    assert r.status_code == 302
    assert Holiday.objects.get().date == datetime.date(2027, 1, 1)


def test_contract_admin_is_scoped(city_contracts, province_user, changsha_user):
    changsha_user.is_staff = True
    changsha_user.save()
    cs, zz = city_contracts["430100"], city_contracts["430200"]
    page = client_for(province_user).get("/admin/procurement/contract/").content.decode()
    assert cs.number in page and zz.number in page
    c = client_for(changsha_user)
    page = c.get("/admin/procurement/contract/").content.decode()
    assert cs.number in page and zz.number not in page
    assert c.get(f"/admin/procurement/contract/{zz.pk}/change/").status_code in (302, 404)
    assert c.get("/admin/procurement/holiday/").status_code == 403
    assert c.get("/admin/procurement/bid/").status_code == 403


def test_supplier_admin_validates_the_credit_code(province_user):
    from procurement.models import Supplier

    from .conftest import credit_code

    c = client_for(province_user)
    bad = c.post(
        "/admin/procurement/supplier/add/",
        {"name": "甲", "credit_code": "91430100MA4T0001X0", "is_active": "on"},
    )
    assert bad.status_code == 200 and "统一社会信用代码无效" in bad.content.decode()
    ok = c.post(
        "/admin/procurement/supplier/add/", {"name": "甲", "credit_code": credit_code(1), "is_active": "on"}
    )
    assert ok.status_code == 302 and Supplier.objects.get().credit_code == credit_code(1)


def test_rule_bound_fields_are_read_only_in_the_admin(city_contracts, province_user):
    c = client_for(province_user)
    contract = city_contracts["430100"]
    page = c.get(f"/admin/procurement/contract/{contract.pk}/change/").content.decode()
    assert 'name="performance_bond"' not in page and 'name="delivery_due"' in page
    tender = contract.award.lot.tender
    page = c.get(f"/admin/procurement/tender/{tender.pk}/change/").content.decode()
    assert 'name="bid_bond"' not in page and 'name="budget"' not in page and 'name="title"' in page
    assert c.get("/admin/procurement/tender/add/").status_code == 403
