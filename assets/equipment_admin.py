"""Back office for station equipment, scoped like the API (ScopedAdmin); nothing is deleted."""

from django.contrib import admin

from core import scope
from core.admin import ScopedAdmin

from .equipment_models import (
    EquipmentItem,
    EquipmentRequest,
    EquipmentType,
    StandardKitLine,
    Survey,
    SurveyEntry,
    SurveyReturn,
)


class ReferenceAdmin(ScopedAdmin):
    """Province-wide reference data: everyone with a membership reads, the province edits."""

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)


@admin.register(EquipmentType)
class EquipmentTypeAdmin(ReferenceAdmin):
    list_display = ["code", "name", "category", "unit_price", "service_life_years", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(StandardKitLine)
class StandardKitLineAdmin(ReferenceAdmin):
    list_display = ["station_class", "equipment_type", "quantity", "note"]
    list_filter = ["station_class"]
    list_select_related = ["equipment_type"]


@admin.register(EquipmentItem)
class EquipmentItemAdmin(ScopedAdmin):
    scope_prefix = "station"
    write_roles = (scope.PROVINCE, scope.CITY, scope.COUNTY)
    list_display = [
        "asset_tag",
        "equipment_type",
        "station",
        "acquired_on",
        "acquired_value",
        "condition",
        "status",
    ]
    list_filter = ["condition", "status", "equipment_type__category", "source"]
    search_fields = ["asset_tag", "serial_number"]
    list_select_related = ["equipment_type", "station"]
    raw_id_fields = ["station"]
    # Station and status move only through requests (transfer, disposal) so that they are approved.
    readonly_fields = ["status", "source"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "station"] if obj else self.readonly_fields


@admin.register(EquipmentRequest)
class EquipmentRequestAdmin(ScopedAdmin):
    scope_prefix = "from_station"
    list_display = [
        "id",
        "kind",
        "item",
        "from_station",
        "to_station",
        "approval_unit",
        "status",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["item", "from_station", "to_station", "approval_unit"]

    def has_change_permission(self, request, obj=None):
        return False  # decided through the API, which checks the approving level

    def has_add_permission(self, request):
        return False


@admin.register(Survey)
class SurveyAdmin(ReferenceAdmin):
    list_display = ["name", "opened_on", "deadline", "status", "closed_on"]
    list_filter = ["status"]
    readonly_fields = ["status", "closed_on", "summary"]


@admin.register(SurveyReturn)
class SurveyReturnAdmin(ScopedAdmin):
    scope_prefix = "station"
    list_display = ["survey", "station", "status", "submitted_at", "confirmed_at"]
    list_filter = ["survey", "status"]
    list_select_related = ["survey", "station"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(SurveyEntry)
class SurveyEntryAdmin(ScopedAdmin):
    scope_prefix = "survey_return__station"
    list_display = ["survey_return", "item", "condition", "found"]
    list_filter = ["condition", "found"]
    list_select_related = ["survey_return__survey", "survey_return__station", "item"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
