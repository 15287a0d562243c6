"""``make loadtest``: one minute of varied /evaluate and /payback load on the shipped service.

``python -m service`` (1 worker) on core 0; wrk on core 1 at a fixed high rate (--rate, default
1,200 requests/s in total; bodies.lua's global schedule) with 32 connections over 2,000 valid
bodies (70 % /evaluate, 30 % /payback of up to 120 months). 5 s of warm-up first, then 60 s
of load with the worker's RSS sampled every 5 s. Exits 1 on any non-2xx answer or socket
error, or when RSS grew more than 10 % over the minute. About 75 s in all.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import ARTIFACTS, VENV_BIN, Server

GROWTH_LIMIT = 0.10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=1200, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60, help="seconds of load")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up")
    args = parser.parse_args()
    bodies = common.write_bodies(ARTIFACTS / "loadtest-bodies.txt", 2000, payback_share=0.3)
    env = {"HOST": "127.0.0.1", "PORT": "18201", "LOG_FORMAT": "json", "LOG_LEVEL": "info"}
    server = Server("service/uvicorn", [str(VENV_BIN / "python"), "-m", "service"], 18201, env)
    samples: list[tuple[float, float]] = []
    with common.running([server]):
        common.wrk(server.port, bodies, args.warmup, rate=args.rate)
        stop = threading.Event()
        started = time.monotonic()

        def sample() -> None:
            while True:
                samples.append((time.monotonic() - started, server.rss_mib()))
                if stop.wait(5):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        result = common.wrk(server.port, bodies, args.seconds, rate=args.rate, server=server)
        stop.set()
        sampler.join()
    start, peak, end = samples[0][1], max(rss for _, rss in samples), samples[-1][1]
    growth = end / start - 1
    print(f"target rate      {args.rate:.0f} requests/s (achieved {result.requests_per_s:.0f}/s)")
    print(f"duration         {result.seconds:.1f} s after {args.warmup:g} s of warm-up")
    print(f"requests         {result.requests} (/evaluate and /payback, {bodies.name})")
    print(f"latency          p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms")
    print(f"non-2xx          {result.non_2xx}")
    print(f"socket errors    {result.socket_errors}")
    print(f"RSS (MiB)        start {start:.1f}, peak {peak:.1f}, end {end:.1f} ({growth:+.1%})")
    print("RSS samples      " + ", ".join(f"{t:.0f}s:{rss:.1f}" for t, rss in samples))
    print(f"server CPU       {result.cpu_us_per_request:.0f} µs per request")
    print(
        f"foreign load     {result.foreign_cpu0:.0%} of core 0 used by other processes "
        f"(steal {result.steal_cpu0:.0%})"
    )
    failures = []
    if result.non_2xx or result.socket_errors:
        failures.append(f"{result.non_2xx} non-2xx answers, {result.socket_errors} socket errors")
    if growth > GROWTH_LIMIT:
        failures.append(f"RSS grew {growth:.1%} after warm-up (limit {GROWTH_LIMIT:.0%})")
    print("FAIL: " + "; ".join(failures) if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
