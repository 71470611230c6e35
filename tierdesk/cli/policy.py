"""`tierdesk policy check|diff|apply|test`: validate, compare, install and test policy
packs."""

import argparse
import sys
from pathlib import Path

from tierdesk.cli.setup import django_setup


def cmd_check(args: argparse.Namespace) -> int:
    from tierdesk.policy.report import check_command

    if args.file is None and not args.instance:
        print("tierdesk policy check: give a FILE, --instance, or both", file=sys.stderr)
        return 2
    code = 0
    if args.file is not None:
        code, text = check_command(args.file)
        print(text, file=sys.stdout if code == 0 else sys.stderr)
    if code == 0 and args.instance:
        return _check_instance(args.file)
    return code


def _check_instance(path: str | None) -> int:
    """Print who the pack (FILE, else the active one) counts on that this instance lacks."""
    django_setup()
    from tierdesk.escalation.staffing import (
        notify_warnings,
        routing_warnings,
        structure_warnings,
    )
    from tierdesk.org.checks import chart_warnings
    from tierdesk.packs.selectors import active_pack, active_version
    from tierdesk.policy import load_pack

    if path is not None:
        pack, name = load_pack(Path(path)), path
    else:
        pack, version = active_pack(), active_version()
        if pack is None:
            print("tierdesk policy check --instance: no pack is active", file=sys.stderr)
            return 2
        name = f"{version.name} v{version.version} (active)"
    warnings = (structure_warnings(pack) + routing_warnings(pack) + notify_warnings(pack)
                + chart_warnings(pack))
    print(f"{name} on this instance: {len(warnings) or 'no'} warning(s)")
    for line in warnings:
        print(f"warning: {line}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from tierdesk.policy.report import diff_command

    code, text = diff_command(args.old, args.new)
    print(text)
    if code == 0 and args.simulate:
        from tierdesk.cli.simulate import run_simulation

        if not args.plan:
            print("tierdesk policy diff --simulate: give --plan PLAN.yaml (who works when)",
                  file=sys.stderr)
            return 2
        print()
        return run_simulation(args, args.old, args.new)
    if code != 0 or not (args.against_open_tickets or args.tickets):
        return code
    django_setup()
    from tierdesk.packs.impact import dropped_in_use, format_impact, impact_on_open_tickets
    from tierdesk.policy import load_pack

    old, new = load_pack(Path(args.old)), load_pack(Path(args.new))
    print()
    print(format_impact(impact_on_open_tickets(new), tickets=args.tickets))
    for warning in dropped_in_use(old, new):
        print(warning)
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"tierdesk policy apply: {path}: no such file", file=sys.stderr)
        return 2
    if args.skip_tests:
        args.note = f"{args.note} [handbook tests skipped: --skip-tests]".strip()
        print(f"{path}: handbook tests skipped (--skip-tests); recorded with the version")
    else:
        code = _pack_tests_before_apply(path)
        if code != 0:
            return code
    django_setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tierdesk.packs.services import PackRejected, adopt_active_pack, pack_apply

    call_command("migrate", interactive=False, verbosity=0)
    actor = None
    if args.as_user:
        actor = get_user_model().objects.filter(username=args.as_user).first()
        if actor is None:
            print(f"tierdesk policy apply: no user named {args.as_user!r}", file=sys.stderr)
            return 2
    try:
        applied = pack_apply(source=path.read_text(encoding="utf-8"), actor=actor,
                             note=args.note)
    except PackRejected as exc:
        for error in exc.errors:
            print(f"{path}: {error}", file=sys.stderr)
        print(f"{path}: not applied; nothing changed", file=sys.stderr)
        return 1
    v = applied.version
    if applied.unchanged:
        print(f"{v.name} v{v.version} is already active; nothing to do")
        return 0
    print(f"applied {v.name} v{v.version}")
    moved = adopt_active_pack()
    print(f"{moved} open ticket(s) re-evaluated under v{v.version}")
    return 0


