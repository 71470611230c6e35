"""`tierdesk mail ingest FILE.eml...` (or a message on standard input), `tierdesk mail
reprocess` (retry the failed-mail store) and `tierdesk mail poll` (read the IMAP
mailboxes once). Each prints one line per message: what happened and why."""

import argparse
import sys
from pathlib import Path

from tierdesk.cli.setup import django_setup


def _print(label: str, result) -> None:
    print(f"{label}: {result.describe()}")


def cmd_ingest(args: argparse.Namespace) -> int:
    django_setup()
    from tierdesk.mail.services import ingest

    failed = 0
    sources = args.files or ["-"]
    for name in sources:
        if name == "-":
            raw = sys.stdin.buffer.read()
        else:
            try:
                raw = Path(name).read_bytes()
            except OSError as exc:
                print(f"{name}: cannot read: {exc.strerror}", file=sys.stderr)
                failed += 1
                continue
        result = ingest(raw, source="cli")
        _print("<stdin>" if name == "-" else name, result)
        failed += result.outcome == "failed"
    return 1 if failed else 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    django_setup()
    from tierdesk.mail.services import mail_reprocess

    results = mail_reprocess(ids=args.ids or None)
    if not results:
        print("no failed mail to reprocess")
    for result in results:
        _print(f"inbound mail {result.inbound_id}", result)
    return 1 if any(r.outcome == "failed" for r in results) else 0


def cmd_poll(args: argparse.Namespace) -> int:
    django_setup()
    from tierdesk.mail.poller import configured, poll

    mailboxes = configured()
    if not mailboxes:
        print("no mailboxes configured (TIERDESK_MAIL_IMAP)", file=sys.stderr)
        return 2
    for mailbox in mailboxes:
        for result in poll(mailbox):
            _print(f"{mailbox.name} inbound mail {result.inbound_id}", result)
    return 0


def register(sub) -> None:
    mail = sub.add_parser("mail", help="email intake: ingest, reprocess, poll")
    commands = mail.add_subparsers(dest="mail_command", required=True)
    ingest = commands.add_parser(
        "ingest", help="file raw RFC 5322 messages (.eml files, or '-'/nothing for stdin)")
    ingest.add_argument("files", nargs="*", help=".eml files; '-' reads standard input")
    ingest.set_defaults(func=cmd_ingest)
    reprocess = commands.add_parser("reprocess", help="retry mail in the failed-mail store")
    reprocess.add_argument("ids", nargs="*", type=int, help="only these inbound mail ids")
    reprocess.set_defaults(func=cmd_reprocess)
    poll = commands.add_parser("poll", help="read every configured IMAP mailbox once")
    poll.set_defaults(func=cmd_poll)
