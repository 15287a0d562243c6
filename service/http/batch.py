"""Whole books per call: ``POST /evaluate/batch`` and ``POST /payback/batch`` (README, "For
partners"; the design: partners.md).

Each item is answered by the single call's own code path (routes.evaluate_answer,
routes.payback_answer, and errors.problem_for for what fails), so an item's answer is the
single call's bytes and its problem the single call's problem. The answer is streamed item by
item, and the event loop is given back after each, so a batch holds it no longer than one item
(an item that asks for samples is priced in the worker thread, as a single call is).

- JSON: ``{"items": [{"id", "request"}, ...]}`` (1..500 items, ids unique) answers
  ``{"items": [{"id", "status", "answer" | "problem"}], "counts": {...}}`` in request order.
- NDJSON (``application/x-ndjson``): one item a line in, one result a line out as each is
  priced, then ``{"done": true, "items": n, "counts": {...}}``. No item limit: the body is read
  a chunk at a time and not read further while the answers are not being read, so memory stays
  flat; each line at most the single request's body limit.

Each item counts against the caller's rate limit as one request (the batch's own request is
the first item's): items past it get a 429 result with ``retry_after``, and the rest are not
priced. A client that goes away stops the pricing.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from typing import TYPE_CHECKING, Annotated, Any

import anyio
import anyio.from_thread
import msgspec
from litestar import asgi
from litestar.exceptions import MethodNotAllowedException
from msgspec import UNSET, Meta, Raw, Struct, UnsetType

from service import calc
from service.http import bodies, compute, problems
from service.http.errors import Refused, problem_for
from service.http.limits import retry_after

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator, MutableMapping

    from service.http.guards import Guards

    Scope = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
    Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

NDJSON = "application/x-ndjson"
OUTBOX_BYTES = 32 * 1024
OUTBOX_SECONDS = 0.02
MAX_ITEMS = 500
ItemId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern="^[A-Za-z0-9._:-]+$",
        description="The caller's own id for the item, echoed in its result.",
        examples=["quote-17"],
    ),
]


class Item(Struct, forbid_unknown_fields=True, frozen=True):
    """One item of a batch: the caller's id and a request, read as raw bytes so that each item
    is decoded, checked and answered by the single call's path."""

    id: ItemId
    request: Raw


class Batch(Struct, forbid_unknown_fields=True, frozen=True):
    items: Annotated[list[Item], Meta(min_length=1, max_length=MAX_ITEMS)]


class Result(Struct, omit_defaults=True):
    """An item's result: its answer (200) or its problem (4xx)."""

    id: str
    status: int
    answer: Raw | UnsetType = UNSET
    problem: Raw | UnsetType = UNSET
    retry_after: int | UnsetType = UNSET


class Done(Struct):
    """The last line of an NDJSON answer: the stream is whole."""

    done: bool
    items: int
    counts: dict[str, int]


BATCH_DECODER = msgspec.json.Decoder(Batch)
ITEM_DECODER = msgspec.json.Decoder(Item)
ENCODER = msgspec.json.Encoder()


class Pricer:
    """Prices one batch's items in turn, with the single call's path, counting each against the
    caller's rate limit and watching for the client to leave."""

    def __init__(self, scope: Scope, computation: compute.Compute, path: str) -> None:
        self.exchange = scope["state"]["exchange"]
        self.settings = scope["app"].state.settings
        self.guards: Guards = scope["app"].state.guards
        self.computation = computation
        self.path = path  # the single call's, as its problems name it
        self.view = compute.requested_view(scope)
        self.language = compute.language_of(self.exchange.headers)
        self.counts: Counter[int] = Counter()
        self.limited: float = 0.0  # once the rate limit is reached: its wait, and no pricing
        self.priced = 0

    def price(self, item_id: str, request: bytes) -> bytes:
        """The item's result line, priced in the batch's worker thread (the event loop stays
        free: probes and other requests are answered meanwhile)."""
        if self.priced and not self.limited and self.guards.limits_rate:
            # the batch's own request counted the first; the limiter lives on the event loop
            self.limited = anyio.from_thread.run_sync(self.guards.item_token, self.exchange)
        self.priced += 1
        if self.limited:
            value = problems.problem(
                "rate-limited", "rate limit reached: this item and the rest were not priced"
            )
            result = Result(item_id, 429, problem=self._problem(value),
                            retry_after=int(retry_after(self.limited)))  # fmt: skip
        else:
            try:
                answer = compute.answer_in_thread(
                    self.computation, request, self.language, self.view
                )
                result = Result(item_id, 200, answer=Raw(answer))
            except Exception as error:  # the single call's handlers answer it, per item
                result = self.failed(item_id, error)
        return self.counted_line(result)

    def counted_line(self, result: Result) -> bytes:
        self.counts[result.status] += 1
        return ENCODER.encode(result)

    def failed(self, item_id: str, error: Exception) -> Result:
        value = problem_for(error, self.settings)
        if value is None:
            # a bug: logged as any unhandled error; the answer, already under way, is cut short
            # (the client sees no done line, or an unfinished JSON document)
            raise error
        return Result(item_id, value.status, problem=self._problem(value))

    def _problem(self, value: problems.Problem) -> Raw:
        value.request_id = self.exchange.request_id
        value.instance = self.path
        return Raw(problems.encode(value))

    def counted(self) -> dict[str, int]:
        return {str(status): count for status, count in sorted(self.counts.items())}


