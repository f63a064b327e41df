from django.contrib import admin, messages
from django.utils.translation import gettext

from core import scope
from core.admin import ScopedAdmin
from core.errors import QMError

from . import services
from .models import DemandSnapshot, ItemType, OfficerSizes, SkirtChoice, StandardLine, StandardVersion
from .sizes import officer_sizes


class ProvinceWritesAdmin(admin.ModelAdmin):
    """Reference data every member may read and provincial logistics may change (through the services)."""

    def has_module_permission(self, request):
        return bool(scope.memberships(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(scope.memberships(request.user))

    def has_change_permission(self, request, obj=None):
        return scope.is_province(request.user)

    def has_add_permission(self, request):
        return scope.is_province(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ItemType)
class ItemTypeAdmin(ProvinceWritesAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_men",
        "name_women",
        "category",
        "size_system",
        "qty_per_officer",
        "service_life_years",
        "source",
        "is_active",
    ]
    list_filter = ["category", "size_system", "source", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    fields = [
        "code",
        "name_zh",
        "name_en",
        "name_men",
        "name_women",
        "category",
        "size_system",
        "qty_per_officer",
        "service_life_years",
        "source",
        "note",
        "sort_order",
        "is_active",
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change):
        """Through the services, so the history is kept and a new version of the standard is made."""
        data = {f: form.cleaned_data[f] for f in form.changed_data if f != "code"}
        try:
            if change:
                saved = services.item_type_update(
                    actor=request.user, item=ItemType.objects.get(pk=obj.pk), note="admin", **data
                )
            else:
                values = {f: form.cleaned_data[f] for f in self.fields if f not in ("is_active",)}
                saved = services.item_type_create(actor=request.user, **values)
        except QMError as exc:  # nothing written; say why
            self.message_user(request, exc.message, level=messages.ERROR)
            return
        obj.pk = saved.pk


class StandardLineInline(admin.TabularInline):
    model = StandardLine
    fields = ["item", "qty_per_officer", "service_life_years", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StandardVersion)
class StandardVersionAdmin(ProvinceWritesAdmin):
    """Versions are immutable; a revision is made by changing an item (or with the API)."""

    list_display = ["number", "note", "created_by", "created_at"]
    readonly_fields = ["number", "note", "created_by", "created_at"]
    inlines = [StandardLineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(OfficerSizes)
class OfficerSizesAdmin(ScopedAdmin):
    """The roll as size codes, read-only: each officer's sizes and what is still to be measured."""

    list_display = ["name", "gender", "unit", "status", "top", "bottom", "shoes", "cap", "to_measure"]
    list_filter = ["gender", "status"]
    search_fields = ["name", "certificate_number"]
    list_select_related = ["unit"]
    fields = [
        "name",
        "gender",
        "unit",
        "status",
        "height_cm",
        "chest_cm",
        "waist_cm",
        "head_cm",
        "foot_mm",
        "shoe_eu",
        "measured_on",
        "top",
        "bottom",
        "shoes",
        "cap",
        "to_measure",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def _size(self, obj, system):
        cache = getattr(obj, "_qm_sizes", None)
        if cache is None:
            cache = obj._qm_sizes = officer_sizes(obj)
        size = cache[system]
        return size.code if size.known else f"— {size.reason}"

    @admin.display(description=gettext("上衣"))
    def top(self, obj):
        return self._size(obj, "top")

    @admin.display(description=gettext("下装"))
    def bottom(self, obj):
        return self._size(obj, "bottom")

    @admin.display(description=gettext("鞋"))
    def shoes(self, obj):
        return self._size(obj, "shoe_mm")

    @admin.display(description=gettext("帽"))
    def cap(self, obj):
        return self._size(obj, "hat_cm")

    @admin.display(description=gettext("待测量"))
    def to_measure(self, obj):
        cache = getattr(obj, "_qm_sizes", None) or officer_sizes(obj)
        reasons = sorted({s.reason for s in cache.values() if s.status == "missing"})
        return "; ".join(reasons) or "—"


@admin.register(SkirtChoice)
class SkirtChoiceAdmin(ScopedAdmin):
    scope_prefix = "officer__unit"
    write_roles = (scope.PROVINCE, scope.CITY, scope.COUNTY)
    list_display = ["officer", "skirts", "updated_at"]
    raw_id_fields = ["officer"]

    def save_model(self, request, obj, form, change):
        saved = services.skirt_choice_set(actor=request.user, officer=obj.officer, skirts=obj.skirts)
        obj.pk = saved.pk


@admin.register(DemandSnapshot)
class DemandSnapshotAdmin(ProvinceWritesAdmin):
    list_display = [
        "id",
        "created_at",
        "created_by_name",
        "standard_version",
        "margin_percent",
        "officer_count",
        "note",
    ]
    fields = [
        "created_at",
        "created_by_name",
        "standard_version",
        "margin_percent",
        "officer_count",
        "note",
        "totals",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("officers", "made_to_measure", "unknown")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


from . import equipment_admin  # noqa: E402,F401
