"""How sure: what the uncertainty costs (issue 19's targets), each beside its baseline in one run.

In process (best of 7): the partner quote with its four ranges (8,192 samples) against the same
quote without them; the largest request the work bound allows (tests/tools/heavy.py) against the
heaviest request without uncertainty. On the wire, one worker on loopback: the partner quote's
median over 50 calls; the largest request's; the longest a /healthz probe waits while four of
the largest run at once; the worker's peak RSS above its idle RSS after them. Run by
``make bench``; the figures go in docs/performance.md.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import timeit
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402  bench/common.py, beside this file
import msgspec  # noqa: E402  after the path above

from service import calc, examples  # noqa: E402
from tests.tools.heavy import heaviest_lines, heaviest_uncertainty  # noqa: E402

PORT = 8791


def in_process_ms(body: dict[str, Any], number: int) -> float:
    request = msgspec.convert(body, calc.PaybackRequest)
    return (
        min(timeit.repeat(lambda: calc.payback(request, 2), number=number, repeat=7)) / number * 1e3
    )


def post(body: bytes, path: str = "/payback") -> float:
    started = time.perf_counter()
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  loopback
        answer.read()
    return (time.perf_counter() - started) * 1e3


def probe() -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=30) as answer:
        answer.read()
    return (time.perf_counter() - started) * 1e3


def on_the_wire() -> dict[str, float]:
    with common.running([common.one_worker(PORT)]) as (server,):
        quote = json.dumps(examples.PARTNER_QUOTE_RANGES).encode()
        largest = json.dumps(heaviest_uncertainty()).encode()
        for _ in range(5):
            post(quote)
        idle = common.rss_mib(server.worker_pid())
        quote_ms = statistics.median(post(quote) for _ in range(50))
        largest_ms = statistics.median(post(largest) for _ in range(5))
        waits: list[float] = []
        runs = [threading.Thread(target=post, args=(largest,)) for _ in range(4)]
        for run in runs:
            run.start()
        while any(run.is_alive() for run in runs):
            waits.append(probe())
        for run in runs:
            run.join()
        peak = common.rss_mib(server.worker_pid(), "VmHWM")
        return {
            "quote_wire_ms": quote_ms,
            "largest_wire_ms": largest_ms,
            "probe_max_ms": max(waits),
            "idle_rss_mib": idle,
            "peak_above_idle_mib": peak - idle,
        }


def main() -> None:
    quote = examples.PARTNER_QUOTE_RANGES
    plain = {key: value for key, value in quote.items() if key != "uncertainty"}
    heavy = heaviest_lines()
    figures = {
        "quote_ms": in_process_ms(quote, 5),
        "quote_plain_ms": in_process_ms(plain, 50),
        "largest_ms": in_process_ms(heaviest_uncertainty(), 1),
        "heaviest_plain_ms": in_process_ms(heavy, 1),
        **on_the_wire(),
    }
    print("How sure (uncertainty):")
    print(
        f"| partner quote, 4 ranges, 8,192 samples, in process | {figures['quote_ms']:.1f} ms "
        f"| {figures['quote_ms'] / figures['quote_plain_ms']:.0f} × the quote without ranges "
        f"({figures['quote_plain_ms']:.2f} ms) | target ≤ 30 ms |"
    )
    print(
        f"| the same on the wire (median of 50) | {figures['quote_wire_ms']:.1f} ms | | "
        "target ≤ 50 ms |"
    )
    print(
        f"| largest allowed (16,384 × 121 × 8), in process | {figures['largest_ms']:.0f} ms "
        f"| {figures['largest_ms'] / figures['heaviest_plain_ms']:.1f} × the heaviest request "
        f"without ranges ({figures['heaviest_plain_ms']:.0f} ms) | target ≤ 300 ms |"
    )
    print(f"| the same on the wire (median of 5) | {figures['largest_wire_ms']:.0f} ms | | |")
    print(
        f"| longest /healthz wait while 4 of them run | {figures['probe_max_ms']:.0f} ms | | "
        "target ≤ 1,000 ms |"
    )
    print(
        f"| worker's peak RSS above idle ({figures['idle_rss_mib']:.0f} MiB) | "
        f"{figures['peak_above_idle_mib']:.0f} MiB | | target ≤ 64 MiB |"
    )
    out = ROOT / "artifacts" / "bench-uncertainty.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
