"""Write a month of DataFlow-like history in the import format (`tierdesk import tickets`,
`tierdesk simulate --arrivals`): each ticket answered and solved, with handling times
drawn per priority (lognormal, so the simulator has a realistic history to learn from).

Run: .venv/bin/python -m benchmarks.simulation.make_history 3000 history.jsonl
"""

import json
import random
import sys
from datetime import UTC, datetime

from benchmarks.simulation.month import constructed_month
from tierdesk.policy import PACKS_DIR, load_pack
from tierdesk.simulation.model import prepare

MEDIAN_MINUTES = {"P0": 60, "P1": 35, "P2": 20, "P3": 12}


def main(count: int, path: str, seed: int = 3) -> None:
    rng = random.Random(seed)
    pack = load_pack(PACKS_DIR / "dataflow.yaml")
    arrivals = constructed_month(count, seed=seed)
    prepared = prepare(arrivals, pack)

    def iso(epoch: float) -> str:
        return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")

    with open(path, "w", encoding="utf-8") as out:
        for a, p in zip(arrivals, prepared, strict=True):
            reply = a.at + rng.expovariate(1 / 1800)
            handled = rng.lognormvariate(0, 0.6) * MEDIAN_MINUTES.get(p.priority, 20) * 60
            out.write(json.dumps({
                "external_id": f"hist-{a.organisation}-{int(a.at)}-{p.index}",
                "subject": a.subject, "body": "See the subject.", "created_at": iso(a.at),
                "requester": {"email": f"it-{a.organisation}@customer.example"},
                "organisation": a.organisation, "channel": a.channel,
                "error_code": a.error_code, "language": a.language,
                "messages": [{"created_at": iso(reply), "author": "agent",
                              "body": "We are on it."}],
                "status_changes": [{"at": iso(reply + handled), "status": "solved"}],
            }) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
