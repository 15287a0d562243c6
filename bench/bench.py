"""``make bench``: the service against a raw ASGI ceiling and a FastAPI peer, on two servers.

Targets (the HTTP-layer issue): /evaluate at least 0.25 of the raw ceiling and 1.8 times
FastAPI + pydantic, p99 at half peak at most 3 times the ceiling's p99 on the same schedule.

One run: in-process model cost (timeit), then every target under wrk (server on core 0, wrk
on core 1, 32 connections, 1,000 different valid seed variants in rotation), warmed up, in
alternating rounds; then p99 at half the service's peak rate; then each server's RSS. Prints
a table and the issue's targets (met or not); writes artifacts/bench.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import os
import platform
import statistics
import sys
import time
import timeit
from pathlib import Path
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import ARTIFACTS, VENV_BIN, Server

from service import calc, examples
from service.http import routes
from tests.tools.heavy import heaviest_lines, heaviest_payback, heaviest_schedule

PY = str(VENV_BIN / "python")
GRANIAN = str(VENV_BIN / "granian")
UVICORN_FLAGS = ["--loop", "uvloop", "--http", "httptools", "--no-access-log",
                 "--log-level", "warning", "--no-server-header"]  # fmt: skip
GRANIAN_FLAGS = ["--interface", "asgi", "--host", "127.0.0.1", "--workers", "1", "--http", "1",
                 "--no-ws", "--loop", "uvloop", "--log-level", "warning"]  # fmt: skip
SERVICE_FACTORY = "service.http.app:create_app"
SERVICE_ENV = {"HOST": "127.0.0.1", "LOG_FORMAT": "json", "LOG_LEVEL": "info"}


def targets() -> list[Server]:
    def uvicorn(name: str, app: str, port: int) -> Server:
        argv = [PY, "-m", "uvicorn", app, "--port", str(port), *UVICORN_FLAGS]
        return Server(name, argv, port)

    def granian(name: str, app: str, port: int, env: dict[str, str] | None = None) -> Server:
        return Server(name, [GRANIAN, *GRANIAN_FLAGS, "--port", str(port), app], port, env or {})

    return [
        # As shipped: python -m service (uvicorn, uvloop, httptools, structlog JSON lines).
        Server("service/uvicorn", [PY, "-m", "service"], 18101, {**SERVICE_ENV, "PORT": "18101"}),
        Server(
            "service/granian",
            [
                GRANIAN,
                *GRANIAN_FLAGS,
                "--port",
                "18102",
                "--factory",
                "service.http.app:create_app",
            ],
            18102,
            SERVICE_ENV,
        ),
        uvicorn("ceiling/uvicorn", "bench.ceiling:app", 18103),
        granian("ceiling/granian", "bench.ceiling:app", 18104),
        uvicorn("fastapi/uvicorn", "bench.fastapi_peer:app", 18105),
        granian("fastapi/granian", "bench.fastapi_peer:app", 18106),
    ]


# ---- in-process model cost ---------------------------------------------------------------


def best_us(function: Any, number: int, repeat: int = 7) -> float:
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e6


def model_cost(bodies: Path) -> dict[str, float]:
    """µs per call, best of 7, on the server core: the model alone and with decode + encode;
    and the whole /evaluate answer (decode, model, encode) averaged over the 1,000 different
    bodies wrk sends, where the model's small memos of input numbers mostly miss."""
    encoder = msgspec.json.Encoder(decimal_format="number")
    evaluate_decoder = msgspec.json.Decoder(calc.EvaluateRequest)
    payback_decoder = msgspec.json.Decoder(calc.PaybackRequest)
    evaluate_raw = msgspec.json.encode(examples.SEED_EVALUATE)
    payback_raw = msgspec.json.encode(dict(examples.SEED_PAYBACK, horizon_months=120))
    evaluate_req = evaluate_decoder.decode(evaluate_raw)
    payback_req = payback_decoder.decode(payback_raw)
    # A heavier 120-month case: discounting, a ramp, monthly costs and an embedded evaluation.
    heavy = dict(examples.SEED_PAYBACK_WITH_EVALUATION, horizon_months=120, ramp_up_months=3,
                 annual_discount_rate=0.1)  # fmt: skip
    heavy["costs"] = {**heavy["costs"], "monthly": [{"name": "seats", "amount": 1500}]}
    heavy_raw = msgspec.json.encode(heavy)
    heavy_req = payback_decoder.decode(heavy_raw)
    varied = [
        body.encode()
        for path, _, body in (line.partition("\t") for line in bodies.read_text().splitlines())
        if path == "/evaluate"
    ]

    def rotation() -> None:
        for body in varied:
            routes.evaluate_answer(body, "en")

    heaviest_raw = msgspec.json.encode(heaviest_payback())
    schedule_raw = msgspec.json.encode(heaviest_schedule())
    lines_raw = msgspec.json.encode(heaviest_lines())

    return {
        "evaluate_us": best_us(lambda: calc.evaluate(evaluate_req, 2), 2000),
        "evaluate_codec_us": best_us(
            lambda: encoder.encode(calc.evaluate(evaluate_decoder.decode(evaluate_raw), 2)), 2000
        ),
        "evaluate_varied_codec_us": best_us(rotation, 1) / len(varied),
        "payback_120_us": best_us(lambda: calc.payback(payback_req, 2), 200),
        "payback_120_codec_us": best_us(
            lambda: encoder.encode(calc.payback(payback_decoder.decode(payback_raw), 2)), 200
        ),
        "payback_120_heavy_us": best_us(lambda: calc.payback(heavy_req, 2), 200),
        "payback_120_heavy_codec_us": best_us(
            lambda: encoder.encode(calc.payback(payback_decoder.decode(heavy_raw), 2)), 200
        ),
        # tests/tools/heavy.py: every list at its longest, every option on (the README's bound)
        "payback_heaviest_codec_us": best_us(lambda: routes.payback_answer(heaviest_raw, "en"), 20),
        "payback_heaviest_lines_codec_us": best_us(
            lambda: routes.payback_answer(lines_raw, "en"), 5
        ),
        "payback_heaviest_schedule_codec_us": best_us(
            lambda: routes.payback_answer(schedule_raw, "en"), 20
        ),
    }


