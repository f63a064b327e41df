from django.contrib import admin

from core import scope

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-only back office view: provincial staff see every job, others their own."""

    list_display = [
        "id",
        "kind",
        "format",
        "requested_by",
        "status",
        "progress",
        "queued_at",
        "finished_at",
        "expired",
    ]
    list_filter = ["status", "kind", "format", "expired"]
    search_fields = ["requested_by__username", "kind"]
    readonly_fields = [f.name for f in ReportJob._meta.fields]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("requested_by")
        return qs if scope.is_province(request.user) else qs.filter(requested_by=request.user)

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
