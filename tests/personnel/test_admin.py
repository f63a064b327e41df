from django.test import Client

from .factories import OfficerFactory


def test_admin_officer_list_is_scoped_and_masks_ids(org, make_user):
    cs = OfficerFactory(unit=org["430121"], name="长沙人")
    zz = OfficerFactory(unit=org["430200"], name="株洲人")
    user = make_user("city", "430100")
    user.is_staff = True
    user.save()
    c = Client()
    c.force_login(user)
    page = c.get("/admin/personnel/officer/").content.decode()
    assert "长沙人" in page and "株洲人" not in page
    assert cs.id_number not in page and cs.id_number[:6] + "********" in page
    assert c.get(f"/admin/personnel/officer/{zz.pk}/change/").status_code in (302, 404)
    change = c.get(f"/admin/personnel/officer/{cs.pk}/change/").content.decode()
    assert "175/92A" in change and "175/76A" in change


def test_admin_never_deletes(org, province_user):
    officer = OfficerFactory(unit=org["430121"])
    province_user.is_staff = True
    province_user.save()
    c = Client()
    c.force_login(province_user)
    assert c.get(f"/admin/personnel/officer/{officer.pk}/delete/").status_code == 403


def test_admin_deactivating_an_account_is_recorded_and_kills_tokens(org, province_user, changsha_user):
    from core.auth import token_issue
    from core.models import ChangeRecord

    key = token_issue(user=changsha_user)
    province_user.is_staff = True
    province_user.save()
    c = Client()
    c.force_login(province_user)
    page = c.get(f"/admin/auth/user/{changsha_user.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "groups", "user_permissions")
    }
    data.update(
        {
            "is_active": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    r = c.post(f"/admin/auth/user/{changsha_user.pk}/change/", data)
    assert r.status_code == 302, r.content[:2000]
    changsha_user.refresh_from_db()
    assert not changsha_user.is_active
    assert ChangeRecord.objects.filter(
        action="deactivate", object_id=str(changsha_user.pk), actor=province_user
    ).exists()
    assert (
        Client().get("/api/v1/personnel/officers", headers={"Authorization": f"Bearer {key}"}).status_code
        == 401
    )