# ---- load --------------------------------------------------------------------------------


def measure(args: argparse.Namespace, bodies: Path) -> dict[str, Any]:
    servers = targets()
    results: dict[str, Any] = {s.name: {"rounds": []} for s in servers}
    with common.running(servers):
        shipped = next(server for server in servers if server.name == "service/uvicorn")
        results["heaviest_lines_wall_ms"] = heaviest_wall_ms(shipped.port)
        print(f"heaviest request in lines: {results['heaviest_lines_wall_ms']}", flush=True)
        for server in servers:
            print(f"warming up {server.name} ({args.warmup:g} s)", flush=True)
            common.wrk(server.port, bodies, args.warmup)
        for round_ in range(args.rounds):
            # Alternate: each round starts one target later, so no target always goes first.
            order = servers[round_ % len(servers) :] + servers[: round_ % len(servers)]
            for server in order:
                result = common.wrk(server.port, bodies, args.seconds, server=server)
                results[server.name]["rounds"].append(dataclasses.asdict(result))
                print(
                    f"round {round_ + 1}/{args.rounds} {server.name:16} "
                    f"{result.requests_per_s:9.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                    f"p99 {result.p99_ms:6.2f} ms  non-2xx {result.non_2xx}  "
                    f"CPU {result.cpu_us_per_request:.0f} µs/request  "
                    f"foreign load on core 0 {result.foreign_cpu0:.0%} (steal "
                    f"{result.steal_cpu0:.0%})",
                    flush=True,
                )
        for server in servers:
            entry = results[server.name]
            rounds = entry["rounds"]
            entry["requests_per_s"] = statistics.median(r["requests_per_s"] for r in rounds)
            entry["p50_ms"] = statistics.median(r["p50_ms"] for r in rounds)
            entry["p99_ms"] = statistics.median(r["p99_ms"] for r in rounds)
            entry["foreign_cpu0"] = max(r["foreign_cpu0"] for r in rounds)
            entry["steal_cpu0"] = max(r["steal_cpu0"] for r in rounds)
            entry["cpu_us_per_request"] = statistics.median(r["cpu_us_per_request"] for r in rounds)
            entry["non_2xx"] = sum(r["non_2xx"] + r["socket_errors"] for r in rounds)
        for server in servers:
            if not server.name.startswith("service/"):
                continue
            rate = results[server.name]["requests_per_s"] / 2
            half = common.wrk(server.port, bodies, args.seconds, rate=rate, server=server)
            results[server.name]["half_peak"] = {"target_rate": rate, **dataclasses.asdict(half)}
            print(
                f"half peak {server.name:16} {half.requests_per_s:6.0f} of {rate:.0f} req/s  "
                f"p50 {half.p50_ms:.2f} ms  p99 {half.p99_ms:.2f} ms  "
                f"CPU {half.cpu_us_per_request:.0f} µs/request  "
                f"foreign load on core 0 {half.foreign_cpu0:.0%} (steal {half.steal_cpu0:.0%})",
                flush=True,
            )
            # The same schedule against the ceiling on the same server: how much of the tail
            # is the machine, the server and wrk's pacing rather than the service.
            peer = next(s for s in servers if s.name == "ceiling/" + server.name.split("/")[1])
            same = common.wrk(peer.port, bodies, args.seconds, rate=rate, server=peer)
            results[server.name]["half_peak"]["ceiling_same_rate"] = dataclasses.asdict(same)
            print(
                f"same rate {peer.name:16} {same.requests_per_s:6.0f} of {rate:.0f} req/s  "
                f"p50 {same.p50_ms:.2f} ms  p99 {same.p99_ms:.2f} ms  "
                f"CPU {same.cpu_us_per_request:.0f} µs/request  "
                f"foreign load on core 0 {same.foreign_cpu0:.0%} (steal {same.steal_cpu0:.0%})",
                flush=True,
            )
        for server in servers:
            results[server.name]["rss_mib"] = server.rss_mib()
    return results