@asgi("/evaluate/batch", name="evaluate_batch", copy_scope=False)
async def evaluate_batch(scope: Scope, receive: Receive, send: Send) -> None:
    """Many /evaluate requests, each answered as the single call answers it."""
    await answer_batch(scope, receive, send, compute.evaluate_answer, "/evaluate")


@asgi("/payback/batch", name="payback_batch", copy_scope=False)
async def payback_batch(scope: Scope, receive: Receive, send: Send) -> None:
    """Many /payback requests, each answered as the single call answers it."""
    await answer_batch(scope, receive, send, compute.payback_answer, "/payback")


async def answer_batch(
    scope: Scope, receive: Receive, send: Send, computation: compute.Compute, path: str
) -> None:
    """A batch in JSON or NDJSON (by Content-Type), answered item by item."""
    if scope["method"] != "POST":
        raise MethodNotAllowedException(headers={"Allow": "OPTIONS, POST"})
    pricer = Pricer(scope, computation, path)
    content_type = pricer.exchange.headers.get(b"content-type", b"").decode("latin-1")
    if content_type.partition(";")[0].strip().lower() == NDJSON:
        await _ndjson(pricer, receive, send)
        return
    limit = pricer.settings.max_batch_body_bytes
    try:
        body = await _body(pricer, receive, limit)
    except bodies.ClientGone:
        return
    batch = bodies.decode(BATCH_DECODER, body)
    _check_ids(batch)
    gone = asyncio.ensure_future(receive())  # completes when the client goes away
    try:
        await _start(send, bodies.JSON)
        await anyio.to_thread.run_sync(_json_items, pricer, batch, send, gone)
    finally:
        gone.cancel()


def _json_items(pricer: Pricer, batch: Batch, send: Send, gone: asyncio.Future[Any]) -> None:
    """In the batch's worker thread: each item priced and its result put out."""
    out = Outbox(send)
    separator = b'{"items":['
    for item in batch.items:
        if gone.done():
            return  # nobody to answer: stop
        out.put(separator + pricer.price(item.id, bytes(item.request)))
        separator = b","
    out.put(b'],"counts":' + ENCODER.encode(pricer.counted()) + b"}")
    out.flush(more=False)


