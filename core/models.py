from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class ChangeRecord(models.Model):
    """One write to a tracked object: who, when, from where, and each field before and after.

    Append-only. Written by services (see core.history), so bulk writes, commands and Celery tasks
    are recorded exactly like requests.
    """

    class Action(models.TextChoices):
        CREATE = "create", gettext_lazy("新建")
        UPDATE = "update", pgettext_lazy("update", "修改")
        DEACTIVATE = "deactivate", gettext_lazy("停用")
        TRANSFER = "transfer", gettext_lazy("调动")
        STATUS = "status", gettext_lazy("状态变更")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=16, choices=Action.choices)
    changes = models.JSONField(default=dict, help_text="{field: [before, after]}")
    note = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=16, default="system")  # request / cli / task / system
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = pgettext_lazy("change record", "变更记录")
        verbose_name_plural = pgettext_lazy("change records", "变更记录")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class Notification(models.Model):
    """An in-app notification for one user (reminders, digests, cases to act on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(
        max_length=200, blank=True, help_text="same key for the same user is sent once"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("通知")
        verbose_name_plural = pgettext_lazy("notifications", "通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_once"
            )
        ]

    def __str__(self):
        return self.title


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; revoked tokens and inactive users fail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("API 令牌")
        verbose_name_plural = pgettext_lazy("API tokens", "API 令牌")

    def __str__(self):
        return f"{self.user} {self.prefix}…"


class PasswordChangeDue(models.Model):
    """An account that must choose its own password before anything else: one made by create_unit_accounts
    with a password that someone else has seen. Kept after the change (changed_at), never deleted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="password_change_due"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("须修改密码")
        verbose_name_plural = gettext_lazy("须修改密码")

    def __str__(self):
        return str(self.user)
