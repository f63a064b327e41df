import pytest
from django.test import Client

pytestmark = pytest.mark.usefixtures("allocation")


def test_admin_is_scoped_and_read_only_for_rules(make_vehicle, province_user, make_user):
    v = make_vehicle("430100", registered=True)
    zz = make_vehicle("430200", registered=True)
    c = Client()
    c.force_login(province_user)
    r = c.get("/admin/vehicles/vehicle/")
    assert r.status_code == 200 and v.plate in r.content.decode() and zz.plate in r.content.decode()
    page = c.get(f"/admin/vehicles/vehicle/{v.pk}/change/").content.decode()
    assert 'name="remarks"' in page and 'name="plate"' not in page and 'name="status"' not in page
    assert c.get(f"/admin/vehicles/vehicle/{v.pk}/delete/").status_code == 403
    assert c.get("/admin/vehicles/quotarecord/").status_code == 200
    staff = make_user("city", "430100")
    staff.is_staff = True
    staff.save()
    c.force_login(staff)
    r = c.get("/admin/vehicles/vehicle/")
    assert r.status_code == 200 and v.plate in r.content.decode() and zz.plate not in r.content.decode()
    assert c.get(f"/admin/vehicles/vehicle/{zz.pk}/change/").status_code in (302, 404)
