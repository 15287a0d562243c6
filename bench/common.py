"""What the bench scripts share: request bodies, servers pinned to a core, wrk, RSS."""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service import calc, examples  # noqa: E402  after the path above

ARTIFACTS = ROOT / "artifacts"
VENV_BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "bodies.lua"
SERVER_CORE = "0"
CLIENT_CORE = "1"
ENCODER = msgspec.json.Encoder()


# ---- bodies ------------------------------------------------------------------------------


def evaluate_body(rng: random.Random) -> dict[str, Any]:
    """A seed variant: other counts, uplifts and deal values, always one the model accepts."""
    leads = rng.randint(2_000, 50_000)
    opportunities = round(leads * rng.uniform(0.03, 0.12))
    deals = round(opportunities * rng.uniform(0.3, 0.8))

    def uplift() -> float:
        return round(rng.uniform(0, 0.1), 3)

    body = {
        "currency": rng.choice(["UAH", "UAH", "UAH", "EUR", "USD", "JPY", "KWD"]),
        "stages": [
            {"name": "leads", "count": leads, "uplift": uplift()},
            {"name": "opportunities", "count": opportunities, "uplift": uplift()},
            {"name": "deals", "count": deals, "uplift": uplift()},
        ],
        "average_deal_value": rng.choice([200, 150, 250.5, 1200, 99.99]),
        "average_deal_value_uplift": round(rng.uniform(-0.05, 0.1), 3),
    }  # fmt: skip
    if rng.random() < 0.2:
        body["gross_margin"] = round(rng.uniform(0.2, 1), 2)
    return body


def payback_body(rng: random.Random) -> dict[str, Any]:
    """A seed /payback variant: other costs, benefits, horizons (up to 120 months) and rates."""
    body: dict[str, Any] = {
        "currency": "UAH",
        "costs": {
            "one_time": [{"name": "licence, integrations", "amount": rng.randint(5_000, 60_000)}],
            "monthly": [{"name": "seats", "amount": rng.randint(0, 3_000)}],
        },
        "horizon_months": rng.choice([12, 24, 36, 60, 120]),
        "annual_discount_rate": rng.choice([0, 0.05, 0.1]),
        "ramp_up_months": rng.choice([0, 1, 3]),
    }
    if rng.random() < 0.3:
        body["evaluation"] = dict(evaluate_body(rng), currency="UAH")
    else:
        body["monthly_benefit"] = rng.randint(1_000, 40_000)
    return body


def check(path: str, body: dict[str, Any]) -> None:
    """Fails unless the model answers the body (so no benchmark request is a 4xx)."""
    if path == "/evaluate":
        request = msgspec.convert(body, calc.EvaluateRequest)
        calc.evaluate(request, 2)
    else:
        calc.payback(msgspec.convert(body, calc.PaybackRequest), 2)


def write_bodies(file: Path, count: int, payback_share: float = 0.0, seed: int = 1) -> Path:
    """``count`` different valid requests, one a line: ``<path>\\t<json>`` (read by bodies.lua)."""
    rng = random.Random(seed)  # noqa: S311  reproducible test data, not secrets
    lines = []
    for _ in range(count):
        path = "/payback" if rng.random() < payback_share else "/evaluate"
        body = payback_body(rng) if path == "/payback" else evaluate_body(rng)
        check(path, body)
        lines.append(f"{path}\t{ENCODER.encode(body).decode()}")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("\n".join(lines) + "\n")
    return file


# ---- servers -----------------------------------------------------------------------------


