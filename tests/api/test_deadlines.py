"""The body deadline keeper (service.http.limits.BodyDeadlines): one timer for every request."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from service.http.limits import BodyDeadlines, BodyTimeout

pytestmark = [
    pytest.mark.timeout(10),  # a broken deadline would otherwise hang here
    pytest.mark.serial,  # deadlines are measured on the clock
]

MESSAGE = {"type": "http.request", "body": b"{}", "more_body": False}


async def never() -> dict[str, Any]:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def soon() -> dict[str, Any]:
    await asyncio.sleep(0.01)
    return MESSAGE


def test_a_body_past_its_deadline_is_a_body_timeout_within_one_tick() -> None:
    deadlines = BodyDeadlines(0.2)

    async def main() -> float:
        started = time.monotonic()
        with pytest.raises(BodyTimeout):
            await deadlines.receive(never, deadlines.deadline())
        return time.monotonic() - started

    waited = asyncio.run(main())
    assert 0.2 <= waited < 0.2 + deadlines.tick + 0.2
    assert not deadlines.waiting and not deadlines.timed_out


def test_a_body_in_time_is_returned_and_the_task_is_never_cancelled_later() -> None:
    deadlines = BodyDeadlines(0.2)

    async def main() -> None:
        assert await deadlines.receive(soon, deadlines.deadline()) == MESSAGE
        assert not deadlines.waiting
        await asyncio.sleep(0.5)  # past the deadline and several sweeps: still running

    asyncio.run(main())
    assert not deadlines.timed_out


def test_only_the_late_request_times_out_and_others_go_on() -> None:
    deadlines = BodyDeadlines(0.2)

    async def late() -> str:
        try:
            await deadlines.receive(never, deadlines.deadline())
        except BodyTimeout:
            return "timeout"
        return "answered"

    async def in_time() -> str:
        await asyncio.sleep(0.1)
        await deadlines.receive(soon, deadlines.deadline())
        return "answered"

    async def main() -> list[str]:
        return await asyncio.gather(late(), in_time(), in_time())

    assert asyncio.run(main()) == ["timeout", "answered", "answered"]


def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    deadlines = BodyDeadlines(5.0)

    async def main() -> None:
        task = asyncio.create_task(deadlines.receive(never, deadlines.deadline()))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert not deadlines.waiting


def test_it_keeps_working_on_a_new_event_loop() -> None:
    deadlines = BodyDeadlines(0.2)

    async def main() -> None:
        with pytest.raises(BodyTimeout):
            await deadlines.receive(never, deadlines.deadline())

    asyncio.run(main())
    asyncio.run(main())  # the first loop's timer is gone; a new one must be armed
