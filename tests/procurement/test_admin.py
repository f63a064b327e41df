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
    r = c.post("/admin/procurement/holiday/add/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦",
                                                    "source": "国办发明电"})
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
