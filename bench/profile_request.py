"""Where a request's time goes: the service's ASGI path in-process, without sockets, layer by
layer.

Drives, with a raw ASGI scope/receive/send on uvloop, five stacks that each add one layer to
the one before, and prints µs per request (best of 5) for each and the difference:

1. the answer alone: strict decode, the model, encode (``routes.evaluate_answer``);
2. the @asgi handler called directly (reading the body, the answer's head);
3. Litestar's router and exception middleware around it (no guards);
4. with the guards (Litestar middleware);
5. the Application as shipped (request id, headers, metrics, the log line).

With ``--profile`` it also prints the top of a cProfile of the full stack.

    .venv/bin/python bench/profile_request.py [--path /payback] [--profile] [--top 30]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import msgspec
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: F401  puts the project root on sys.path

os.environ.setdefault("LOG_FORMAT", "json")

from litestar import Litestar
from litestar.datastructures import State

from service import examples
from service.http import app as app_module
from service.http import routes
from service.http.application import Exchange
from service.http.errors import EXCEPTION_HANDLERS
from service.settings import Settings

BODIES = {
    "/evaluate": examples.SEED_EVALUATE,
    "/payback": dict(examples.SEED_PAYBACK, horizon_months=120),
}
ASGI = Callable[[Any, Any, Any], Awaitable[None]]


def stacks(path: str) -> dict[str, ASGI]:
    """The five stacks of the module's docstring, by name."""
    settings = Settings(log_format="json")
    full = app_module.create_app(settings)
    bare = Litestar(
        route_handlers=[route.handler for route in routes.ROUTES],
        exception_handlers=cast(Any, EXCEPTION_HANDLERS),
        openapi_config=None,
        logging_config=None,
        state=State({"settings": settings, "draining": False}),
    )
    compute = routes.evaluate_answer if path == "/evaluate" else routes.payback_answer
    body = msgspec.json.encode(BODIES[path])

    async def answer_only(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": compute(body, "en")})

    class _App:
        state = State({"settings": settings})

    async def handler_only(scope: Any, receive: Any, send: Any) -> None:
        scope["app"] = _App
        await routes.answer_post(scope, receive, send, compute)

    app_module._settle_the_heap()
    return {
        "1 answer (decode, model, encode)": answer_only,
        "2 + @asgi handler": handler_only,
        "3 + Litestar router": cast(ASGI, bare),
        "4 + guards": full.routed,
        "5 + Application (as shipped)": cast(ASGI, full),
    }


def driver(app: ASGI, path: str) -> Callable[[int], Awaitable[None]]:
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
            "server": ("127.0.0.1", 8000), "state": {"arrived": time.perf_counter()},
        }  # fmt: skip
        # What the Application gives the guards (stack 4 runs without it); the same small cost
        # in every stack, so the differences between them stay true.
        scope["state"]["exchange"] = Exchange("id", dict(headers), "127.0.0.1", time.perf_counter())
        await app(scope, receive, send)
        if sent[0]["status"] != 200:
            raise RuntimeError(sent)

    async def many(count: int) -> None:
        for _ in range(count):
            await one()

    return many


def best_us(drivers: dict[str, Callable[[int], Awaitable[None]]], count: int) -> dict[str, float]:
    """µs per request of each stack: the best of 7 rounds, the stacks alternating in each round
    (so a noisy moment hurts them all alike)."""
    timings: dict[str, list[float]] = {name: [] for name in drivers}
    for many in drivers.values():
        uvloop.run(many(200))
    for _ in range(7):
        for name, many in drivers.items():
            started = time.perf_counter()
            uvloop.run(many(count))
            timings[name].append((time.perf_counter() - started) / count * 1e6)
    return {name: min(values) for name, values in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="/evaluate", choices=sorted(BODIES))
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    stdout = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115  the log lines go nowhere
    try:
        built = stacks(args.path)
        layers = best_us({name: driver(app, args.path) for name, app in built.items()}, args.count)
        profiler = cProfile.Profile()
        if args.profile:
            many = driver(built["5 + Application (as shipped)"], args.path)
            profiler.enable()
            uvloop.run(many(args.count))
            profiler.disable()
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    print(f"{args.path}: µs per request in-process (best of 7 × {args.count})")
    before = 0.0
    for name, us in layers.items():
        print(f"  {name:34} {us:7.1f}  (+{us - before:.1f})")
        before = us
    if args.profile:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
