from axes.models import AccessAttempt
from django.contrib import admin
from django.utils.translation import gettext_lazy

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


class LoginLock(AccessAttempt):
    """axes' failed-login counts, shown to provincial logistics as 登录锁定 with an unlock action."""

    class Meta:
        proxy = True
        app_label = "core"
        verbose_name = gettext_lazy("登录锁定")
        verbose_name_plural = gettext_lazy("登录锁定")


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "locked"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    actions = ["unlock"]
    fields = ["username", "ip_address", "user_agent", "failures_since_start", "attempt_time", "path_info"]
    readonly_fields = fields

    @admin.display(boolean=True, description=gettext_lazy("已锁定"))
    def locked(self, obj):
        from django.conf import settings
        from django.utils import timezone

        return (
            obj.failures_since_start >= settings.AXES_FAILURE_LIMIT
            and obj.attempt_time >= timezone.now() - settings.AXES_COOLOFF_TIME
        )

    @admin.action(description=gettext_lazy("解除所选账号在该地址的登录锁定"))
    def unlock(self, request, queryset):
        from django.utils.translation import gettext

        from .login_guard import login_unlock

        done = 0
        for row in queryset.values("username", "ip_address").distinct():
            done += login_unlock(actor=request.user, username=row["username"], ip_address=row["ip_address"])
        self.message_user(request, gettext("已解除 {count} 条登录锁定").format(count=done))

    def has_module_permission(self, request):
        return scope.is_province(request.user)

    has_view_permission = lambda self, request, obj=None: scope.is_province(request.user)  # noqa: E731

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
