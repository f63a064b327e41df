"""The back office: officer sizes (read-only, scoped) and item edits going through the services."""

from django.test import Client

from assets.models import ItemType, StandardVersion
from core.history import history_for


def staff_client(user):
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_officer_sizes_admin_shows_codes_and_what_to_measure(roll, changsha_user, zhuzhou_user):
    r = staff_client(changsha_user).get("/admin/assets/officersizes/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "175/92A" in body and "特体" in body
    assert "丁" not in body  # the province's bureau is outside Changsha's scope
    body = staff_client(zhuzhou_user).get("/admin/assets/officersizes/").content.decode()
    assert "缺少测量：腰围" in body and "甲" not in body


def test_item_admin_edit_makes_a_new_version(catalog, province_user):
    client = staff_client(province_user)
    item = ItemType.objects.get(code="INS-TIE")
    r = client.get(f"/admin/assets/itemtype/{item.pk}/change/")
    assert r.status_code == 200
    form = {
        f: getattr(item, f)
        for f in (
            "name_zh",
            "name_en",
            "name_men",
            "name_women",
            "category",
            "size_system",
            "service_life_years",
            "source",
            "note",
            "sort_order",
        )
    }
    form.update(qty_per_officer=3, is_active="on")
    r = client.post(f"/admin/assets/itemtype/{item.pk}/change/", form)
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.qty_per_officer == 3
    assert StandardVersion.objects.count() == 2
    assert history_for(item).first().actor == province_user


def test_city_staff_cannot_edit_items(catalog, changsha_user):
    client = staff_client(changsha_user)
    item = ItemType.objects.get(code="INS-TIE")
    assert client.get("/admin/assets/itemtype/").status_code == 200
    r = client.post(f"/admin/assets/itemtype/{item.pk}/change/", {"qty_per_officer": 9})
    assert r.status_code == 403
    item.refresh_from_db()
    assert item.qty_per_officer == 2
