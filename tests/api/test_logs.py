"""The request log line's fast path (service.ops.logs.AccessLog) matches structlog's JSON lines;
every other line logged while a request is served carries its request id."""

from __future__ import annotations

import asyncio
import datetime
import json
import re
from typing import Any

import pytest
import structlog
from litestar.testing import TestClient

from service.http import application as application_module
from service.http import compute
from service.http.app import create_app
from service.ops.logs import MAX_FIELD_CHARS, AccessLog, Timestamp, bound_fields
from service.settings import Settings

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_the_timestamp_has_structlogs_format_and_the_current_time() -> None:
    ours = Timestamp().now()
    theirs = structlog.processors.TimeStamper(fmt="iso", utc=True)(None, "info", {})["timestamp"]
    assert ISO_UTC.match(ours) and ISO_UTC.match(theirs)
    parsed = datetime.datetime.fromisoformat(ours.replace("Z", "+00:00"))
    assert abs((datetime.datetime.now(datetime.UTC) - parsed).total_seconds()) < 5


def test_a_line_has_the_keys_of_a_structlog_line_and_escapes_the_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    access = AccessLog()
    access.request(
        "abc", "POST", '/odd"path\\', 200, duration_ms=0.5, client="192.0.2.1", partner=None
    )
    access.request(
        "def", "GET", "/healthz", 200, duration_ms=0.1, client="192.0.2.1", partner="acme"
    )
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first == {
        "request_id": "abc", "method": "POST", "path": '/odd"path\\', "status": 200,
        "duration_ms": 0.5, "client": "192.0.2.1", "event": "request", "level": "info",
        "timestamp": first["timestamp"],
    }  # fmt: skip
    assert ISO_UTC.match(first["timestamp"])
    assert second["partner"] == "acme"


def test_a_turns_first_line_goes_out_at_once_and_the_rest_together_at_its_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    access = AccessLog()

    def ids(output: str) -> list[str]:
        return [json.loads(line)["request_id"] for line in output.splitlines()]

    async def main() -> list[list[str]]:
        for number in range(3):
            access.request(
                str(number), "GET", "/", 200, duration_ms=0.1, client="192.0.2.1", partner=None
            )
        during = ids(capsys.readouterr().out)
        await asyncio.sleep(0)  # the turn ends: the pending lines go out
        after = ids(capsys.readouterr().out)
        access.request(
            "3", "GET", "/", 200, duration_ms=0.1, client="192.0.2.1", partner=None
        )  # a new turn
        return [during, after, ids(capsys.readouterr().out)]

    assert asyncio.run(main()) == [["0"], ["1", "2"], ["3"]]


def test_no_line_below_info_level(capsys: pytest.CaptureFixture[str]) -> None:
    access = AccessLog()
    access.configure(level=30, as_json=True)  # WARNING
    access.request("abc", "GET", "/", 200, duration_ms=0.1, client="192.0.2.1", partner=None)
    access.flush()
    assert capsys.readouterr().out == ""


def test_a_long_path_is_cut_so_a_line_stays_one_json_object_under_16_kib(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Container runtimes split lines over 16 KiB: a shipper would see two broken halves."""
    access = AccessLog()
    access.request(
        "abc", "GET", "/" + "a" * 60_000, 404, duration_ms=0.1, client="::1", partner=None
    )
    (line,) = capsys.readouterr().out.splitlines()
    assert len(line.encode()) < 1024
    assert json.loads(line)["path"].endswith("…")


def test_every_structlog_field_is_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    event = bound_fields(None, "info", {"event": "x" * 100_000, "exception": "y" * 100_000 + "END"})
    assert len(event["event"]) == MAX_FIELD_CHARS
    assert event["exception"].endswith("END") and len(event["exception"]) < 10_000


# ---- request ids: bound once by the Application, on every line logged while it serves ----------

Scope = dict[str, Any]
Client = TestClient  # type: ignore[type-arg]


def logged(logs: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(line["event"], line.get("request_id")) for line in logs]


def test_lines_logged_while_a_request_is_served_carry_its_id_and_only_those(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line a handler logs and the unhandled error's line name the request, though neither
    passes its id; the next request's lines name the next request; a line after them, none."""
    assert structlog.get_config()["processors"][0] is structlog.contextvars.merge_contextvars

    def failing(body: bytes, language: str, view: str = "full") -> bytes:
        structlog.get_logger("roi_service").warning("deep inside the handler")
        raise RuntimeError("boom")

    monkeypatch.setattr(compute, "evaluate_answer", failing)
    headers = {"content-type": "application/json"}
    with structlog.testing.capture_logs([structlog.contextvars.merge_contextvars]) as logs:
        for request_id in ("first-1", "second-2"):
            answer = client.post(
                "/evaluate", content=b"{}", headers={**headers, "x-request-id": request_id}
            )
            assert answer.status_code == 500
        structlog.get_logger("roi_service").info("after the requests")
    assert logged(logs) == [
        ("deep inside the handler", "first-1"), ("unhandled error", "first-1"),
        ("deep inside the handler", "second-2"), ("unhandled error", "second-2"),
        ("after the requests", None),
    ]  # fmt: skip


def test_no_request_id_outlives_its_request_in_the_same_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Served one after the other in one task (one context), as a test client or a server
    without a task per request would: each request's id is reset when it ends, also when it
    fails past Litestar (the Application's own error line)."""
    application = create_app(Settings(log_format="json"))
    structlog.configure(cache_logger_on_first_use=False)  # a cached logger bypasses capture_logs
    monkeypatch.setattr(application_module, "log", structlog.get_logger("roi_service.access"))
    log = structlog.get_logger("roi_service")

    async def routed(scope: Scope, receive: Any, send: Any) -> None:  # in Litestar's place
        log.info("routed")
        if scope["path"] == "/fails":
            raise RuntimeError("Litestar itself failed")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    monkeypatch.setattr(application, "routed", routed)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        pass

    def scope(path: str, request_id: str) -> Scope:
        headers = [(b"x-request-id", request_id.encode())]
        return {"type": "http", "method": "GET", "path": path, "headers": headers}

    async def main() -> None:
        await application(scope("/fails", "first-1"), receive, send)
        log.info("between")
        await application(scope("/", "second-2"), receive, send)
        log.info("after")

    with structlog.testing.capture_logs([structlog.contextvars.merge_contextvars]) as logs:
        asyncio.run(main())
    assert logged(logs) == [
        ("routed", "first-1"), ("unhandled error", "first-1"), ("between", None),
        ("routed", "second-2"), ("after", None),
    ]  # fmt: skip
