"""A constructed month of DataFlow-like arrivals: Poisson arrivals whose rate follows the
hour of the day and the day of the week, over organisations on every plan in six zones."""

import random
from datetime import UTC, datetime

from tierdesk.simulation.model import Arrival

ORGS = [  # (external id, plan, country, zone, language): the demo's customers
    ("1001", "Professional", "US", "America/New_York", "en"),
    ("1002", "Starter", "US", "America/Chicago", "en"),
    ("1003", "Enterprise", "US", "America/Los_Angeles", "en"),
    ("1004", "Enterprise", "DE", "Europe/Berlin", "en"),
    ("1006", "Professional", "US", "America/New_York", "en"),
    ("1008", "Starter", "CA", "America/Toronto", "en"),
    ("1009", "Professional", "GB", "Europe/London", "en"),
    ("1011", "Enterprise", "ES", "Europe/Madrid", "es"),
    ("1017", "Professional", "AU", "Australia/Sydney", "en"),
    ("1018", "Enterprise", "US", "America/New_York", "en"),
    ("1023", "Professional", "FR", "Europe/Paris", "fr"),
    ("1025", "Starter", "US", "America/Denver", "en"),
    ("1033", "Enterprise", "AE", "Asia/Dubai", "en"),
    ("1036", "Enterprise", "US", "America/New_York", "en"),
]
# Relative arrival rate by UTC hour (EMEA morning and Americas afternoon peaks).
HOURLY = [2, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 12, 14, 14, 13, 11, 9, 7, 5, 4, 3, 2]
WEEKLY = [1.0, 1.05, 1.0, 0.95, 0.9, 0.3, 0.25]
ERROR_CODES = ["DS-1001", "DS-1002", "DB-2002", "DB-2003", "DR-3003", "API-4001", "API-4004",
               "PERM-5005", "MOB-6006", "MOB-6007", "CALC-7007", "SSO-9001", "COL-11001",
               "MAP-12001", "WH-13001", ""]
# DB-2002 is an outage (P0): rare.
CODE_WEIGHTS = [6, 4, 0.3, 8, 6, 3, 4, 6, 8, 4, 6, 4, 8, 3, 3, 12]


def constructed_month(tickets: int, seed: int = 1, start: datetime | None = None,
                      days: int = 30) -> list[Arrival]:
    """About ``tickets`` arrivals over ``days`` days (thinning a Poisson process)."""
    rng = random.Random(seed)
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    t0 = start.timestamp()
    peak = max(HOURLY) * max(WEEKLY)
    mean_weight = sum(HOURLY) / 24 * sum(WEEKLY) / 7
    rate = tickets / (days * 86400) / mean_weight * peak  # per second at the peak
    out: list[Arrival] = []
    t = t0
    while True:
        t += rng.expovariate(rate)
        if t >= t0 + days * 86400:
            return out
        moment = datetime.fromtimestamp(t, UTC)
        if rng.random() * peak > HOURLY[moment.hour] * WEEKLY[moment.weekday()]:
            continue
        org = rng.choice(ORGS)
        code = rng.choices(ERROR_CODES, CODE_WEIGHTS)[0]
        out.append(Arrival(at=t, subject=f"{code or 'Question'}: ticket {len(out)}",
                           channel=rng.choice(["email", "email", "email", "forum"]),
                           error_code=code, language=org[4], plan=org[1], country=org[2],
                           timezone=org[3], organisation=org[0]))
