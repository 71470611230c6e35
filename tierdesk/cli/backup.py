"""`tierdesk backup FILE` and `tierdesk restore FILE`: a portable archive of the instance."""

import argparse
import sys
from pathlib import Path

from tierdesk.cli.setup import django_setup


def cmd_backup(args: argparse.Namespace) -> int:
    django_setup()
    from tierdesk.backup.archive import BackupError
    from tierdesk.backup.operations import backup_instance, database_alias

    try:
        manifest = backup_instance(Path(args.file),
                                   using=database_alias(args.source, name="backup_from"))
    except (BackupError, OSError) as exc:
        print(f"tierdesk backup: {exc}", file=sys.stderr)
        return 1
    rows = sum(t["rows"] for t in manifest.tables.values())
    missing = [n for n, f in manifest.files.items() if f.get("missing")]
    print(f"backed up {rows} rows in {len(manifest.tables)} tables and "
          f"{len(manifest.files) - len(missing)} files to {args.file}")
    for name in missing:
        print(f"warning: {name} is referenced but missing from storage", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"tierdesk restore: {path}: no such file", file=sys.stderr)
        return 2
    django_setup()
    from tierdesk.backup.archive import BackupError
    from tierdesk.backup.operations import database_alias, restore_instance

    try:
        manifest = restore_instance(path, using=database_alias(args.target, name="restore_to"),
                                    replace=args.replace)
    except BackupError as exc:
        print(f"tierdesk restore: {exc}; nothing changed", file=sys.stderr)
        return 1
    if args.target is None:
        from tierdesk.search.services import rebuild

        rebuild()  # the full-text indexes are derived data, not in the archive
    else:
        print("run `tierdesk search rebuild` on the target instance to make it searchable")
    rows = sum(t["rows"] for t in manifest.tables.values())
    print(f"restored {rows} rows in {len(manifest.tables)} tables and "
          f"{sum(1 for f in manifest.files.values() if not f.get('missing'))} files "
          f"from a {manifest.source} backup of {manifest.created_at}; every table's hash "
          "matches the archive")
    return 0


def register(sub) -> None:
    backup = sub.add_parser("backup", help="write every table and file to a portable archive")
    backup.add_argument("file")
    backup.add_argument("--from", dest="source", metavar="DATABASE_URL",
                        help="back up this database instead of the configured one")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="load an archive into an empty instance")
    restore.add_argument("file")
    restore.add_argument("--to", dest="target", metavar="DATABASE_URL",
                         help="restore into this database instead of the configured one")
    restore.add_argument("--replace", action="store_true",
                         help="delete the target's data first (refused otherwise)")
    restore.set_defaults(func=cmd_restore)
