"""The route table: every endpoint, once. Litestar routes it (404 and 405 included); the index
links, the metric labels and the OpenAPI paths are read from the same table.

Adding an endpoint is one entry in ROUTES: its handler, its index link (if any), its OpenAPI
operation (if it is part of the contract) and whether the guards apply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Request, Response, asgi, get
from litestar.exceptions import HTTPException, MethodNotAllowedException
from litestar.handlers import BaseRouteHandler

from service import examples
from service.http import batch, bodies, openapi30, page, pdf
from service.http import compute as compute_
from service.http.bodies import JSON
from service.ops import metrics

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]

AnyRequest = Request[Any, Any, Any]


class Health(msgspec.Struct):
    """Liveness or readiness."""

    status: str


class Index(msgspec.Struct, kw_only=True):
    """The service's front door."""

    service: str
    version: str
    description: str
    links: dict[str, str]


class Operation(msgspec.Struct, frozen=True, kw_only=True):
    """What the contract says of a route (service/http/openapi.py renders it)."""

    summary: str
    description: str
    answer: str
    method: str = "get"
    errors: tuple[int, ...]
    request: str | None = None
    request_examples: dict[str, Any] = {}
    summary_answer: str | None = None  # ?view=summary's answer
    documents: tuple[str, ...] = ()  # other media types of the 200 answer, asked by Accept


# ---- the single calls: one computation each (compute.py) -------------------------------------


