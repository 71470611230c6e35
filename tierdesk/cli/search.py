"""`tierdesk search rebuild`: re-read every document of the full-text indexes."""

import argparse
import sys
import time

from tierdesk.cli.setup import django_setup


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Rebuild one index (``--index``) or all of them, printing progress as it goes."""
    django_setup()
    from tierdesk.search.indexes import registered
    from tierdesk.search.services import rebuild

    names = [entry.index.name for entry in registered()]
    if args.index is not None and args.index not in names:
        print(f"tierdesk search rebuild: --index {args.index!r} is not one of "
              f"{', '.join(sorted(names))}", file=sys.stderr)
        return 2
    started = time.monotonic()
    last = [0.0]

    def progress(name: str, count: int) -> None:
        if args.verbose and time.monotonic() - last[0] >= 5:
            last[0] = time.monotonic()
            print(f"{name}: {count} documents...", flush=True)

    for name, count in rebuild(name=args.index, batch=args.batch, progress=progress).items():
        print(f"{name}: {count} documents indexed in {time.monotonic() - started:.1f} s")
    return 0


def register(sub) -> None:
    search = sub.add_parser("search", help="full-text search indexes")
    commands = search.add_subparsers(dest="search_command", required=True)
    rebuild = commands.add_parser(
        "rebuild", help="re-index every document (after a restore or a bulk import)")
    rebuild.add_argument("--index", help="only this index (default: all)")
    rebuild.add_argument("--batch", type=int, default=2000,
                         help="documents per transaction (default 2000)")
    rebuild.add_argument("--verbose", action="store_true", help="print progress")
    rebuild.set_defaults(func=cmd_rebuild)
