"""/metrics in one process: service.ops.metrics.RequestMetrics, exposed when scraped."""

from __future__ import annotations

from litestar.testing import TestClient
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from service.examples import SEED_EVALUATE
from service.ops import metrics

Client = TestClient  # type: ignore[type-arg]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_requests_and_their_latency_are_counted_per_route_method_and_status(
    client: Client,
) -> None:
    assert metrics.shared_directory() is None  # one process: its own samples
    before = samples(client.get("/metrics").text)
    for _ in range(3):
        assert client.post("/evaluate", json=SEED_EVALUATE).status_code == 200
    assert client.get("/nowhere").status_code == 404
    after = samples(client.get("/metrics").text)

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    evaluate = {"route": "/evaluate", "method": "POST", "status": "200"}
    assert delta("roi_requests_total", **evaluate) == 3
    assert delta("roi_requests_total", route="other", method="GET", status="404") == 1
    assert delta("roi_request_duration_seconds_count", route="/evaluate") == 3
    assert delta("roi_request_duration_seconds_bucket", route="/evaluate", le="+Inf") == 3
    assert delta("roi_request_duration_seconds_sum", route="/evaluate") > 0
    buckets = [
        value
        for (name, labels), value in after.items()
        if name == "roi_request_duration_seconds_bucket" and ("route", "/evaluate") in labels
    ]
    assert len(buckets) == len(metrics.BUCKETS) + 1
    assert ("roi_requests_created", tuple(sorted(evaluate.items()))) in after


def test_the_buckets_match_prometheus_clients_own_histogram() -> None:
    observed = [0.0, 0.0004, 0.0005, 0.00051, 0.003, 0.3, 2.5, 9.99, 10.0, 10.01, 600.0]
    ours = metrics.RequestMetrics()
    registry = CollectorRegistry()
    registry.register(ours)
    theirs_registry = CollectorRegistry()
    theirs = Histogram(
        "roi_request_duration_seconds", "help", ["route"], buckets=metrics.BUCKETS,
        registry=theirs_registry,
    )  # fmt: skip
    for seconds in observed:
        ours.observe("/evaluate", "POST", "200", seconds)
        theirs.labels("/evaluate").observe(seconds)

    def histogram(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return {
            key: value
            for key, value in samples(text).items()
            if key[0].startswith("roi_request_duration_seconds") and "created" not in key[0]
        }

    assert histogram(generate_latest(registry).decode()) == histogram(
        generate_latest(theirs_registry).decode()
    )