def heaviest_wall_ms(port: int, times: int = 20) -> dict[str, float]:
    """Wall time of tests/tools/heavy.py's heaviest_lines over HTTP on the idle service, one
    request at a time (after one to warm up): the best and the median of ``times``."""
    body = msgspec.json.encode(heaviest_lines())
    walls = []
    for _ in range(times + 1):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        connection.request("POST", "/payback", body, {"content-type": "application/json"})
        response = connection.getresponse()
        response.read()
        walls.append((time.perf_counter() - started) * 1000)
        connection.close()
        assert response.status == 200, response.status  # noqa: S101  a bench, not a test
    walls = sorted(walls[1:])
    return {"best_ms": walls[0], "median_ms": walls[len(walls) // 2]}


# ---- report ------------------------------------------------------------------------------


def report(model: dict[str, float], load: dict[str, Any]) -> dict[str, Any]:
    ceiling = max(
        load["ceiling/uvicorn"]["requests_per_s"], load["ceiling/granian"]["requests_per_s"]
    )
    fastapi = max(
        load["fastapi/uvicorn"]["requests_per_s"], load["fastapi/granian"]["requests_per_s"]
    )
    print()
    print(
        "| target | server | req/s | p50 ms | p99 ms | p99 at half peak ms "
        "| CPU µs/request (peak; half peak) | RSS MiB | / ceiling | / FastAPI "
        "| foreign load (steal) |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, entry in load.items():
        if "/" not in name:
            continue
        target, server = name.split("/")
        half = entry.get("half_peak")
        half_text = (
            f"{half['p99_ms']:.2f} (at {half['requests_per_s']:.0f}/s; ceiling at that rate "
            f"{half['ceiling_same_rate']['p99_ms']:.2f})"
            if half
            else "–"
        )
        cpu_text = f"{entry['cpu_us_per_request']:.0f}" + (
            f"; {half['cpu_us_per_request']:.0f}" if half else ""
        )
        print(
            f"| {target} | {server} | {entry['requests_per_s']:.0f} | {entry['p50_ms']:.2f} | "
            f"{entry['p99_ms']:.2f} | {half_text} | {cpu_text} | {entry['rss_mib']:.1f} | "
            f"{entry['requests_per_s'] / ceiling:.2f} | {entry['requests_per_s'] / fastapi:.2f} | "
            f"{entry['foreign_cpu0']:.0%} ({entry['steal_cpu0']:.0%}) |"
        )
    print()
    print("In-process model cost (µs per call, best of 7, server core):")
    for key, value in model.items():
        print(f"  {key:28} {value:9.1f}")
    shipped = load["service/uvicorn"]
    granian = load["service/granian"]
    half = shipped["half_peak"]
    checks = [
        ("/evaluate throughput ≥ 0.25 × ceiling (as shipped, uvicorn)",
         shipped["requests_per_s"] / ceiling, 0.25, ">="),
        ("/evaluate throughput ≥ 1.8 × FastAPI (as shipped, uvicorn)",
         shipped["requests_per_s"] / fastapi, 1.8, ">="),
        ("p99 at half peak ≤ 3 × the ceiling's p99 on the same schedule (as shipped), ratio",
         half["p99_ms"] / half["ceiling_same_rate"]["p99_ms"], 3.0, "<="),
        ("context: throughput / ceiling (service on granian)",
         granian["requests_per_s"] / ceiling, 0.25, ">="),
        ("context: throughput / FastAPI (service on granian)",
         granian["requests_per_s"] / fastapi, 1.8, ">="),
        ("context: RSS ≤ 80 MiB per worker (after this run)", shipped["rss_mib"], 80.0, "<="),
        ("seed /evaluate in-process ≤ 25 µs (issue 13)", model["evaluate_us"], 25.0, "<="),
        ("120-month /payback in-process ≤ 250 µs (issue 13)", model["payback_120_us"], 250.0,
         "<="),
        ("heaviest request in lines ≤ 50 ms wall on the idle server, median (issue 13)",
         load["heaviest_lines_wall_ms"]["median_ms"], 50.0, "<="),
    ]  # fmt: skip
    print()
    print("Targets from the issue:")
    verdicts = []
    for label, value, bound, sense in checks:
        met = value >= bound if sense == ">=" else value <= bound
        verdicts.append({"target": label, "value": value, "bound": bound, "met": met})
        print(f"  {'MET    ' if met else 'NOT MET'} {label}: {value:.2f} (bound {bound:g})")
    for name in ("service/uvicorn", "service/granian"):
        same = load[name]["half_peak"]["ceiling_same_rate"]
        print(
            f"  context: the ceiling on {name.split('/')[1]} under the same schedule as {name}'s "
            f"half peak: p99 {same['p99_ms']:.2f} ms, p50 {same['p50_ms']:.2f} ms"
        )
    return {
        "ceiling_requests_per_s": ceiling,
        "fastapi_requests_per_s": fastapi,
        "targets": verdicts,
    }


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu": next(
            (line.split(":", 1)[1].strip()
             for line in Path("/proc/cpuinfo").read_text().splitlines()
             if line.startswith("model name")), "?"),
        "loadavg_before": Path("/proc/loadavg").read_text().split()[:3],
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per target")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per target")
    args = parser.parse_args()
    started = time.monotonic()
    info = machine()
    bodies = common.write_bodies(ARTIFACTS / "bench-bodies.txt", 1000)
    print(f"{info['cpus']} CPUs, {info['cpu']}, Python {info['python']}")
    print(f"load average before: {' '.join(info['loadavg_before'])}")
    os.sched_setaffinity(0, {int(common.SERVER_CORE)})
    model = model_cost(bodies)
    os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    print("model cost done", flush=True)
    load = measure(args, bodies)
    summary = report(model, load)
    info["loadavg_after"] = Path("/proc/loadavg").read_text().split()[:3]
    info["seconds"] = round(time.monotonic() - started, 1)
    result = {"machine": info, "args": vars(args), "model_us": model, "load": load, **summary}
    (ARTIFACTS / "bench.json").write_text(msgspec.json.format(msgspec.json.encode(result)).decode())
    print(f"\nwritten {ARTIFACTS / 'bench.json'} in {info['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
