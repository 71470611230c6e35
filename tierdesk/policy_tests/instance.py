"""A throwaway Tierdesk: a temporary SQLite database, migrated once per run, with the pack
applied and one person per role, tier and unit; each case runs inside one transaction
that is rolled back after it, so the next case starts from the same instance.

It lives in a process of its own (``tierdesk policy test`` configures Django for it before
anything else does), so neither the live database nor the system clock is ever touched:
every service call runs under ``clock.frozen_at`` the scenario's time.
"""

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

STAFF_DOMAIN = "staff.invalid"


class NotIsolated(RuntimeError):
    """Django was already configured for another database in this process."""


def configure(workdir: Path) -> None:
    """Point this process's Django at ``workdir`` (call before Django is set up)."""
    from django.apps import apps

    if apps.ready:
        raise NotIsolated("handbook tests need a process of their own: Django is already "
                          "set up here (run `tierdesk policy test` as its own command)")
    for name in ("TIERDESK_DATABASE_URL", "TIERDESK_BROKER_URL", "TIERDESK_MEDIA_ROOT",
                 "TIERDESK_TEST_SQLITE"):
        os.environ.pop(name, None)
    os.environ["TIERDESK_DATA_DIR"] = str(workdir)
    os.environ["TIERDESK_EMAIL_ENABLED"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tierdesk.settings"
    import django

    django.setup()
    from django.conf import settings

    # Nothing leaves the instance: no worker thread, no broker, no mail.
    settings.JOBS_INPROCESS = "off"
    settings.BROKER_URL = ""
    settings.EMAIL_ENABLED = False
    import logging

    logging.getLogger("tierdesk").setLevel(logging.WARNING)  # the report is the output


class Instance:
    """The built instance and the per-case transaction the services run in."""

    def __init__(self, workdir: Path | None = None) -> None:
        self._tmp = None
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="tierdesk-policy-test-")
            workdir = Path(self._tmp.name)
        self.workdir = workdir
        configure(workdir)
        from django.db import connection

        self.db = Path(connection.settings_dict["NAME"])
        self.pack_version_id: int | None = None

    def build(self, pack_source: str) -> None:
        """Migrate, apply the pack, staff it: the state every case starts from."""
        from tierdesk.packs.services import pack_apply

        self._migrate()
        applied = pack_apply(source=pack_source, note="policy test")
        self.pack_version_id = applied.version.pk
        staff()

    def _migrate(self) -> None:
        """Migrate the empty database, or copy an empty database this code's migrations
        made before (a cache keyed by the migration files: migrating takes seconds, a
        copy milliseconds)."""
        from django.core.management import call_command

        cached = migrated_cache()
        if cached is not None and cached.is_file():
            self._close()
            shutil.copyfile(cached, self.db)
            return
        call_command("migrate", interactive=False, verbosity=0)
        if cached is not None:
            self._close()
            partial = cached.with_suffix(f".{os.getpid()}.part")
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.db, partial)
                partial.replace(cached)  # atomic: a concurrent run sees all of it or none
            except OSError:  # no cache (a read-only home): slower, still correct
                with suppress(OSError):
                    partial.unlink(missing_ok=True)

    @contextmanager
    def case(self) -> Iterator[None]:
        """Run one case in a transaction rolled back after it: the next case sees the
        built instance again, as a fresh copy would show it, at the cost of a rollback
        (copying the database file per case cost more than most cases).

        The services' own ``atomic(durable=True)`` blocks become savepoints inside it,
        as they do in Django's TestCase (whose flag this sets); their ``on_commit``
        hooks never run, which is what the instance wants: it sends nothing.
        """
        from django.db import transaction

        outer = transaction.atomic()
        outer._from_testcase = True  # let the services' durable blocks nest in it
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

    def _close(self) -> None:
        from django.db import connection

        connection.close()
        with sqlite3.connect(self.db) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()

    def cleanup(self) -> None:
        from django.db import connection

        connection.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def migrated_cache() -> Path | None:
    """Where an empty database migrated by exactly these migration files is kept
    (``TIERDESK_POLICY_TEST_CACHE``, default ``~/.cache/tierdesk``; ``off`` disables)."""
    import hashlib

    from django.apps import apps

    folder = os.environ.get("TIERDESK_POLICY_TEST_CACHE",
                            str(Path.home() / ".cache" / "tierdesk"))
    if folder.lower() in ("off", "0", "no", ""):
        return None
    digest = hashlib.sha256()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        migrations = Path(config.path) / "migrations"
        for path in sorted(migrations.glob("[0-9]*.py")) if migrations.is_dir() else ():
            digest.update(f"{config.label}/{path.name}\0".encode() + path.read_bytes())
    return Path(folder) / f"policy-test-{digest.hexdigest()[:16]}.sqlite3"


def staff() -> None:
    """One person per platform role, per tier (in its queue) and per unit, so every
    ``notify``, ``escalate`` and ``assign`` of the pack reaches somebody."""
    from django.contrib.auth import get_user_model

    from tierdesk.packs.selectors import active_pack
    from tierdesk.people.models import Agent, Group, Role, Tier

    pack = active_pack()  # parsed once, for the services too
    users = get_user_model()

    def person(username: str, role: str, tier=None, groups=()) -> None:
        user = users.objects.create(username=username, email=f"{username}@{STAFF_DOMAIN}")
        agent = Agent.objects.create(user=user, role=role, tier=tier)
        if groups:
            agent.groups.set(groups)

    platform = {getattr(r, "code", r): (getattr(r, "based_on", None) or getattr(r, "code", r))
                for r in pack.roles}
    for role in sorted(set(platform.values()) & set(Role.values)):
        person(role, role)
    for tier in pack.tiers:
        row = Tier.objects.get(code=tier.code)
        group = Group.objects.filter(code=tier.code).first() or Group.objects.create(
            code=tier.code, name=f"{tier.name} ({tier.code})", tier=row)
        role = platform.get(tier.role, tier.role) if tier.role else Role.AGENT
        person(f"tier-{tier.code}".lower(), role if role in Role.values else Role.AGENT,
               tier=row, groups=[group])
    for unit in pack.units:
        person(f"unit-{unit.code}".lower(), Role.AGENT,
               groups=[Group.objects.get(code=unit.code)])
