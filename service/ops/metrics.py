"""Prometheus metrics: request counts and latency by route and status, right with many workers.

With several workers (separate processes) ``python -m service`` points PROMETHEUS_MULTIPROC_DIR
at a fresh directory under /tmp before they start, and removes it when it exits (an operator's
own directory is left as it is); each process writes its samples there and /metrics sums them,
whichever worker answers the scrape. prometheus_client memory-maps those
files, and a write to a page the file system cannot back is a SIGBUS, not an exception: so each
worker reserves its files' blocks at start (``posix_fallocate``), large enough for every series
the bounded labels allow. If it cannot (a full or read-only /tmp), the worker logs what is lost
and keeps its samples to itself: /metrics then shows the worker that answers the scrape.

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

import structlog
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

METHODS = frozenset({"GET", "POST", "OPTIONS", "HEAD", "PUT", "PATCH", "DELETE"})
MEDIA_TYPE = CONTENT_TYPE_LATEST

REQUESTS_HELP = "HTTP requests answered, by route, method and status."
LATENCY_HELP = "Time from the request's arrival to the end of its answer, by route."
BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
# Bytes reserved per file of a worker: every series the labels allow (12 routes, 8 methods, ~30
# statuses: under 3,000 entries of under 200 bytes) fits, so prometheus_client never grows it.
RESERVED_BYTES = 1 << 20
_FILES = ("counter", "histogram")  # prometheus_client's file prefixes for our two metrics


def route_label(path_template: str | None) -> str:
    """A bounded label: the route that answered, as the route table writes it up to its first
    parameter ("/static" for "/static/{name:str}"); "other" when no route did (404, and the
    requests the server refuses before any route)."""
    if path_template is None:
        return "other"
    return path_template.partition("/{")[0] or "/"


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

    def observe(self, route: str, method: str, status: int | None, seconds: float) -> None:
        key = (route, method, str(status or 0))
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


class _Shared:
    """This worker's samples in the multiprocess directory (prometheus_client's own series)."""

    def __init__(self) -> None:
        self.requests = Counter("roi_requests", REQUESTS_HELP, ["route", "method", "status"])
        self.latency = Histogram(
            "roi_request_duration_seconds", LATENCY_HELP, ["route"], buckets=BUCKETS
        )
        # labels() costs more than the counting itself: each series is looked up once and kept
        # (the keys are bounded, so is this memo).
        self.series: dict[tuple[str, str, int | None], tuple[Any, Any]] = {}

    def observe(self, route: str, method: str, status: int | None, seconds: float) -> None:
        series = self.series.get((route, method, status))
        if series is None:
            series = self.series[route, method, status] = (
                self.requests.labels(route, method, str(status or 0)),
                self.latency.labels(route),
            )
        series[0].inc()
        series[1].observe(seconds)


_samples: RequestMetrics | _Shared | None = None


def shared_directory() -> str | None:
    """The multiprocess directory this worker writes to, if it could reserve its files there."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") if isinstance(_samples, _Shared) else None


def start() -> None:
    """Choose where this process's samples go (once per process; create_app calls it)."""
    global _samples  # noqa: PLW0603  one set of samples per process, like prometheus_client's
    if _samples is not None:
        return
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        try:
            reserve(directory, os.getpid())
        except OSError as error:
            structlog.get_logger("roi_service").warning(
                "metrics not shared between workers",
                reason=f"{directory}: {error.strerror or error}",
                lost="/metrics shows only the samples of the worker that answers the scrape",
            )
            directory = None
    if directory:
        _samples = _Shared()
    else:
        _samples = RequestMetrics()
        REGISTRY.register(_samples)


def reserve(directory: str, pid: int) -> None:
    """Allocate the blocks of this worker's sample files before prometheus_client maps them."""
    for prefix in _FILES:
        path = os.path.join(directory, f"{prefix}_{pid}.db")
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.posix_fallocate(descriptor, 0, RESERVED_BYTES)
        finally:
            os.close(descriptor)


def observe(route: str, method: str, status: int | None, seconds: float) -> None:
    """Count one answered request and its duration (``route`` from route_label)."""
    if _samples is None:
        start()
    assert _samples is not None  # noqa: S101  start() sets it
    _samples.observe(route, method if method in METHODS else "OTHER", status, seconds)


def exposition() -> bytes:
    """The samples of this process, or of every worker in multiprocess mode."""
    if shared_directory():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()
