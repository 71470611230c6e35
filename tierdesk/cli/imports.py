"""`tierdesk import tickets FILE.jsonl`: load past tickets with their history."""

import argparse
import sys
from pathlib import Path


def cmd_import_tickets(args: argparse.Namespace) -> int:
    """Import every line of FILE (JSON lines, or a JSON array; ``-`` reads stdin) and
    print each line's outcome; exit 1 if any line was refused."""
    from tierdesk.cli.setup import django_setup

    if args.file == "-":
        text = sys.stdin.read()
    else:
        path = Path(args.file)
        if not path.is_file():
            print(f"tierdesk import tickets: {path}: no such file", file=sys.stderr)
            return 2
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            print(f"tierdesk import tickets: {path}: not UTF-8 text", file=sys.stderr)
            return 2
    django_setup()
    from django.contrib.auth import get_user_model

    from tierdesk.common.errors import ServiceError
    from tierdesk.imports.services import import_tickets
    from tierdesk.people.access import SYSTEM, viewer_for

    viewer = SYSTEM
    if args.as_user:
        user = get_user_model().objects.filter(username=args.as_user).first()
        if user is None:
            print(f"tierdesk import tickets: no user named {args.as_user!r}", file=sys.stderr)
            return 2
        viewer = viewer_for(user)
    try:
        report = import_tickets(viewer=viewer, text=text)
    except ServiceError as exc:
        where = f"{exc.field}: " if exc.field else ""
        print(f"tierdesk import tickets: {args.file}: {where}{exc.message}; nothing imported",
              file=sys.stderr)
        return 2
    for line in report.lines:
        print(line, file=sys.stdout if line.outcome in ("created", "duplicate") else sys.stderr)
    print(f"{args.file}: {report.summary()}")
    return 0 if report.ok else 1


def register(sub) -> None:
    group = sub.add_parser("import", help="load past tickets with their history")
    kinds = group.add_subparsers(dest="kind", required=True)
    tickets = kinds.add_parser(
        "tickets", help="import tickets from JSON lines (one ticket per line) or a JSON array")
    tickets.add_argument("file", help="the file to import, or - for standard input")
    tickets.add_argument("--as", dest="as_user", metavar="USERNAME",
                         help="record the import as this administrator (default: the platform)")
    tickets.set_defaults(func=cmd_import_tickets)
