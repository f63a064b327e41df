"""Back office, scoped like the API. The ledger is read-only here: writes go through the services."""

from django.contrib import admin

from core import scope
from core.admin import ScopedAdmin

from .models import (
    AllocationPlan,
    BadgeNumber,
    DiscrepancyCase,
    IssueRecord,
    Movement,
    OpeningBalance,
    OpeningBalanceLine,
    RecoveryTask,
    Shipment,
    Stocktake,
)


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Movement)
class MovementAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "at",
        "kind",
        "item",
        "gender",
        "size",
        "quantity",
        "from_location",
        "to_location",
        "doc_ref",
    ]
    list_filter = ["kind", "gender"]
    search_fields = ["doc_ref", "size", "item__code"]
    list_select_related = ["item", "from_location", "to_location"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        paths = scope.scope_paths(request.user)
        if paths is None:
            return qs
        from django.db.models import Q

        q = Q(pk__in=[])
        for p in paths:
            q |= (
                Q(from_location__unit__path__startswith=p)
                | Q(to_location__unit__path__startswith=p)
                | Q(from_location__officer__unit__path__startswith=p)
                | Q(to_location__officer__unit__path__startswith=p)
            )
        return qs.filter(q)


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "to_unit"
    list_display = ["number", "from_location", "to_unit", "status", "dispatched_at", "received_at"]
    list_filter = ["status"]
    search_fields = ["number"]


@admin.register(AllocationPlan)
class AllocationPlanAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "city"
    list_display = ["city", "version", "status", "spare_share", "approved_at"]
    list_filter = ["status"]


@admin.register(DiscrepancyCase)
class DiscrepancyCaseAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "id",
        "shipment",
        "unit",
        "item",
        "gender",
        "size",
        "quantity",
        "reason",
        "status",
        "outcome",
    ]
    list_filter = ["status", "reason", "outcome"]


@admin.register(IssueRecord)
class IssueRecordAdmin(ReadOnlyScopedAdmin):
    list_display = ["officer", "unit", "kind", "signature", "signed_on", "at"]
    list_filter = ["kind", "signature"]


@admin.register(BadgeNumber)
class BadgeNumberAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "officer__unit"
    list_display = ["number", "officer", "assigned_at"]
    search_fields = ["officer__name"]


@admin.register(RecoveryTask)
class RecoveryTaskAdmin(ReadOnlyScopedAdmin):
    list_display = ["officer", "unit", "reason", "status", "created_at", "closed_at"]
    list_filter = ["status", "reason"]


@admin.register(Stocktake)
class StocktakeAdmin(ReadOnlyScopedAdmin):
    list_display = ["id", "unit", "status", "counted_at", "decided_at"]
    list_filter = ["status"]


class OpeningBalanceLineInline(admin.TabularInline):
    model = OpeningBalanceLine
    fields = ["item", "gender", "size", "quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OpeningBalance)
class OpeningBalanceAdmin(ReadOnlyScopedAdmin):
    """Read-only: an opening balance is submitted and approved through the service (API), never added here."""

    list_display = ["number", "unit", "as_of", "status", "created_by", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["number", "unit__name"]
    inlines = [OpeningBalanceLineInline]