class Outbox:
    """Results on their way to the client, sent on the event loop (which waits there while the
    client is not reading) in pieces of OUTBOX_BYTES, or sooner once OUTBOX_SECONDS have
    passed: streamed as they are priced, without a thread hop per item (a hop costs 0.1-0.2 ms,
    a partner quote's summary 1.4 ms)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.parts: list[bytes] = []
        self.size = 0
        self.since = time.monotonic()

    def put(self, chunk: bytes) -> None:
        self.parts.append(chunk)
        self.size += len(chunk)
        if self.size >= OUTBOX_BYTES or time.monotonic() - self.since >= OUTBOX_SECONDS:
            self.flush(more=True)

    def flush(self, *, more: bool) -> None:
        message = {"type": "http.response.body", "body": b"".join(self.parts), "more_body": more}
        anyio.from_thread.run(_send, self.send, message)
        self.parts, self.size, self.since = [], 0, time.monotonic()


async def _body(pricer: Pricer, receive: Receive, limit: int) -> bytes:
    """The whole JSON body, each read within the body deadline."""
    deadlines = pricer.guards.deadlines

    async def read() -> Any:
        return await deadlines.receive(receive, deadlines.deadline())

    return await bodies.read_json_body(pricer.exchange.headers, read, limit)


def _check_ids(batch: Batch) -> None:
    """Ids are unique within a batch: a repeated one is a problem for the whole batch."""
    seen: dict[str, int] = {}
    for i, item in enumerate(batch.items):
        if item.id in seen:
            violation = calc.Violation(
                f"/items/{i}/id", f"{item.id!r} is the id of /items/{seen[item.id]} too"
            )
            raise Refused(problems.problem(
                "schema-violation", f"/items/{i}/id: ids must be unique within a batch",
                errors=[violation],
            ))  # fmt: skip
        seen[item.id] = i


async def _start(send: Send, media_type: str) -> None:
    await send({
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", media_type.encode()), (b"cache-control", b"no-store")],
    })  # fmt: skip


async def _ndjson(pricer: Pricer, receive: Receive, send: Send) -> None:
    await anyio.to_thread.run_sync(_ndjson_items, pricer, receive, send)


def _ndjson_items(pricer: Pricer, receive: Receive, send: Send) -> None:
    """In the batch's worker thread: a line read, priced and answered at a time; the body is
    read on the event loop only when what was priced has been sent (so not while the client is
    not reading), each read within the body deadline."""
    anyio.from_thread.run(_start, send, NDJSON)
    out = Outbox(send)

    def read() -> Any:
        out.flush(more=True)  # what was priced goes out before more is read
        return anyio.from_thread.run(_read, pricer, receive)

    items = 0
    for number, line in _lines(read, pricer):
        items += 1
        out.put(_line_result(pricer, number, line) + b"\n")
    out.put(ENCODER.encode(Done(done=True, items=items, counts=pricer.counted())) + b"\n")
    out.flush(more=False)


async def _send(send: Send, message: dict[str, Any]) -> None:
    await send(message)


async def _read(pricer: Pricer, receive: Receive) -> Any:
    deadlines = pricer.guards.deadlines
    return await deadlines.receive(receive, deadlines.deadline())


def _line_result(pricer: Pricer, number: int, line: bytes | None) -> bytes:
    """One line's result; a line that is not an item gets its own 400 (its line number its id
    when it has none), a line over the body limit its 413."""
    if line is None:
        return pricer.counted_line(pricer.failed(str(number), bodies.BodyTooLarge()))
    try:
        item = bodies.decode(ITEM_DECODER, line)
    except msgspec.DecodeError as error:
        return pricer.counted_line(pricer.failed(_id_of(line, number), error))
    return pricer.price(item.id, bytes(item.request))


_ID = re.compile(rb'"id"\s*:\s*"([A-Za-z0-9._:-]{1,64})"')


def _id_of(line: bytes, number: int) -> str:
    """The id a broken line gives, if it gives one plainly; else its line number."""
    found = _ID.search(line[:4096])
    return found.group(1).decode() if found else str(number)


def _lines(read: Callable[[], Any], pricer: Pricer) -> Iterator[tuple[int, bytes | None]]:
    """The body's non-empty lines with their numbers (1-based), read a chunk at a time with
    ``read``; a line longer than the body limit is None (and skipped). Stops when the client
    goes away."""
    limit = pricer.settings.max_body_bytes
    buffer, number, skipping = b"", 0, False
    while True:
        message = read()
        if message["type"] == "http.disconnect":
            return  # nobody to answer: stop
        buffer += message.get("body", b"")
        more = message.get("more_body", False)
        *complete, buffer = buffer.split(b"\n")
        if not more:
            complete.append(buffer)
            buffer = b""
        for line in complete:
            if skipping:  # the end of a line already answered as too long
                skipping = False
                continue
            number += 1
            if line.strip():
                yield number, line if len(line) <= limit else None
        if len(buffer) > limit and not skipping:
            number += 1
            yield number, None
            buffer, skipping = b"", True
        elif skipping:
            buffer = b""
        if not more:
            return


# ---- the contract's view of a batch: the same documents, with each item's request and answer
# typed (the decoder above reads them as raw bytes) -------------------------------------------


def _documented(name: str, request: Any, full: Any) -> tuple[Any, Any]:
    item = msgspec.defstruct(f"{name}BatchItem", [("id", ItemId), ("request", request)],
                             forbid_unknown_fields=True, module=__name__)  # fmt: skip
    item.__doc__ = "One item: the caller's id and a request."
    items = Annotated[list[item], Meta(min_length=1, max_length=MAX_ITEMS)]  # type: ignore[valid-type]
    document = msgspec.defstruct(f"{name}Batch", [("items", items)],
                                 forbid_unknown_fields=True, module=__name__)  # fmt: skip
    document.__doc__ = f"Up to {MAX_ITEMS} requests, each with the caller's own id."
    result = msgspec.defstruct(f"{name}BatchResult", [
        ("id", str),
        ("status", Annotated[int, Meta(description="The single call's status: 200, 4xx.")]),
        ("answer", full | UnsetType, UNSET),  # the summary view's too: service/http/openapi.py
        ("problem", problems.Problem | UnsetType, UNSET),
        ("retry_after", Annotated[int, Meta(description="Seconds, for a 429.")] | UnsetType,
         UNSET),
    ], module=__name__)  # fmt: skip
    result.__doc__ = "An item's result: the single call's answer (200) or problem (4xx)."
    answer = msgspec.defstruct(f"{name}BatchAnswer", [
        ("items", list[result]),  # type: ignore[valid-type]
        ("counts", Annotated[dict[str, int], Meta(description="Results by status.")]),
    ], module=__name__)  # fmt: skip
    answer.__doc__ = "One result per item, in request order, and how many of each status."
    return document, answer


EvaluateBatch, EvaluateBatchAnswer = _documented(
    "Evaluate", calc.EvaluateRequest, calc.EvaluateResponse
)
PaybackBatch, PaybackBatchAnswer = _documented("Payback", calc.PaybackRequest, calc.PaybackResponse)
