"""`tierdesk policy check|diff|apply`: validate, compare and install policy packs."""

import argparse
import sys


def cmd_check(args: argparse.Namespace) -> int:
    from tierdesk.policy.report import check_command

    code, text = check_command(args.file)
    print(text, file=sys.stdout if code == 0 else sys.stderr)
    return code


def cmd_diff(args: argparse.Namespace) -> int:
    from tierdesk.policy.report import diff_command

    code, text = diff_command(args.old, args.new)
    print(text)
    return code


def add_policy_commands(sub) -> None:
    policy = sub.add_parser("policy", help="policy packs: check, diff, apply")
    psub = policy.add_subparsers(dest="policy_command", required=True)
    check = psub.add_parser("check", help="validate a pack; print every error with its path")
    check.add_argument("file")
    check.set_defaults(func=cmd_check)
    diff = psub.add_parser("diff", help="show what changes between two packs")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.set_defaults(func=cmd_diff)
