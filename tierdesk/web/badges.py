"""The SLA badge, due-time cell and links of list rows, built in Python once per row.

A queue page renders 50 rows; with the badge as a nested ``{% include %}`` and the
countdown, the date and the link as template tags and filters, rendering them was most
of the page's CPU (``bench_pages.py --profile``). The output is the same markup, and the
same translated strings (``Due in %(left)s`` etc., as the templates' ``blocktranslate``).
"""

from datetime import datetime, timedelta
from functools import lru_cache

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext

from tierdesk.tickets.models import Status

# Below four weeks a countdown depends on its length in minutes alone (no calendar
# months), so it is cached per language and minute count.
_CACHEABLE = timedelta(days=28)


@lru_cache(maxsize=4096)
def _duration(language: str | None, minutes: int) -> str:
    now = datetime(2000, 1, 1)
    return timesince(now, now + timedelta(minutes=minutes))


def duration(start: datetime, end: datetime) -> str:
    """Django's ``timesince`` text ("2 hours, 5 minutes") for ``end - start``."""
    delta = end - start
    if timedelta(0) <= delta < _CACHEABLE:
        seconds = delta.days * 86400 + delta.seconds
        return _duration(get_language(), seconds // 60)
    if delta < timedelta(0):
        return _duration(get_language(), 0)
    return timesince(start, end)


def sla_badge(state: str, due: datetime | None, now: datetime) -> SafeString:
    """The badge of an SLA state ("breached", "warned", "ok", "met", "paused", other)."""
    if state == "breached":
        if due is not None:
            text = gettext("Breached %(ago)s ago") % {"ago": escape(duration(due, now))}
        else:
            text = escape(gettext("Breached"))
        return mark_safe(f'<span class="sla sla-breached"><span aria-hidden="true">⛔</span>'
                         f' {text}</span>')
    if state in ("warned", "ok"):
        left = escape(duration(now, due)) if due is not None else ""
        text = gettext("Due in %(left)s") % {"left": left}
        if state == "warned":
            return mark_safe(f'<span class="sla sla-warned"><span aria-hidden="true">⚠</span>'
                             f' {text}</span>')
        return mark_safe(f'<span class="sla sla-ok">{text}</span>')
    if state == "met":
        return mark_safe(f'<span class="sla sla-met"><span aria-hidden="true">✓</span>'
                         f' {escape(gettext("Met"))}</span>')
    if state == "paused":
        return mark_safe(f'<span class="sla sla-paused">{escape(gettext("Paused"))}</span>')
    return mark_safe(f'<span class="sla sla-none">{escape(gettext("No SLA"))}</span>')


def time_tag(value: datetime, css: str = "muted") -> SafeString:
    """``<time>`` with the ISO value and the short local date and time, as the templates'
    ``|date:'c'`` and ``|date:"SHORT_DATETIME_FORMAT"`` (in the current time zone)."""
    local = timezone.localtime(value)
    wall = local.replace(tzinfo=None, second=0, microsecond=0)
    attr = f' class="{css}"' if css else ""
    return mark_safe(f'<time{attr} datetime="{local.isoformat()}">'
                     f"{_short_datetime(get_language(), wall)}</time>")


@lru_cache(maxsize=4096)
def _short_datetime(language: str | None, wall: datetime) -> str:
    """The escaped short date and time of a local wall-clock minute: no locale's
    ``SHORT_DATETIME_FORMAT`` shows seconds or the zone, and formatting it was most of a
    timeline entry's cost (a ticket's entries and a queue's due times repeat minutes)."""
    return escape(formats.date_format(wall, "SHORT_DATETIME_FORMAT"))


def due_cell(state: str, due: datetime | None, now: datetime) -> SafeString:
    """A row's SLA cell: the badge, then the due time."""
    if due is None:
        return sla_badge(state, due, now)
    return mark_safe(f"{sla_badge(state, due, now)} {time_tag(due)}")


def url_maker(name: str):
    """A function id -> URL of the named route taking one integer, reversing it once:
    ``{% url %}`` per row resolves the route each time."""
    sentinel = 987654321
    template = reverse(name, args=[sentinel])
    head, tail = template.split(str(sentinel))
    return lambda pk: f"{head}{pk}{tail}"


def decorate_rows(tickets: list, now: datetime) -> list:
    """Give each row of a list (``pk``, ``status``, ``sla_state``, ``next_due``) its
    ``due_cell``, ``badge``, ``url`` and ``status_label``, so a row renders with plain
    variable lookups."""
    url = url_maker("web:ticket")
    labels: dict[str, str] = {}
    names = dict(Status.choices)
    for ticket in tickets:
        ticket.badge = sla_badge(ticket.sla_state, ticket.next_due, now)
        ticket.due_cell = (mark_safe(f"{ticket.badge} {time_tag(ticket.next_due)}")
                           if ticket.next_due is not None else ticket.badge)
        ticket.url = url(ticket.pk)
        if ticket.status not in labels:
            labels[ticket.status] = gettext(str(names.get(ticket.status, ticket.status)))
        ticket.status_label = labels[ticket.status]
    return tickets
