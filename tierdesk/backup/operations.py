"""Back up a live instance in one snapshot, and restore an archive into an empty one.

Restore checks everything before it writes: the archive's own hashes, the schema
(migrations) it was taken from, and that the target holds no data. Then it inserts every
table in one transaction, puts every file back, and reads the tables again to prove they
hash to the manifest's values: a restore either round-trips exactly or changes nothing.
"""

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

from tierdesk import clock
from tierdesk.backup.archive import (
    INSTANCE_BOOKKEEPING,
    BackupError,
    Manifest,
    columns,
    decode,
    dumped_models,
    file_fields,
    open_archive,
    row_lines,
    sha256_of,
)

SNAPSHOT_ALIAS = "tierdesk_backup_snapshot"
BATCH = 1000


def database_alias(url: str | None, *, name: str) -> str:
    """Return a connection alias for ``url`` (or ``default`` when None), set up like ours."""
    if not url:
        return "default"
    config = dj_database_url.parse(url)
    if config["ENGINE"].endswith("sqlite3"):
        config["ENGINE"] = "tierdesk.common.sqlite"
        config["OPTIONS"] = dict(settings.DATABASES["default"].get("OPTIONS", {}))
    return _connect(name, config)


def _connect(alias: str, config: dict) -> str:
    """Open ``alias`` as an extra connection for this process only (not in settings)."""
    existing = getattr(connections._connections, alias, None)
    if existing is not None:
        existing.close()
    full = connections.configure_settings(
        {"default": connections["default"].settings_dict, alias: config})[alias]
    connections[alias] = load_backend(full["ENGINE"]).DatabaseWrapper(full, alias)
    return alias


def _snapshot_alias(source: str) -> str:
    """A second connection to ``source`` whose transaction is a read snapshot that does not
    hold SQLite's single writer lock (ours begins IMMEDIATE) while the archive is written."""
    config = dict(connections[source].settings_dict)
    options = dict(config.get("OPTIONS", {}))
    if connections[source].vendor == "sqlite":
        # Django's plain backend: ours takes the writers' kernel lock on every BEGIN.
        config["ENGINE"] = "django.db.backends.sqlite3"
        options["transaction_mode"] = "DEFERRED"
    else:
        from psycopg import IsolationLevel

        options["isolation_level"] = IsolationLevel.REPEATABLE_READ
    config["OPTIONS"] = options
    return _connect(SNAPSHOT_ALIAS, config)


def applied_migrations(using: str) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[using])
    out: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        out.setdefault(app, []).append(name)
    return out


def backup_instance(path: Path, *, using: str = "default") -> Manifest:
    """Write every table and file of ``using`` to a zip at ``path``; return its manifest."""
    import zipfile

    alias = _snapshot_alias(using)
    manifest = Manifest(source=connections[using].vendor, created_at=clock.now().isoformat())
    partial = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
                transaction.atomic(using=alias):
            for model in dumped_models():
                label = model._meta.label_lower
                lines: list[bytes] = []
                digest, count = sha256_of(_collect(row_lines(model, alias), lines))
                archive.writestr(f"tables/{label}.jsonl", b"".join(lines))
                manifest.tables[label] = {"rows": count, "sha256": digest,
                                          "columns": columns(model)}
                for f in file_fields(model):
                    names = (model._base_manager.using(alias).exclude(**{f.attname: ""})
                             .values_list(f.attname, flat=True))
                    for name in names.iterator():
                        manifest.files[name] = _store_file(archive, name)
            migrations = applied_migrations(alias)
            archive.writestr("manifest.json", json.dumps(
                {**manifest.as_json(), "migrations": migrations}, indent=1, sort_keys=True))
        partial.replace(path)
    finally:
        connections[SNAPSHOT_ALIAS].close()
        partial.unlink(missing_ok=True)
    return manifest


