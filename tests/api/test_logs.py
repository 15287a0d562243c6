"""The request log line's fast path (service.ops.logs.AccessLog) matches structlog's JSON lines."""

from __future__ import annotations

import asyncio
import datetime
import json
import re

import pytest
import structlog

from service.ops.logs import MAX_FIELD_CHARS, AccessLog, Timestamp, bound_fields

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
