"""The `tierdesk` command: one module per group of commands, each adding its parsers."""

import argparse
from collections.abc import Sequence

from tierdesk.cli import accounts, backup, imports, mail, policy, search, serve, simulate, sweep

COMMAND_MODULES = (serve, accounts, sweep, policy, search, imports, backup, simulate, mail)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tierdesk",
        description="The `tierdesk` command: serve, demo, tokens, policy packs, sweeps, "
                    "and manage passthrough.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0