def _collect(chunks: Iterator[bytes], into: list[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        into.append(chunk)
        yield chunk


def _store_file(archive, name: str) -> dict:
    import hashlib

    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        return {"missing": True}
    archive.writestr(f"files/{name}", content)
    return {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def data_rows(using: str) -> dict[str, int]:
    """Return the tables of ``using`` that hold rows a restore would collide with."""
    found = {}
    for model in dumped_models():
        label = model._meta.label_lower
        if label in INSTANCE_BOOKKEEPING:
            continue
        count = model._base_manager.using(using).count()
        if count:
            found[label] = count
    return found


def restore_instance(path: Path, *, using: str = "default", replace: bool = False) -> Manifest:
    """Load the archive at ``path`` into ``using``; refuse a target with data unless
    ``replace``. Everything is checked first; any failure leaves the target as it was."""
    archive = open_archive(path)
    manifest = Manifest.read(archive)
    raw = json.loads(archive.read("manifest.json"))
    models_by_label = {m._meta.label_lower: m for m in dumped_models()}
    unknown = sorted(set(manifest.tables) - set(models_by_label))
    if unknown:
        raise BackupError(f"the archive has tables this version does not know: {unknown}")
    call_command("migrate", database=using, interactive=False, verbosity=0)
    if raw.get("migrations") != applied_migrations(using):
        raise BackupError("the archive was taken at another schema version (its migrations "
                          "differ from this instance's); restore it with the Tierdesk "
                          "version that made it")
    tables = _verified_tables(archive, manifest)
    files = _verified_files(archive, manifest)
    occupied = data_rows(using)
    if occupied and not replace:
        listed = ", ".join(f"{label} ({n})" for label, n in sorted(occupied.items()))
        raise BackupError(f"the target instance is not empty: {listed}; restore into an empty "
                          "instance, or pass --replace to delete its data first")
    order = [m for m in dumped_models()]
    with transaction.atomic(using=using), _timestamps_kept(order):
        for model in reversed(order):
            model._base_manager.using(using).all().delete()
        for model in order:
            label = model._meta.label_lower
            if label in tables:
                _insert(model, manifest.tables[label]["columns"], tables[label], using)
        _reset_sequences(order, using)
        for model in order:
            label = model._meta.label_lower
            expected = manifest.tables.get(label, {"rows": 0, "sha256": sha256_of(iter(()))[0]})
            got, count = sha256_of(row_lines(model, using))
            if (got, count) != (expected["sha256"], expected["rows"]):
                raise BackupError(f"{label}: restored rows do not match the archive "
                                  f"({count} rows vs {expected['rows']})")
    for name, content in files.items():
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:
            raise BackupError(f"storage renamed {name} to {saved}")
    return manifest


def _verified_tables(archive, manifest: Manifest) -> dict[str, list[bytes]]:
    tables = {}
    for label, info in manifest.tables.items():
        try:
            lines = archive.read(f"tables/{label}.jsonl").splitlines(keepends=True)
        except KeyError:
            raise BackupError(f"the archive lacks tables/{label}.jsonl") from None
        digest, count = sha256_of(iter(lines))
        if (digest, count) != (info["sha256"], info["rows"]):
            raise BackupError(f"tables/{label}.jsonl does not match its manifest hash: "
                              "the archive is damaged")
        tables[label] = lines
    return tables


def _verified_files(archive, manifest: Manifest) -> dict[str, bytes]:
    import hashlib

    files = {}
    for name, info in manifest.files.items():
        if info.get("missing"):
            continue
        try:
            content = archive.read(f"files/{name}")
        except KeyError:
            raise BackupError(f"the archive lacks files/{name}") from None
        if hashlib.sha256(content).hexdigest() != info["sha256"]:
            raise BackupError(f"files/{name} does not match its manifest hash")
        files[name] = content
    return files


def _insert(model: type[models.Model], names: list[str], lines: list[bytes], using: str) -> None:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    if set(names) != set(by_attname):
        raise BackupError(f"{model._meta.label_lower}: the archive's columns differ from "
                          "this version's")
    fields = [by_attname[n] for n in names]
    batch = []
    for line in lines:
        values = json.loads(line)
        batch.append(model(**{f.attname: decode(f, v) for f, v in zip(fields, values,
                                                                        strict=True)}))
        if len(batch) >= BATCH:
            model._base_manager.using(using).bulk_create(batch)
            batch = []
    if batch:
        model._base_manager.using(using).bulk_create(batch)


def _reset_sequences(order: list, using: str) -> None:
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), order)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@contextlib.contextmanager
def _timestamps_kept(order: list) -> Iterator[None]:
    """Stop auto_now/auto_now_add from stamping restored rows with today's time."""
    switched = []
    for model in order:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in switched:
            f.auto_now, f.auto_now_add = now, now_add
