from django.contrib import admin
from django.utils.translation import gettext, pgettext

from core import scope
from core.admin import ScopedAdmin

from .ids import mask
from .models import Division, Membership, Officer, OrgUnit, PersonalDataAccess
from .privacy import record_disclosures
from .services import can_see_full_id


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin):
    scope_prefix = ""
    list_display = ["code", "name", "level", "parent", "authorised_posts", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "city"]
    autocomplete_fields = ["parent"]


@admin.register(Officer)
class OfficerAdmin(ScopedAdmin):
    write_roles = (scope.PROVINCE, scope.CITY)
    list_display = ["name", "gender", "masked_id", "unit", "status", "certificate_number"]
    list_filter = ["status", "gender"]
    search_fields = ["name", "certificate_number"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]

    @admin.display(description=gettext("身份证号"))
    def masked_id(self, obj):
        return mask(obj.id_number)

    @admin.display(description=pgettext("sizes", "号型"))
    def sizes(self, obj):
        from assets.selectors import size_report

        report = size_report(obj)
        parts = [f"{s['label']}: {s['code'] or s['reason']}" for s in report["sizes"]]
        return "；".join(parts)

    def get_readonly_fields(self, request, obj=None):
        # identity is checked by the services (GB 11643); the back office does not rewrite it
        return ["id_number", "birth_date", "gender", "sizes"] if obj else ["sizes"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            return fields
        if not can_see_full_id(request.user, obj.unit):
            return [f for f in fields if f not in ("id_number", "birth_date")]  # the mask hides both
        if request.method == "GET":  # shown in full: recorded when outside the officer's chain
            record_disclosures(request.user, [(obj.pk, obj.unit)], door="admin", where=request.path)
        return fields


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "unit", "role", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["unit", "user"]


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind"]
    search_fields = ["code", "name"]

    def has_module_permission(self, request):
        return scope.is_province(request.user)

    has_view_permission = lambda self, request, obj=None: scope.is_province(request.user)  # noqa: E731

    def has_delete_permission(self, request, obj=None):
        return False


# Accounts: provincial logistics creates and deactivates them here; every change recorded, none deleted.
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin  # noqa: E402

from core.history import record_change, snapshot  # noqa: E402
from core.models import ChangeRecord  # noqa: E402

User = get_user_model()
admin.site.unregister(User)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["unit"]
    can_delete = False


@admin.register(User)
class AccountAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "is_active", "is_staff", "last_login"]

    def _province(self, request):
        return scope.is_province(request.user)

    def has_module_permission(self, request):
        return self._province(request)

    def has_view_permission(self, request, obj=None):
        return self._province(request)

    def has_change_permission(self, request, obj=None):
        return self._province(request)

    def has_add_permission(self, request):
        return self._province(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = ["username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser"]
        before = snapshot(User.objects.get(pk=obj.pk), fields) if change else None
        super().save_model(request, obj, form, change)
        action = ChangeRecord.Action.UPDATE if change else ChangeRecord.Action.CREATE
        if change and before.get("is_active") and not obj.is_active:
            action = ChangeRecord.Action.DEACTIVATE
        record_change(actor=request.user, obj=obj, action=action, before=before, after=snapshot(obj, fields))

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for inst in instances:
            before = snapshot(Membership.objects.get(pk=inst.pk)) if inst.pk else None
            inst.save()
            record_change(
                actor=request.user,
                obj=inst,
                action=ChangeRecord.Action.UPDATE if before else ChangeRecord.Action.CREATE,
                before=before,
            )
        formset.save_m2m()


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ScopedAdmin):
    """The record of full ID numbers shown outside the officer's chain: read-only, never deleted."""

    scope_prefix = "officer__unit"
    list_display = ["at", "username", "officer", "door", "where"]
    list_filter = ["door"]
    search_fields = ["username", "officer__name"]
    list_select_related = ["officer"]
    readonly_fields = ["at", "user", "username", "officer", "door", "where", "batch"]

    def has_view_permission(self, request, obj=None):
        return scope.has_role(request.user, scope.PROVINCE, scope.AUDITOR)

    has_module_permission = has_view_permission

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