@dataclass
class Server:
    """A server process pinned to the server core, on its own port."""

    name: str
    argv: list[str]
    port: int
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        self.process = subprocess.Popen(  # noqa: S603  our own commands
            ["taskset", "-c", SERVER_CORE, *self.argv],  # noqa: S607  taskset from PATH
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def wait_ready(self, probe: str = "/evaluate", timeout: float = 30.0) -> None:
        body = ENCODER.encode(examples.SEED_EVALUATE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                stderr = self.process.stderr if self.process else None
                err = stderr.read().decode() if stderr else "not started"
                raise RuntimeError(f"{self.name} exited: {err[-2000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                headers = {"content-type": "application/json"}
                connection.request("POST", probe, body=body, headers=headers)
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready on port {self.port} after {timeout} s")

    def worker_pid(self) -> int:
        """The process that runs the app: the youngest descendant (granian, uvicorn workers)."""
        if self.process is None:
            raise RuntimeError(f"{self.name} is not running")
        pid = self.process.pid
        while children := _children(pid):
            pid = children[-1]
        return pid

    def rss_mib(self) -> float:
        return rss_mib(self.worker_pid())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.extend(int(c) for c in (task / "children").read_text().split())
    return sorted(found)


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """VmRSS (or another Vm* line: VmHWM, the peak) of one process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_worker(port: int) -> Server:
    """``python -m service`` as shipped, one worker, quiet logs: the server of the wire
    figures of uncertainty.py, batch.py and wire.py."""
    env = {"PORT": str(port), "WORKERS": "1", "LOG_LEVEL": "warning"}
    return Server("service", [str(VENV_BIN / "python"), "-m", "service"], port, env)


# ---- wrk ---------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests_per_s: float
    # Share of core 0 used by anything but the server under test during the run (other
    # processes on a shared machine): a measure of how noisy this run was.
    foreign_cpu0: float = 0.0
    # Share of core 0's time the hypervisor gave to other guests ("steal" in /proc/stat).
    steal_cpu0: float = 0.0
    # The server's own CPU time (user + system) per request answered, in µs: unlike req/s it
    # leaves out time the core sat idle, and it shows what a request costs at this load.
    cpu_us_per_request: float = 0.0
    requests: int = 0
    non_2xx: int = 0
    socket_errors: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0


_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    def find(pattern: str, default: str | None = None) -> str:
        match = re.search(pattern, output)
        if match is None:
            if default is None:
                raise ValueError(f"no {pattern!r} in wrk's output:\n{output}")
            return default
        return match.group(1)

    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_s=float(find(r"Requests/sec:\s+([\d.]+)")),
        p50_ms=_ms(find(r"\n\s+50%\s+(\S+)")),
        p99_ms=_ms(find(r"\n\s+99%\s+(\S+)")),
        requests=int(find(r"(\d+) requests in")),
        seconds=_ms(find(r"requests in ([\d.]+\w+),")) / 1000,
        non_2xx=int(find(r"Non-2xx or 3xx responses: (\d+)", "0")),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def _cpu0_ticks() -> tuple[int, int]:
    """Core 0's busy ticks (steal included) and its steal ticks, from /proc/stat."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu0 "):
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, line.split()[1:9])
            return user + nice + system + irq + softirq + steal, steal
    return 0, 0


def _tree_ticks(pid: int) -> int:
    """utime + stime of a process and its descendants, in clock ticks."""
    total = 0
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total + sum(_tree_ticks(child) for child in _children(pid))


def wrk(
    port: int,
    bodies: Path,
    seconds: float,
    *,
    connections: int = 32,
    rate: float = 0,
    server: Server | None = None,
) -> WrkResult:
    """One wrk run on the client core: -t1, ``connections`` connections, bodies in rotation."""
    argv = [
        "taskset", "-c", CLIENT_CORE, "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s",
        "--latency", "--timeout", "5s", "-s", str(LUA), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    env = {**os.environ, "BODIES": str(bodies), "RATE": f"{rate:g}"}
    pid = server.process.pid if server is not None and server.process is not None else None
    (busy, steal), mine = _cpu0_ticks(), _tree_ticks(pid) if pid else 0
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603  our own command
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 30, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    result = parse_wrk(done.stdout)
    if pid:
        per_second = os.sysconf("SC_CLK_TCK")
        ticks = per_second * (time.monotonic() - started)
        busy_after, steal_after = _cpu0_ticks()
        served = _tree_ticks(pid) - mine
        foreign = (busy_after - busy) - served
        result.foreign_cpu0 = round(max(foreign, 0) / ticks, 3)
        result.steal_cpu0 = round((steal_after - steal) / ticks, 3)
        if result.requests:
            result.cpu_us_per_request = round(served / per_second / result.requests * 1e6, 1)
    return result


@contextlib.contextmanager
def running(servers: list[Server]) -> Iterator[list[Server]]:
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