def _pack_tests_before_apply(path: Path) -> int:
    """Run the handbook tests kept beside the pack (``dataflow.yaml`` ->
    ``dataflow.scenarios.yaml``) in a throwaway instance, a process of its own so the live
    database is never touched; return 0 to go on, 1 when they fail."""
    import subprocess

    from tierdesk.policy_tests.scenarios import scenario_file_for

    scenarios = scenario_file_for(path)
    if not scenarios.is_file():
        print(f"{path}: no handbook tests beside it ({scenarios.name}); none run")
        return 0
    run = subprocess.run([sys.executable, "-m", "tierdesk.cli", "policy", "test", str(path),
                          str(scenarios)], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        print(f"{path}: not applied: its handbook tests fail ({scenarios}); nothing changed."
              f" Fix the pack or the scenarios, or apply with --skip-tests (recorded in the"
              f" audit)", file=sys.stderr)
        return 1
    print((run.stdout.strip().splitlines() or [""])[-1])
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    """Run a pack's scenario file in a throwaway instance on a simulated clock."""
    from tierdesk.policy import PackInvalid, load_pack
    from tierdesk.policy_tests.files import scenarios_for_pack
    from tierdesk.policy_tests.scenarios import ScenarioInvalid, load_scenarios

    path = Path(args.pack)
    if not path.is_file():
        print(f"tierdesk policy test: {path}: no such file", file=sys.stderr)
        return 2
    scenario_path = Path(args.scenarios) if args.scenarios else scenarios_for_pack(path)
    if scenario_path is None or not scenario_path.is_file():
        print(f"tierdesk policy test: no scenario file for {path} (looked for "
              f"{path.with_name(path.stem + '.scenarios.yaml')}); name one", file=sys.stderr)
        return 2
    source = path.read_text(encoding="utf-8")
    try:
        pack = load_pack(source)
    except PackInvalid as exc:
        for error in exc.errors:
            print(f"{path}: {error}", file=sys.stderr)
        return 1
    try:
        scenarios = load_scenarios(scenario_path)
    except ScenarioInvalid as exc:
        for error in exc.errors:
            print(f"{scenario_path}: {error}", file=sys.stderr)
        return 2
    if args.case:
        unknown = sorted(set(args.case) - {c.name for c in scenarios.cases})
        if unknown:
            print(f"tierdesk policy test: no case named {', '.join(unknown)} in "
                  f"{scenario_path}", file=sys.stderr)
            return 2
        scenarios.cases = [c for c in scenarios.cases if c.name in set(args.case)]
    from tierdesk.policy_tests.runner import format_result, run_scenarios, set_pack_roles

    set_pack_roles(pack)
    result = run_scenarios(source, scenarios)
    print(format_result(result, f"{pack.name} v{pack.version} ({scenario_path.name})",
                        verbose=args.verbose))
    return 1 if result.failed else 0


def register(sub) -> None:
    policy = sub.add_parser("policy", help="policy packs: check, diff, apply")
    psub = policy.add_subparsers(dest="policy_command", required=True)
    check = psub.add_parser("check", help="validate a pack; print every error with its path")
    check.add_argument("file", nargs="?")
    check.add_argument("--instance", action="store_true",
                       help="also list who the pack counts on that this instance lacks: "
                            "notify roles nobody holds, tiers, units, groups and on-call "
                            "rotations with no members, chart positions nobody holds")
    check.set_defaults(func=cmd_check)
    diff = psub.add_parser("diff", help="show what changes between two packs")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--against-open-tickets", action="store_true",
                      help="dry run: how many open tickets' due times would move, and by how much")
    diff.add_argument("--tickets", action="store_true",
                      help="dry run listing each open ticket whose due time moves (implies "
                           "--against-open-tickets)")
    diff.add_argument("--simulate", action="store_true",
                      help="replay last month's arrivals (or --from/--to, --arrivals) under "
                           "OLD and NEW with --plan, side by side")
    from tierdesk.cli.simulate import add_options

    add_options(diff, plan_required=False)
    diff.set_defaults(func=cmd_diff)
    apply = psub.add_parser("apply", help="install a new version of a pack (audited)")
    apply.add_argument("file")
    apply.add_argument("--as-user", help="record this user as the one who applied it")
    apply.add_argument("--note", default="", help="why, for the audit trail")
    apply.add_argument("--skip-tests", action="store_true",
                       help="apply even though the pack's handbook tests fail or are not "
                            "run (recorded in the version's audit note)")
    test = psub.add_parser("test", help="run a pack's handbook scenarios in a throwaway "
                                        "instance on a simulated clock")
    test.add_argument("pack")
    test.add_argument("scenarios", nargs="?",
                      help="scenario file (default: PACK's name with .scenarios.yaml)")
    test.add_argument("--case", action="append", help="run only this case (repeatable)")
    test.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")
    test.set_defaults(func=cmd_test)
    apply.set_defaults(func=cmd_apply)
