"""`tierdesk token`, `tierdesk createsuperuser`, `tierdesk check` and the `tierdesk manage`
passthrough."""

import argparse
import sys

from tierdesk.cli.setup import django_setup


def cmd_token(args: argparse.Namespace) -> int:
    django_setup()
    from django.contrib.auth import get_user_model

    from tierdesk.people.services import token_create

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"tierdesk token: no user named {args.username!r}", file=sys.stderr)
        return 2
    _, secret = token_create(user=user, name=args.name)
    print(secret)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tierdesk manage", *args.rest])
    return 0


def cmd_createsuperuser(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tierdesk", "createsuperuser", *args.rest])
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Django's system checks; with ``--deploy`` also what production needs set."""
    django_setup()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=args.deploy, fail_level="ERROR")
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def register(sub) -> None:
    check = sub.add_parser("check", help="check the configuration (--deploy: for production)")
    check.add_argument("--deploy", action="store_true",
                       help="also list the production settings that are missing")
    check.set_defaults(func=cmd_check)

    token = sub.add_parser("token", help="create an API token for a user (printed once)")
    token.add_argument("username")
    token.add_argument("--name", default="cli")
    token.set_defaults(func=cmd_token)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    su = sub.add_parser("createsuperuser", help="create an administrator login")
    su.add_argument("rest", nargs=argparse.REMAINDER)
    su.set_defaults(func=cmd_createsuperuser)
