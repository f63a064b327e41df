from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from core import scope
from core.admin import ScopedAdmin

from .models import (
    Acceptance,
    AcceptanceLine,
    Award,
    AwardPrice,
    Bid,
    Contract,
    ContractLine,
    ContractVariation,
    ContractVariationLine,
    Delivery,
    DeliveryLine,
    Holiday,
    HolidayYear,
    Lot,
    Milestone,
    Payment,
    RuleOverride,
    Supplier,
    Tender,
)


class ProvinceOnlyAdmin(ScopedAdmin):
    """Reference data and tender-wide records: provincial logistics writes, members of the whole province read."""

    def get_queryset(self, request):
        qs = super(ScopedAdmin, self).get_queryset(request)
        return qs if self.has_view_permission(request) else qs.none()

    def has_view_permission(self, request, obj=None):
        from personnel.models import OrgUnit

        province = OrgUnit.objects.filter(level="province").first()
        return province is not None and scope.has_role(
            request.user, scope.PROVINCE, scope.AUDITOR, unit=province
        )

    has_module_permission = has_view_permission


@admin.register(Holiday)
class HolidayAdmin(ProvinceOnlyAdmin):
    """Provincial logistics adds each year's State Council holidays and make-up working days here."""

    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(HolidayYear)
class HolidayYearAdmin(ProvinceOnlyAdmin):
    """Each year after chinese-calendar's data: the State Council notice it comes from and the last day it
    covers. Saved through services.holiday_year_set (the same rules and history as the API)."""

    list_display = ["year", "covers_until", "source"]
    fields = ["year", "source", "covers_until"]

    def save_model(self, request, obj, form, change):
        from . import services

        saved = services.holiday_year_set(
            actor=request.user, year=obj.year, source=obj.source, covers_until=obj.covers_until
        )
        obj.pk = saved.pk


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = [
            "name",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "is_active",
        ]

    def clean_credit_code(self):
        try:
            return uscc.validate(self.cleaned_data["credit_code"])
        except StdnumError as exc:
            raise forms.ValidationError(gettext("统一社会信用代码无效：{exc}").format(exc=exc)) from None


@admin.register(Supplier)
class SupplierAdmin(ProvinceOnlyAdmin):
    form = SupplierForm
    list_display = ["name", "credit_code", "contact_name", "contact_phone", "is_active"]
    search_fields = ["name", "credit_code"]


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    fields = ["number", "title", "budget", "evaluation_method", "price_weight"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["sequence", "code", "name", "planned_date", "actual_date", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Tender)
class TenderAdmin(ScopedAdmin):
    """Tenders, lots, budgets, bonds and milestone dates are written through the API (services), where the
    legal rules are checked; the admin edits the descriptive fields only."""

    scope_prefix = "procuring_unit"
    list_display = ["reference", "title", "year", "method", "budget", "status", "target_date"]
    list_filter = ["year", "method", "status"]
    search_fields = ["reference", "title"]
    readonly_fields = ["reference", "year", "method", "budget", "bid_bond", "procuring_unit", "status"]
    inlines = [LotInline, MilestoneInline]

    def has_add_permission(self, request):
        return False


@admin.register(RuleOverride)
class RuleOverrideAdmin(ProvinceOnlyAdmin):
    list_display = ["milestone", "rule_code", "date_kind", "date", "reason", "actor", "created_at"]
    readonly_fields = [f.name for f in RuleOverride._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Bid)
class BidAdmin(ProvinceOnlyAdmin):
    list_display = ["lot", "supplier", "price", "total_score", "rank", "status"]
    list_filter = ["status"]
    list_select_related = ["lot__tender", "supplier"]


class ScopedReadOnlyInline(admin.TabularInline):
    """Rows shown read-only under a parent the scoped admin already let the user open: visible to any member
    (no Django model permission needed), never added, changed or deleted here (the services write them)."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return bool(scope.memberships(request.user))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AwardPriceInline(ScopedReadOnlyInline):
    """The award's unit prices, fixed by the first contracts made from it (services); read-only here."""

    model = AwardPrice
    fields = ["item", "unit_price", "created_at"]
    readonly_fields = fields


@admin.register(Award)
class AwardAdmin(ProvinceOnlyAdmin):
    list_display = ["lot", "supplier", "amount", "decided_on", "status"]
    list_select_related = ["lot__tender", "supplier"]
    inlines = [AwardPriceInline]


class ContractLineInline(admin.TabularInline):
    model = ContractLine
    extra = 0
    fields = [
        "kind",
        "item",
        "gender",
        "size",
        "demand_quantity",
        "quantity",
        "unit_price",
        "amount",
        "officer",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ContractVariationInline(ScopedReadOnlyInline):
    """A contract's 补充合同, signed through the service (the 10 % rule); read-only here."""

    model = ContractVariation
    fields = ["number", "signed_on", "amount", "performance_bond", "legal_basis", "reason", "created_by"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Contract)
class ContractAdmin(ScopedAdmin):
    scope_prefix = "buyer"
    list_display = ["number", "buyer", "supplier", "status", "total", "performance_bond", "signed_on"]
    list_filter = ["status"]
    search_fields = ["number"]
    list_select_related = ["buyer", "supplier"]
    readonly_fields = [
        "award",
        "buyer",
        "supplier",
        "number",
        "total",
        "status",
        "snapshot_id",
        "margin_percent",
        "performance_bond",
        "signed_on",
        "published_on",
    ]
    inlines = [ContractLineInline, ContractVariationInline]

    def has_add_permission(self, request):
        return False


class ContractVariationLineInline(ScopedReadOnlyInline):
    model = ContractVariationLine
    fields = ["contract_line", "quantity", "unit_price", "amount"]
    readonly_fields = fields


@admin.register(ContractVariation)
class ContractVariationAdmin(ScopedAdmin):
    """补充合同 are signed through the service (POST /procurement/contracts/{id}/variations); the admin shows
    them in the buyer's scope."""

    scope_prefix = "contract__buyer"
    list_display = ["number", "contract", "signed_on", "amount", "performance_bond"]
    list_select_related = ["contract__buyer"]
    search_fields = ["number", "contract__number"]
    readonly_fields = [f.name for f in ContractVariation._meta.fields]
    inlines = [ContractVariationLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ScopedAdmin):
    scope_prefix = "contract__buyer"
    list_display = ["contract", "kind", "amount", "paid_on"]
    readonly_fields = ["contract", "kind", "amount", "paid_on"]

    def has_add_permission(self, request):
        return False


class DeliveryLineInline(admin.TabularInline):
    model = DeliveryLine
    extra = 0
    fields = ["contract_line", "quantity", "replaces"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ScopedAdmin):
    scope_prefix = "contract__buyer"
    list_display = ["number", "contract", "destination", "planned_on", "delivered_on", "status"]
    list_filter = ["status"]
    readonly_fields = ["contract", "number", "destination", "planned_on", "delivered_on", "status"]
    inlines = [DeliveryLineInline]

    def has_add_permission(self, request):
        return False


class AcceptanceLineInline(admin.TabularInline):
    model = AcceptanceLine
    extra = 0
    fields = ["delivery_line", "accepted", "rejected", "reason", "rejection_status", "returned_on"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Acceptance)
class AcceptanceAdmin(ScopedAdmin):
    """Acceptances are recorded through the service (it feeds the stock ledger); the admin shows them."""

    scope_prefix = "delivery__contract__buyer"
    list_display = ["certificate_number", "delivery", "inspected_on", "sample_size", "inspectors"]
    readonly_fields = [f.name for f in Acceptance._meta.fields]
    inlines = [AcceptanceLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