async def answer_post(
    scope: Scope, receive: Receive, send: Send, compute: compute_.Compute
) -> None:
    """A JSON body in, a JSON answer out, as a plain ASGI exchange: Litestar's Request and
    Response machinery would cost more than the model (docs/performance.md). Errors are raised
    for Litestar's exception handlers (service/http/errors.py) to answer as problems."""
    if scope["method"] != "POST":
        raise MethodNotAllowedException(headers={"Allow": "OPTIONS, POST"})
    view = compute_.requested_view(scope)
    headers = scope["state"]["exchange"].headers  # the Application has made them a dict
    limit = scope["app"].state.settings.max_body_bytes
    try:
        body = await bodies.read_json_body(headers, receive, limit)
    except bodies.ClientGone:
        return  # nobody to answer
    language = compute_.language_of(headers)
    media = pdf.negotiate(headers) if compute is compute_.payback_answer else JSON
    if media == pdf.PDF:  # the business case as a document (service/http/pdf.py)
        answer = await pdf.payback_pdf(body, language)
    else:
        answer = await compute_.answer_of(compute, body, language, view)
    await send({
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", media.encode()),
            (b"content-length", b"%d" % len(answer)),
            (b"content-language", language.encode()),
            (b"cache-control", b"no-store"),
        ],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": answer, "more_body": False})


@asgi("/evaluate", name="evaluate", copy_scope=False)
async def evaluate(scope: Scope, receive: Receive, send: Send) -> None:
    """The funnel effect: revenue before and after the CRM, and the monthly gain."""
    await answer_post(scope, receive, send, compute_.evaluate_answer)


@asgi("/payback", name="payback", copy_scope=False)
async def payback(scope: Scope, receive: Receive, send: Send) -> None:
    """Payback, NPV, ROI and IRR of the investment, with the monthly cash flows."""
    await answer_post(scope, receive, send, compute_.payback_answer)


# ---- everything else: plain Litestar handlers -------------------------------------------------


def _json(value: msgspec.Struct) -> Response[bytes]:
    return Response(bodies.encode(value), media_type=JSON)


@get("/healthz", name="healthz", sync_to_thread=False)
def healthz() -> Response[bytes]:
    """Liveness: the process answers."""
    return _json(Health("ok"))


@get("/readyz", name="readyz", sync_to_thread=False)
def readyz(request: AnyRequest) -> Response[bytes]:
    """Readiness: 503 while the instance is draining."""
    if request.app.state.draining:
        raise HTTPException(status_code=503, detail="draining")
    return _json(Health("ready"))


@get("/", name="index", sync_to_thread=False)
def index(request: AnyRequest) -> Response[bytes]:
    """The calculator page for browsers, the links for API clients."""
    if page.wants_html(request):
        response = page.asset_response(request, "index.html")
    else:
        response = Response(request.app.state.index_json, media_type=JSON)
    # The answer depends on Accept: a shared cache must key on it.
    response.headers["vary"] = "Accept"
    return response


@get("/schema/openapi.json", name="openapi", sync_to_thread=False)
def openapi_json(request: AnyRequest) -> Response[bytes]:
    """The contract (openapi/openapi.json)."""
    return Response(request.app.state.contract, media_type="application/vnd.oai.openapi+json")


@get("/schema", name="docs", sync_to_thread=False)
def docs() -> Response[str]:
    """The contract as browsable docs (Swagger UI, served by the service itself)."""
    return Response(page.DOCS_PAGE, media_type="text/html")


@get("/metrics", name="metrics", sync_to_thread=False)
def prometheus() -> Response[bytes]:
    """Prometheus exposition of this process (or of every worker)."""
    return Response(metrics.exposition(), media_type=metrics.MEDIA_TYPE)


# Each route's own errors; the contract adds the guards' (GUARD_ERRORS) to guarded routes and
# the edge's (openapi.EDGE_ERRORS) to every route.
_BODY_ERRORS = (400, 408, 413, 415, 422, 500)
GUARD_ERRORS = (400, 401, 429, 503)
_LIMIT_NOTE = "Bodies larger than the configured limit (64 KiB by default) get 413."


_BATCH_NOTE = (
    "1..500 items `{{id, request}}` (ids unique, 1..64 of `[A-Za-z0-9._:-]`), each answered "
    "exactly as `{single}` answers it, in request order: `{{id, status, answer}}` or "
    "`{{id, status, problem}}`, then `counts` by status. With `Content-Type: "
    "application/x-ndjson`, one item a line in and one result a line out as each is priced, "
    'then `{{"done": true, "items": n, "counts": ...}}`; no item limit, each line within '
    "the single request's body limit. Each item counts against the rate limit as one request: "
    "items past it get a 429 result with `retry_after`, and the rest are not priced. A JSON "
    "batch's body may be up to 4 MiB (MAX_BATCH_BODY_BYTES)."
)


class Route(msgspec.Struct, frozen=True, kw_only=True):
    """One endpoint: its handler, its link on the index, its place in the contract, and
    whether the guards (keys, rate limits, shedding, the body deadline) apply to it."""

    handler: BaseRouteHandler
    link: str | None = None
    operation: Operation | None = None
    guarded: bool = True

    @property
    def path(self) -> str:
        return next(iter(self.handler.paths))


ROUTES = (
    Route(
        handler=evaluate, link="evaluate",
        operation=Operation(
            method="post",
            summary="The funnel effect of a CRM",
            description="Projects every funnel stage, the revenue before and after, and the "
            "monthly gain, with the trace of every step. " + _LIMIT_NOTE,
            request="EvaluateRequest", answer="EvaluateResponse", errors=_BODY_ERRORS,
            summary_answer="EvaluateSummary",
            request_examples={"seed": examples.SEED_EVALUATE},
        ),
    ),
    Route(
        handler=payback, link="payback",
        operation=Operation(
            method="post",
            summary="Payback, NPV, ROI and IRR of the investment",
            description="Give the benefit as `benefits` lines, or exactly one of "
            "`monthly_benefit` or `evaluation` (with an optional `productivity`), or a "
            "`schedule`. Add `solve` to find the value of one field at which NPV, ROI or "
            "payback meets a target; add `uncertainty` (ranges for any of the fields solve may "
            "vary) for the distribution of NPV, ROI and payback and the chance of paying back. "
            "With `Accept: application/pdf`, the business case as an A4 document of at most two "
            "pages, in the language of Accept-Language; errors stay problems. " + _LIMIT_NOTE,
            request="PaybackRequest", answer="PaybackResponse", errors=(*_BODY_ERRORS, 406),
            summary_answer="PaybackSummary", documents=(pdf.PDF,),
            request_examples={
                "seed": examples.SEED_PAYBACK,
                "seed_with_evaluation": examples.SEED_PAYBACK_WITH_EVALUATION,
                "partner_quote": examples.PARTNER_QUOTE,
                "partner_quote_how_sure": examples.PARTNER_QUOTE_RANGES,
            },
        ),
    ),
    Route(
        handler=batch.evaluate_batch, link="evaluate_batch",
        operation=Operation(
            method="post",
            summary="Many /evaluate requests in one call",
            description=_BATCH_NOTE.format(single="/evaluate"),
            request="EvaluateBatch", answer="EvaluateBatchAnswer", errors=_BODY_ERRORS,
            request_examples={"two": {"items": [
                {"id": "quote-17", "request": examples.SEED_EVALUATE},
                {"id": "quote-18", "request": {**examples.SEED_EVALUATE,
                                               "average_deal_value_uplift": 0.1}},
            ]}},
        ),
    ),
    Route(
        handler=batch.payback_batch, link="payback_batch",
        operation=Operation(
            method="post",
            summary="Many /payback requests in one call",
            description=_BATCH_NOTE.format(single="/payback"),
            request="PaybackBatch", answer="PaybackBatchAnswer", errors=_BODY_ERRORS,
            request_examples={"quote_and_seed": {"items": [
                {"id": "quote-17", "request": examples.PARTNER_QUOTE},
                {"id": "seed", "request": examples.SEED_PAYBACK},
            ]}},
        ),
    ),
    # Probes and scrapes are never limited or shed: an overloaded instance must still say so.
    Route(
        handler=healthz, link="health", guarded=False,
        operation=Operation(summary="Liveness", description="200 while the process answers.",
                            answer="Health", errors=(500,)),
    ),
    Route(
        handler=readyz, link="ready", guarded=False,
        operation=Operation(
            summary="Readiness", description="200 when the instance takes traffic, 503 while "
            "it drains.", answer="Health", errors=(500, 503),
        ),
    ),
    Route(
        handler=index,
        operation=Operation(
            summary="Where things are",
            description="Links to the endpoints, the contract and its docs (JSON); browsers "
            "asking for text/html get the calculator page.", answer="Index",
            errors=(500,),
        ),
    ),
    Route(handler=openapi_json, link="openapi"),
    Route(handler=openapi30.openapi_30_json, link="openapi_3_0"),
    Route(handler=docs, link="docs"),
    Route(handler=prometheus, guarded=False),
    Route(handler=page.static),
    Route(handler=page.docs_asset),
)  # fmt: skip

UNGUARDED = frozenset(route.handler.name for route in ROUTES if not route.guarded)
# Routes that read their body a piece at a time while they answer (batch.py)
STREAMED = frozenset({batch.evaluate_batch.name, batch.payback_batch.name})
LINKS = {route.link: route.path for route in ROUTES if route.link}
