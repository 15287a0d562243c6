"""Prometheus metrics: request counts and latency by route and status, right with many workers.

With several workers (separate processes) ``python -m service`` points PROMETHEUS_MULTIPROC_DIR
at a fresh directory under /tmp before they start; each process writes its samples there and
/metrics sums them, whichever worker answers the scrape.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

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

REQUESTS = Counter(
    "roi_requests",
    "HTTP requests answered, by route, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "roi_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, by route.",
    ["route"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)


def route_of(path: str) -> str:
    """A bounded label: the known route, "/static" for assets, "other" for anything else."""
    if path in ROUTES:
        return path
    return "/static" if path.startswith("/static/") else "other"


_SERIES: dict[tuple[str, str, int | None], tuple[Any, Any]] = {}


def observe(path: str, method: str, status: int | None, seconds: float) -> None:
    """Count one answered request and its duration.

    The labelled series are looked up once per (route, method, status) and kept: ``labels()``
    costs more than the counting itself. The keys are bounded (known routes, known methods,
    statuses), so is the memo.
    """
    route = route_of(path)
    method = method if method in METHODS else "OTHER"
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
