"""Resolve ids from API input into rows, with a 4xx naming the field when one is missing."""

from typing import TypeVar

from django.db import models

from tierdesk.common.errors import NotFound
from tierdesk.common.prepared import get_first

M = TypeVar("M", bound=models.Model)


def get_or_404(model: type[M], field: str, related: tuple[str, ...] = (), **lookup) -> M:
    obj = get_first(model, related, **lookup)
    if obj is None:
        value = next(iter(lookup.values()))
        raise NotFound(f"{model._meta.verbose_name} {value} not found", field=field)
    return obj
