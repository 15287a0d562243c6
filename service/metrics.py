"""Prometheus metrics: request counts and latency by route and status, right with many workers.

With several workers (separate processes) ``python -m service`` points PROMETHEUS_MULTIPROC_DIR
at a fresh directory under /tmp before they start; each process writes its samples there and
/metrics sums them, whichever worker answers the scrape.

With one worker (the default, and one per pod) the samples are plain counters in this process,
exposed by a collector when /metrics is scraped: the same series, without prometheus_client's
lock and checks on every request (3.3 µs a request there, under 1 µs here).
"""

from __future__ import annotations

import os
import time
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

ROUTES = frozenset(
    {
        "/",
        "/evaluate",
        "/payback",
        "/healthz",
        "/readyz",
        "/metrics",
        "/schema",
        "/schema/openapi.json",
    }
)
METHODS = frozenset({"GET", "POST", "OPTIONS", "HEAD", "PUT", "PATCH", "DELETE"})
MEDIA_TYPE = CONTENT_TYPE_LATEST

REQUESTS_HELP = "HTTP requests answered, by route, method and status."
LATENCY_HELP = "Time from the request's arrival to the end of its answer, by route."
BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def route_of(path: str) -> str:
    """A bounded label: the known route, "/static" for assets, "other" for anything else."""
    if path in ROUTES:
        return path
    return "/static" if path.startswith("/static/") else "other"


class RequestMetrics:
    """One process's request counts and latency histograms, as a prometheus_client collector.

    Keys are bounded (known routes, known methods, statuses). Everything runs on the event
    loop's thread (the /metrics handler is synchronous), so no lock is needed.
    """

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, str], int] = {}
        self.created: dict[tuple[str, str, str], float] = {}
        # per route: a count per bucket of BUCKETS, then +Inf, then the sum of the seconds
        self.latency: dict[str, list[float]] = {}

    def observe(self, route: str, method: str, status: str, seconds: float) -> None:
        key = (route, method, status)
        count = self.requests.get(key)
        if count is None:
            count = 0
            self.created[key] = time.time()
        self.requests[key] = count + 1
        row = self.latency.get(route)
        if row is None:
            row = self.latency[route] = [0.0] * (len(BUCKETS) + 2)
        row[bisect_left(BUCKETS, seconds)] += 1  # the first bucket with seconds <= le
        row[-1] += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "roi_requests", REQUESTS_HELP, labels=["route", "method", "status"]
        )
        for labels, count in self.requests.items():
            requests.add_metric(list(labels), count, created=self.created[labels])
        yield requests
        latency = HistogramMetricFamily(
            "roi_request_duration_seconds", LATENCY_HELP, labels=["route"]
        )
        bounds = [*(repr(bound) for bound in BUCKETS), "+Inf"]  # as prometheus_client writes them
        for route, row in self.latency.items():
            total, buckets = 0.0, []
            # cumulative, as the exposition wants: "le" counts every observation up to it
            for bound, in_bucket in zip(bounds, row[:-1], strict=True):
                total += in_bucket
                buckets.append((bound, total))
            latency.add_metric([route], buckets, row[-1])
        yield latency


if MULTIPROCESS:
    REQUESTS = Counter("roi_requests", REQUESTS_HELP, ["route", "method", "status"])
    LATENCY = Histogram("roi_request_duration_seconds", LATENCY_HELP, ["route"], buckets=BUCKETS)
else:
    LOCAL = RequestMetrics()
    REGISTRY.register(LOCAL)

_SERIES: dict[tuple[str, str, int | None], tuple[Any, Any]] = {}


def observe(path: str, method: str, status: int | None, seconds: float) -> None:
    """Count one answered request and its duration."""
    route = route_of(path)
    method = method if method in METHODS else "OTHER"
    if not MULTIPROCESS:
        LOCAL.observe(route, method, str(status or 0), seconds)
        return
    # prometheus_client's labelled series, looked up once per (route, method, status) and kept:
    # labels() costs more than the counting itself. The keys are bounded, so is the memo.
    series = _SERIES.get((route, method, status))
    if series is None:
        series = _SERIES[route, method, status] = (
            REQUESTS.labels(route, method, str(status or 0)),
            LATENCY.labels(route),
        )
    series[0].inc()
    series[1].observe(seconds)


def exposition() -> bytes:
    """The samples of this process, or of every worker in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()
