"""Change history: every service that writes calls record_change (or record_changes for bulk)."""

import datetime
import decimal
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .context import current_source
from .models import ChangeRecord


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The object's concrete field values as JSON-able data (foreign keys as their id)."""
    out = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"created_at", "updated_at"}:
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, models.DecimalField) and value is not None:
            value = decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
        out[field.name] = _plain(value)
    return out


def diff(before: dict | None, after: dict | None) -> dict:
    before = before or {}
    after = after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _actor_fields(actor) -> dict:
    if actor is None:
        return {"actor": None, "actor_name": "system"}
    return {"actor": actor, "actor_name": actor.get_username()}


def build_record(*, actor, obj, action, before=None, after=None, note="") -> ChangeRecord | None:
    if after is None and action != ChangeRecord.Action.DEACTIVATE:
        after = snapshot(obj)
    changes = diff(before, after)
    if not changes and action == ChangeRecord.Action.UPDATE:
        return None
    return ChangeRecord(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=changes,
        note=note[:500],
        source=current_source(),
        **_actor_fields(actor),
    )


def record_change(*, actor, obj, action, before=None, after=None, note="") -> ChangeRecord | None:
    """Record one write. `before` is snapshot(obj) taken before the change (None for a creation)."""
    record = build_record(actor=actor, obj=obj, action=action, before=before, after=after, note=note)
    if record is not None:
        record.save()
    return record


def record_changes(records: Iterable[ChangeRecord | None]) -> int:
    """Bulk-insert records built with build_record (skips the Nones)."""
    rows = [r for r in records if r is not None]
    ChangeRecord.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# model label → fn(user, obj, changes) → changes as that user may read them (an app registers its own, e.g.
# personnel hides an officer's ID number and birth date from those who see the mask)
_REDACTORS: dict = {}


def register_redactor(model_label: str, fn) -> None:
    _REDACTORS[model_label.lower()] = fn


def changes_for(user, obj: models.Model, changes: dict) -> dict:
    """A record's changes as `user` may read them (unchanged for models without a redactor)."""
    fn = _REDACTORS.get(obj._meta.label_lower)
    return fn(user, obj, changes) if fn is not None else changes


def history_for(obj: models.Model):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
