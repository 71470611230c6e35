"""Helpers shared by every app's services."""

from typing import Any

from django.db import models


def model_update(*, instance: models.Model, data: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Apply ``data`` to ``instance``, validate, save only the changed fields.

    Return ``{field: (old, new)}`` for the fields that really changed, so callers can
    write one audit event per change and skip no-op updates.
    """
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in data.items():
        old = getattr(instance, field)
        if old != value:
            changes[field] = (old, value)
            setattr(instance, field, value)
    if changes:
        instance.full_clean()
        instance.save(update_fields=list(changes))
    return changes
