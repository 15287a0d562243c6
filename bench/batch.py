"""Batches: what the batch path costs on top of the model (issue 20's targets), in one run.

- 500 partner quotes (no solve, summary view) as one JSON batch on the wire (best of 5), one
  worker on
  loopback, against the model alone pricing the same 500 requests in process (the same
  decode, model and summary encode): the ratio of their rates, target ≥ 0.7.
- 20,000 partner quotes as NDJSON, the client reading 3 s late: the worker's RSS growth from
  before the book to the end (VmHWM), target < 20 MiB.
Run by ``make bench``; the figures go in docs/performance.md.
"""

from __future__ import annotations

import http.client
import json
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

from service import examples  # noqa: E402  after the path above
from service.http import compute  # noqa: E402

PORT = 8792
QUOTE = {key: value for key, value in examples.PARTNER_QUOTE.items() if key != "solve"}


def in_process_s(bodies: list[bytes]) -> float:
    """The model alone: decode, price and encode the summary of each body, best of 5."""
    return min(
        timeit.repeat(
            lambda: [compute.payback_answer(body, "en", "summary") for body in bodies],
            number=1,
            repeat=5,
        )
    )


def wire_s(batch: bytes) -> float:
    started = time.perf_counter()
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/payback/batch?view=summary",
        data=batch,
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310  loopback
        answer.read()
    return time.perf_counter() - started


def ndjson_growth_mib(pid: int, count: int) -> tuple[float, float]:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    connection.putrequest("POST", "/payback/batch?view=summary")
    connection.putheader("Content-Type", "application/x-ndjson")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    line = json.dumps({"id": "q", "request": QUOTE}).encode() + b"\n"

    def send() -> None:
        for _ in range(count):
            connection.send(b"%x\r\n%s\r\n" % (len(line), line))
        connection.send(b"0\r\n\r\n")

    before = common.rss_mib(pid)
    started = time.perf_counter()
    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(3)  # the client reads 3 s late
    response = connection.getresponse()
    lines = sum(1 for _ in response)
    sender.join()
    connection.close()
    if lines != count + 1:
        raise RuntimeError(f"{lines} lines for {count} items")
    return common.rss_mib(pid, "VmHWM") - before, time.perf_counter() - started


def main() -> None:
    bodies = [json.dumps(QUOTE).encode() for _ in range(500)]
    batch = json.dumps({"items": [{"id": f"q{i}", "request": QUOTE} for i in range(500)]})
    with common.running([common.one_worker(PORT)]) as (server,):
        wire_s(batch.encode())  # warm
        model = in_process_s(bodies)
        wire = min(wire_s(batch.encode()) for _ in range(5))  # best of 5, as the model
        growth, ndjson_s = ndjson_growth_mib(server.worker_pid(), 20_000)
    figures: dict[str, Any] = {
        "model_500_s": model,
        "batch_500_wire_s": wire,
        "rate_ratio": model / wire,
        "ndjson_20000_growth_mib": growth,
        "ndjson_20000_s": ndjson_s,
    }
    print("Batches:")
    print(f"| 500 partner quotes, summary, one JSON batch on the wire | {wire * 1e3:.0f} ms | "
          f"the model alone in process: {model * 1e3:.0f} ms | rate ratio "
          f"{figures['rate_ratio']:.2f} | target ≥ 0.70 |")  # fmt: skip
    print(f"| 20,000 partner quotes as NDJSON, read 3 s late | {ndjson_s:.1f} s | RSS growth "
          f"{growth:.1f} MiB | | target < 20 MiB |")  # fmt: skip
    out = ROOT / "artifacts" / "bench-batch.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
