"""The back office for station equipment is scoped like the API and never deletes."""

import pytest
from django.test import Client

from .equipment_fixtures import add_item, reference, stations  # noqa: F401


@pytest.fixture
def staff(make_user):
    def _staff(role, code):
        user = make_user(role, code)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client = Client()
        client.force_login(user)
        return client

    return _staff


def test_item_admin_is_scoped_and_read_only_for_auditors(staff, reference, stations):
    mine = add_item(stations["cs1"], reference["PC"], "ADM-CS-1")
    theirs = add_item(stations["zz"], reference["PC"], "ADM-ZZ-1")
    city = staff("city", "430100")
    page = city.get("/admin/assets/equipmentitem/")
    assert page.status_code == 200
    assert b"ADM-CS-1" in page.content and b"ADM-ZZ-1" not in page.content
    assert city.get(f"/admin/assets/equipmentitem/{theirs.pk}/change/").status_code in (302, 404)
    assert city.get(f"/admin/assets/equipmentitem/{mine.pk}/delete/").status_code == 403
    auditor = staff("auditor", "430000")
    assert auditor.get("/admin/assets/equipmentitem/").status_code == 200
    assert auditor.post(f"/admin/assets/equipmentitem/{mine.pk}/change/", {"note": "x"}).status_code == 403
    types = city.get("/admin/assets/equipmenttype/")
    assert types.status_code == 200 and "执法记录仪" in types.content.decode()
