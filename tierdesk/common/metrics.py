"""Prometheus metrics: request counts and latencies, sweep durations, and gauges the
domain apps register (open tickets, SLA breaches, outbox backlog...).

Counters and histograms live in each process (web workers, sweeper); under
``tierdesk serve`` they are shared through ``PROMETHEUS_MULTIPROC_DIR``, which the server
sets before it forks. Gauges are read from the database when ``/metrics`` is scraped, so
every worker answers the same figures and nothing has to be kept in step.
This module imports no domain app: apps register their gauges in ``AppConfig.ready()``.
"""

import ipaddress
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("tierdesk_http_requests", "HTTP requests answered",
                   ["route", "method", "status"])
LATENCY = Histogram("tierdesk_http_request_duration_seconds", "Time to answer a request",
                    ["route", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SWEEP_SECONDS = Histogram("tierdesk_sweep_duration_seconds", "Time one sweep job took",
                          ["job"], buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60))
SWEEP_FAILURES = Counter("tierdesk_sweep_failures", "Sweep jobs that raised", ["job"])

# A row of a gauge: its label values and its value.
GaugeRows = Iterable[tuple[tuple[str, ...], float]]


@dataclass(frozen=True)
class Gauge:
    name: str
    documentation: str
    labels: tuple[str, ...]
    read: Callable[[], GaugeRows]


_gauges: dict[str, Gauge] = {}


def register_gauge(name: str, documentation: str, labels: tuple[str, ...],
                   read: Callable[[], GaugeRows]) -> None:
    """Register a gauge read from the database at each scrape (``read`` yields rows)."""
    _gauges[name] = Gauge(name, documentation, labels, read)


class _DatabaseGauges:
    def collect(self):
        for gauge in _gauges.values():
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels)
            for values, value in gauge.read():
                family.add_metric(list(values), value)
            yield family


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)


def render() -> bytes:
    """Return every metric in the Prometheus text format."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    registry_with_gauges = CollectorRegistry()
    registry_with_gauges.register(_DatabaseGauges())
    return generate_latest(registry) + generate_latest(registry_with_gauges)


class RequestMetricsMiddleware:
    """Count and time every request by its URL pattern (never the raw path: ids would make
    one series per ticket)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        observe_request(route, request.method or "", response.status_code,
                        time.perf_counter() - started)
        return response


def scrape_allowed(request: HttpRequest) -> bool:
    """Metrics are for the operator: a scraper on this machine, a bearer token equal to
    ``TIERDESK_METRICS_TOKEN``, or a signed-in administrator."""
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header == f"Bearer {token}":
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not scrape_allowed(request):
        return HttpResponse("metrics are for the operator: scrape from this machine or send "
                            "Authorization: Bearer $TIERDESK_METRICS_TOKEN\n", status=403,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
