from django.contrib import admin

from core import scope
from core.admin import ScopedAdmin

from .ids import mask
from .models import Division, Membership, Officer, OrgUnit


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

    @admin.display(description="身份证号 ID number")
    def masked_id(self, obj):
        return mask(obj.id_number)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not scope.has_role(request.user, scope.PROVINCE, scope.CITY, scope.COUNTY):
            fields = [f for f in fields if f != "id_number"]
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
