from django.contrib import admin

from . import scope
from .history import record_change, snapshot
from .models import ApiToken, ChangeRecord, Notification


class ScopedAdmin(admin.ModelAdmin):
    """Back office scoped like the API: querysets restricted to the user's subtree, writes recorded,
    nothing deleted. `scope_prefix` is the path to the unit ('' for OrgUnit itself)."""

    scope_prefix = "unit"
    write_roles = (scope.PROVINCE,)

    def get_queryset(self, request):
        return scope.restrict(super().get_queryset(request), request.user, self.scope_prefix)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return bool(scope.memberships(request.user))

    def has_module_permission(self, request):
        return bool(scope.memberships(request.user))

    def has_change_permission(self, request, obj=None):
        return scope.has_role(request.user, *self.write_roles)

    def has_add_permission(self, request):
        return scope.has_role(request.user, *self.write_roles)

    def save_model(self, request, obj, form, change):
        from .models import ChangeRecord as CR

        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record_change(
            actor=request.user,
            obj=obj,
            action=CR.Action.UPDATE if change else CR.Action.CREATE,
            before=before,
        )


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "source", "action", "content_type", "object_repr"]
    list_filter = ["action", "source", "content_type"]
    search_fields = ["object_repr", "actor_name", "object_id"]

    def has_module_permission(self, request):
        return (
            scope.has_role(request.user, scope.PROVINCE, scope.AUDITOR)
            and scope.scope_paths(request.user) is None
        )

    has_view_permission = lambda self, request, obj=None: self.has_module_permission(request)  # noqa: E731

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_module_permission(self, request):
        return scope.is_province(request.user)

    has_view_permission = lambda self, request, obj=None: scope.is_province(request.user)  # noqa: E731
    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]

    def has_module_permission(self, request):
        return scope.is_province(request.user)

    has_view_permission = lambda self, request, obj=None: scope.is_province(request.user)  # noqa: E731

    def has_delete_permission(self, request, obj=None):
        return False
