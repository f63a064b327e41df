"""Back office for vehicles, scoped like the API. Rule-bearing fields (quota, VIN, plate, status, unit,
papers) are read-only here: they change through the services (API, import), which enforce the quota cap,
the transitions and the history; the admin may correct free text only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from core import scope
from core.admin import ScopedAdmin

from . import selectors
from .models import (
    DisposalRequest,
    Inspection,
    InsurancePolicy,
    MaintenanceRecord,
    OdometerReading,
    Purchase,
    PurchaseEvent,
    QuotaException,
    QuotaLine,
    QuotaRecord,
    Vehicle,
    VehicleTransfer,
)


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class QuotaLineInline(admin.TabularInline):
    model = QuotaLine
    extra = 0
    can_delete = False
    readonly_fields = ["city", "change", "quota_after"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QuotaRecord)
class QuotaRecordAdmin(admin.ModelAdmin):
    """Published to every user (the allocation), written only through quota_record_create."""

    list_display = ["doc_number", "doc_date", "kind", "total_change", "total_after", "allocated_after"]
    list_filter = ["kind"]
    search_fields = ["doc_number", "reason"]
    inlines = [QuotaLineInline]

    def has_module_permission(self, request):
        return bool(scope.memberships(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(scope.memberships(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuotaException)
class QuotaExceptionAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "city"
    list_display = ["city", "extra", "reason", "doc_number", "is_active", "created_at"]
    list_filter = ["is_active"]


class PurchaseEventInline(admin.TabularInline):
    model = PurchaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["stage", "date", "document", "note", "actor"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Purchase)
class PurchaseAdmin(ScopedAdmin):
    scope_prefix = "city"
    write_roles = (scope.PROVINCE, scope.CITY)
    list_display = ["title", "city", "quantity", "stage", "stage_date", "contract_amount"]
    list_filter = ["stage"]
    search_fields = ["title", "supplier"]
    readonly_fields = ["city", "quantity", "stage", "stage_date", "budget_amount", "contract_amount"]
    inlines = [PurchaseEventInline]

    def has_add_permission(self, request):
        return False


class PolicyInline(admin.TabularInline):
    model = InsurancePolicy
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "insurer", "policy_number", "starts_on", "ends_on", "premium", "is_active"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Vehicle)
class VehicleAdmin(ScopedAdmin):
    scope_prefix = "owning_unit"
    write_roles = (scope.PROVINCE, scope.CITY)
    list_display = [
        "plate",
        "vin",
        "brand",
        "model",
        "owning_unit",
        "status",
        "inspection_due",
        "odometer_km",
    ]
    list_filter = ["status", "vehicle_type", "counts_against_quota", "livery_fitted", "warning_lights_fitted"]
    search_fields = ["plate", "vin", "brand", "model", "engine_number"]
    list_select_related = ["owning_unit"]
    readonly_fields = [
        "plate",
        "vin",
        "owning_unit",
        "station",
        "driver",
        "status",
        "counts_against_quota",
        "registered_on",
        "inspection_due",
        "inspection_due_manual",
        "odometer_km",
        "disposed_on",
        "purchase",
        "vehicle_type",
        "livery_fitted",
        "warning_lights_fitted",
        "purchase_price",
        "plate_warnings",
    ]
    inlines = [PolicyInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=gettext_lazy("号牌提示"))
    def plate_warnings(self, obj):
        """The plate is entered through the services (API, pages, import), which refuse a police plate; here
        the record shows what is odd about it for the owning city."""
        return "；".join(w["message"] for w in selectors.plate_warnings(obj)) or "—"


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "vehicle__owning_unit"
    list_display = ["vehicle", "kind", "insurer", "policy_number", "starts_on", "ends_on", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["policy_number", "vehicle__plate", "vehicle__vin"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "vehicle__owning_unit"
    list_display = ["vehicle", "inspected_on", "passed", "next_due", "station_name"]


@admin.register(MaintenanceRecord)
class MaintenanceRecordAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "vehicle__owning_unit"
    list_display = ["vehicle", "date", "kind", "workshop", "cost", "odometer_km"]
    list_filter = ["kind"]


@admin.register(OdometerReading)
class OdometerReadingAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "vehicle__owning_unit"
    list_display = ["vehicle", "read_on", "km"]


@admin.register(VehicleTransfer)
class VehicleTransferAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "vehicle__owning_unit"
    list_display = ["vehicle", "from_unit", "to_unit", "date", "reason"]


@admin.register(DisposalRequest)
class DisposalRequestAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "vehicle__owning_unit"
    list_display = ["vehicle", "method", "status", "requested_at", "decided_at"]
    list_filter = ["status", "method"]
