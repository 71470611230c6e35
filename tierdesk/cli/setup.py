"""What every command that touches the instance does first: Django set-up, and for the
commands that start it, migrations, static files and the demo.

A restart (after a crash, a deploy with no schema change) should answer within seconds,
so the two slow steps are skipped when there is provably nothing to do: ``migrate`` when
every migration file on disk is recorded as applied, ``collectstatic`` when the collected
files carry the stamp of the same source files.
"""

import hashlib
from pathlib import Path

STATIC_STAMP = ".tierdesk-static-stamp"


def compile_bytecode() -> None:
    """Let this process write the bytecode cache of what it imports, even where
    ``PYTHONDONTWRITEBYTECODE=1`` is set (container images, some service managers, this
    project's environment).

    Without a cache a start compiled some 170 of Tierdesk's modules from source: 1.4 of the
    2.2 CPU seconds a restart took before answering. Walking the package with
    ``compileall`` at every start fixed that but itself cost 0.5 CPU s (a ``stat`` and a
    header read per file, modules a start never imports included); the import system
    already checks each module it loads, so it only needs to be allowed to write. Modules
    imported later (lazily, in a worker) are cached the same way; a read-only install is
    left as it is (the import system ignores a failed write).
    """
    import sys

    sys.dont_write_bytecode = False


def django_setup() -> None:
    """Configure Django from ``tierdesk.settings`` (commands import the ORM only after)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    import django
    from django.apps import apps

    if not apps.ready:  # set up once: a second set-up would reconfigure logging
        from tierdesk.common.catalogues import compile_catalogues

        compile_catalogues()  # the .mo files Django's i18n reads (not committed)
        django.setup()


def prepare_instance(*, load_demo: bool) -> None:
    """Migrate, collect static files and, when asked, load the demo once."""
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    if not migrations_all_applied():
        call_command("migrate", interactive=False, verbosity=0)
    stamp = static_sources_stamp()
    stamp_file = Path(settings.STATIC_ROOT) / STATIC_STAMP
    if not stamp_file.is_file() or stamp_file.read_text() != stamp:
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp_file.write_text(stamp)
    if load_demo:
        from tierdesk.demo import demo_loaded
        from tierdesk.demo import load_demo as load

        if not demo_loaded():
            for line in load():
                print(line)


def migrations_on_disk() -> set[tuple[str, str]]:
    """Return (app label, migration name) of every migration file the installed apps ship."""
    from django.apps import apps

    found = set()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        if folder.is_dir():
            found.update((config.label, p.stem) for p in folder.glob("[0-9]*.py"))
    return found


def migrations_all_applied() -> bool:
    """True when the database records every migration on disk (one query, no graph)."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError:
        return False  # a new database: no migrations table yet
    return migrations_on_disk() <= applied


def static_sources_stamp() -> str:
    """Return a hash of every static source file's path, size and modification time."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = Path(storage.path(path)).stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
