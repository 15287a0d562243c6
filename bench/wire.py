"""On the wire, one worker on loopback: the business case as a PDF (issue 21: the seed's ≤ 50 ms,
the partner quote's ≤ 100 ms, each ≤ 300 KB) and the heaviest request with a solve (issue 20:
≤ 50 ms), each beside the same request answered as JSON. Medians of 15 after 3 warm-up calls.
Run by ``make bench``; the figures go in docs/performance.md.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402  bench/common.py, beside this file

from service import examples  # noqa: E402  after the path above
from tests.tools.heavy import heaviest_lines  # noqa: E402

PORT = 8793


def post(body: dict[str, Any], accept: str) -> tuple[float, int]:
    started = time.perf_counter()
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/payback",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "accept": accept},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310  loopback
        size = len(answer.read())
    return (time.perf_counter() - started) * 1e3, size


def median_ms(body: dict[str, Any], accept: str) -> tuple[float, int]:
    for _ in range(3):
        post(body, accept)
    runs = [post(body, accept) for _ in range(15)]
    return statistics.median(ms for ms, _ in runs), runs[0][1]


def main() -> None:
    with common.running([common.one_worker(PORT)]):
        print("On the wire (median of 15):")
        for name, body, target in (
            ("the seed", examples.SEED_PAYBACK, 50),
            ("the partner quote", examples.PARTNER_QUOTE, 100),
        ):
            pdf_ms, pdf_size = median_ms(body, "application/pdf")
            json_ms, _ = median_ms(body, "application/json")
            print(f"| {name} as a PDF | {pdf_ms:.1f} ms, {pdf_size / 1024:.0f} KB | as JSON "
                  f"{json_ms:.1f} ms | target ≤ {target} ms, ≤ 300 KB |")  # fmt: skip
        heavy = heaviest_lines()
        solve_ms, _ = median_ms(heavy, "application/json")
        without_ms, _ = median_ms(
            {k: v for k, v in heavy.items() if k != "solve"}, "application/json"
        )
        print(f"| the heaviest request with a solve | {solve_ms:.1f} ms | without the solve "
              f"{without_ms:.1f} ms | target ≤ 50 ms |")  # fmt: skip


if __name__ == "__main__":
    main()
