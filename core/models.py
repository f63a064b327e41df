from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ChangeRecord(models.Model):
    """One write to a tracked object: who, when, from where, and each field before and after.

    Append-only. Written by services (see core.history), so bulk writes, commands and Celery tasks
    are recorded exactly like requests.
    """

    class Action(models.TextChoices):
        CREATE = "create", "新建 create"
        UPDATE = "update", "修改 update"
        DEACTIVATE = "deactivate", "停用 deactivate"
        TRANSFER = "transfer", "调动 transfer"
        STATUS = "status", "状态变更 status change"

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
        verbose_name = "变更记录 change record"
        verbose_name_plural = "变更记录 change records"
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
        verbose_name = "通知 notification"
        verbose_name_plural = "通知 notifications"
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
        verbose_name = "API 令牌 API token"
        verbose_name_plural = "API 令牌 API tokens"

    def __str__(self):
        return f"{self.user} {self.prefix}…"
