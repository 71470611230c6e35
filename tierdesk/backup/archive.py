"""A portable archive of an instance: every table's rows and every stored file.

The archive is a zip file holding ``manifest.json`` (format, source database, time, and
per table its row count and a SHA-256 of its rows; per file its size and SHA-256),
``tables/<app_label.model>.jsonl`` (one JSON array per row, in primary-key order, values
in a database-neutral encoding) and ``files/<storage name>``. Rows are read in one
snapshot, so a backup of a live instance is consistent; the same encoding is written on
SQLite and PostgreSQL, so an archive moves between them.
"""

import base64
import datetime as dt
import decimal
import hashlib
import json
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models

FORMAT = "tierdesk-backup/1"
# Rows every migrated instance makes itself; restore replaces them with the archive's.
INSTANCE_BOOKKEEPING = ("contenttypes.contenttype", "auth.permission")


class BackupError(Exception):
    """An archive that cannot be read or restored; nothing was changed."""


def dumped_models() -> list[type[models.Model]]:
    """Return every concrete model with a table, parents before the rows that point at them."""
    found = [m for m in apps.get_models(include_auto_created=True)
             if m._meta.managed and not m._meta.proxy and not m._meta.swapped]
    ordered: list[type[models.Model]] = []
    seen: set = set()

    def visit(model: type[models.Model], path: tuple = ()) -> None:
        if model in seen or model in path:
            return
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if target is not None and target is not model and target in found:
                visit(target, (*path, model))
        seen.add(model)
        ordered.append(model)

    for model in sorted(found, key=lambda m: m._meta.label_lower):
        visit(model)
    return ordered


def encode(value: Any) -> Any:
    """Return a JSON value that decodes back to exactly ``value`` for its field."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def decode(model_field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    internal = model_field.get_internal_type()
    if internal == "DateTimeField":
        return dt.datetime.fromisoformat(value)
    if internal == "DateField":
        return dt.date.fromisoformat(value)
    if internal == "TimeField":
        return dt.time.fromisoformat(value)
    if internal == "DurationField":
        return dt.timedelta(seconds=value)
    if internal == "DecimalField":
        return decimal.Decimal(value)
    if internal == "BinaryField":
        return base64.b64decode(value)
    return value


def columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def row_lines(model: type[models.Model], using: str = "default") -> Iterator[bytes]:
    """Yield the table's rows as canonical JSON lines, in primary-key order."""
    names = columns(model)
    query = model._base_manager.using(using).order_by("pk").values_list(*names)
    for row in query.iterator(chunk_size=2000):
        yield (json.dumps([encode(v) for v in row], ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")) + "\n").encode()


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


@dataclass
class Manifest:
    tables: dict[str, dict] = field(default_factory=dict)
    files: dict[str, dict] = field(default_factory=dict)
    source: str = ""
    created_at: str = ""

    def as_json(self) -> dict:
        return {"format": FORMAT, "source": self.source, "created_at": self.created_at,
                "tables": self.tables, "files": self.files}

    @classmethod
    def read(cls, archive: zipfile.ZipFile) -> "Manifest":
        try:
            data = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError) as exc:
            raise BackupError(f"not a Tierdesk backup: manifest.json unreadable ({exc})") from None
        if data.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {data.get('format')!r}; "
                              f"this version reads {FORMAT}")
        return cls(tables=data["tables"], files=data["files"], source=data.get("source", ""),
                   created_at=data.get("created_at", ""))


def sha256_of(chunks: Iterator[bytes]) -> tuple[str, int]:
    digest, count = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        count += 1
    return digest.hexdigest(), count


def open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"{path}: not a readable zip archive ({exc})") from None
