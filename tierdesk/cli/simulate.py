"""`tierdesk simulate`: replay a month of arrivals under the current and a candidate pack
with a staffing plan, and compare what would have happened."""

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tierdesk.cli.setup import django_setup


def _month_before(now: datetime) -> tuple[datetime, datetime]:
    end = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (end - timedelta(days=1)).replace(day=1)
    return start, end


def _day(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"tierdesk simulate: {name} {text!r} is not a date (2026-11-01)") \
            from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def run_simulation(args: argparse.Namespace, current_path: str | None,
                   candidate_path: str | None) -> int:
    """Shared by `tierdesk simulate` and `tierdesk policy diff --simulate`."""
    django_setup()
    from tierdesk import clock
    from tierdesk.packs.selectors import active_pack
    from tierdesk.policy import PackInvalid, load_pack
    from tierdesk.simulation import report, sources
    from tierdesk.simulation.model import prepare
    from tierdesk.simulation.plan import PlanInvalid, load_plan
    from tierdesk.simulation.run import handling_times, simulate

    try:
        plan = load_plan(Path(args.plan))
    except PlanInvalid as exc:
        for error in exc.errors:
            print(f"{args.plan}: {error}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tierdesk simulate: --plan: {exc}", file=sys.stderr)
        return 2
    packs = []
    try:
        if current_path:
            packs.append(("current", load_pack(Path(current_path))))
        else:
            pack = active_pack()
            if pack is not None:
                packs.append(("current", pack))
        if candidate_path:
            packs.append(("candidate", load_pack(Path(candidate_path))))
    except PackInvalid as exc:
        for error in exc.errors:
            print(f"pack: {error}", file=sys.stderr)
        return 2
    if not packs:
        print("tierdesk simulate: no pack: give --pack (and --current), or apply one",
              file=sys.stderr)
        return 2
    start, end = _month_before(clock.now())
    if args.start:
        start = _day(args.start, "--from")
    if args.end:
        end = _day(args.end, "--to")
    if end <= start:
        print("tierdesk simulate: --to must be after --from", file=sys.stderr)
        return 2
    try:
        arrivals = (sources.from_file(Path(args.arrivals), start, end) if args.arrivals
                    else sources.from_instance(start, end))
    except (OSError, sources.FileInvalid) as exc:
        print(f"tierdesk simulate: --arrivals: {exc}", file=sys.stderr)
        return 2
    if not arrivals:
        where = args.arrivals or "this instance"
        print(f"tierdesk simulate: no tickets arrived between {start:%Y-%m-%d} and "
              f"{end:%Y-%m-%d} in {where}", file=sys.stderr)
        return 1
    handling = handling_times(arrivals, prepare(arrivals, packs[0][1]), plan, args.seed)
    runs = [simulate(arrivals, pack, plan, start=start.timestamp(), end=end.timestamp(),
                     handling=handling, label=label) for label, pack in packs]
    period = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    if args.json:
        print(json.dumps({"period": {"from": start.isoformat(), "to": end.isoformat()},
                          "seed": args.seed, "runs": runs}, indent=2))
    else:
        print(report.text_report(runs, period=period, seed=args.seed))
    for folder, files in ((args.csv, report.csv_tables), (args.svg, report.svg_charts)):
        if folder:
            written = report.write_files(Path(folder), files(runs))
            if not args.json:
                print(f"wrote {', '.join(str(p) for p in written)}")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    return run_simulation(args, args.current, args.pack)


def add_options(parser: argparse.ArgumentParser, *, plan_required: bool = True) -> None:
    parser.add_argument("--plan", required=plan_required,
                        help="staffing plan YAML: agents per tier and group, shifts, "
                             "languages, handling times")
    parser.add_argument("--arrivals", help="history file (JSONL, the import format) instead "
                                           "of this instance's tickets")
    parser.add_argument("--from", dest="start", help="first day (default: last month)")
    parser.add_argument("--to", dest="end", help="day after the last (default: this month's "
                                                 "first)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("--csv", metavar="DIR", help="write one CSV per measure to DIR")
    parser.add_argument("--svg", metavar="DIR", help="write one SVG chart per measure to DIR")


def register(sub) -> None:
    parser = sub.add_parser("simulate", help="replay arrivals under a pack and a staffing "
                                             "plan; compare current and candidate")
    parser.add_argument("--pack", help="candidate pack (YAML)")
    parser.add_argument("--current", help="current pack (default: the active one)")
    add_options(parser)
    parser.set_defaults(func=cmd_simulate)
