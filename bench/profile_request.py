"""Where a request's time goes: the service's whole ASGI path in-process, without sockets.

Drives the app ``create_app()`` builds (the Application, Litestar's router, the guards, the
handler, the model) with a raw ASGI
scope/receive/send on uvloop, prints µs per request (best of 5) and the top of a cProfile.

    .venv/bin/python bench/profile_request.py [--path /payback] [--sort tottime] [--top 30]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: F401  puts the project root on sys.path

os.environ.setdefault("LOG_FORMAT", "json")

from service import examples
from service.http.app import create_app

app = create_app()
_settle = __import__("service.http.app", fromlist=["x"])._settle_the_heap
_settle()

BODIES = {
    "/evaluate": examples.SEED_EVALUATE,
    "/payback": dict(examples.SEED_PAYBACK, horizon_months=120),
}


def driver(path: str) -> Any:
    body = msgspec.json.encode(BODIES[path])
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def one() -> None:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "headers": list(headers), "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }  # fmt: skip
        await app(scope, receive, send)
        if sent[0]["status"] != 200:
            raise RuntimeError(sent)

    async def many(count: int) -> None:
        for _ in range(count):
            await one()

    return many


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="/evaluate", choices=sorted(BODIES))
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    many = driver(args.path)
    stdout = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115  the log lines go nowhere
    try:
        uvloop.run(many(200))
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            uvloop.run(many(args.count))
            timings.append((time.perf_counter() - started) / args.count * 1e6)
        profiler = cProfile.Profile()
        profiler.enable()
        uvloop.run(many(args.count))
        profiler.disable()
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    print(f"{args.path}: {min(timings):.1f} µs per request in-process (best of 5 × {args.count})")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
