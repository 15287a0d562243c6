"""The HTTP handlers: decode strictly, call the model once, encode. Errors become problems."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
import structlog
from litestar import Request, Response, get, post
from litestar.exceptions import HTTPException

from service import calc, problems
from service.currency import minor_unit
from service.limits import BodyTimeout

JSON = "application/json"
# Money leaves as exact decimal JSON numbers (19082.00), never strings, never binary floats.
ENCODER = msgspec.json.Encoder(decimal_format="number")
EVALUATE_DECODER = msgspec.json.Decoder(calc.EvaluateRequest)
PAYBACK_DECODER = msgspec.json.Decoder(calc.PaybackRequest)
T = TypeVar("T")
_TRUNCATED = "Input data was truncated"
_LONE_HIGH_SURROGATE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u)")


class Health(msgspec.Struct):
    """Liveness or readiness."""

    status: str


class UnsupportedMediaType(Exception):
    """The body is not declared as JSON."""

    def __init__(self, content_type: str) -> None:
        super().__init__(content_type)
        self.content_type = content_type


class SchemaViolation(Exception):
    """A rule of the schema the decoder cannot hold by itself (``oneOf``)."""

    def __init__(self, violation: calc.Violation) -> None:
        super().__init__(violation.detail)
        self.violation = violation


def is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == JSON or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def json_body(request: Request[Any, Any, Any]) -> bytes:
    """The raw body, once its Content-Type says JSON (415 otherwise)."""
    content_type = request.headers.get("content-type", "")
    if not is_json(content_type):
        raise UnsupportedMediaType(content_type)
    return await request.body()


def content_language(header: str) -> str:
    """The first of our languages (en, uk) in Accept-Language by preference; English if none."""
    best, best_q = "en", -1.0
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        if language not in calc.LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if q > best_q and q > 0:
            best, best_q = language, q - index * 1e-6
    return best


def _answer(result: msgspec.Struct) -> Response[bytes]:
    return Response(ENCODER.encode(result), media_type=JSON)


def _decoded(decoder: msgspec.json.Decoder[T], body: bytes) -> T:
    """``decoder.decode(body)``; bytes that are not UTF-8 inside a JSON string (which msgspec
    reports as UnicodeDecodeError) are a DecodeError like any other malformed body."""
    try:
        return decoder.decode(body)
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise msgspec.DecodeError(
            f"the body is not UTF-8: a string holds the byte 0x{byte:02x}"
        ) from None
    except msgspec.DecodeError as error:
        # msgspec calls a high surrogate escape without its low half "truncated" input.
        if str(error) == _TRUNCATED and _LONE_HIGH_SURROGATE.search(body):
            raise msgspec.DecodeError(
                "a string holds a \\uD800-\\uDBFF escape without the \\uDC00-\\uDFFF escape"
                " that must follow it"
            ) from None
        raise


def evaluate_answer(body: bytes, language: str) -> bytes:
    """POST /evaluate without the framework: raw body in, encoded answer out (or an error that
    problem_for names)."""
    funnel = _decoded(EVALUATE_DECODER, body)
    return ENCODER.encode(calc.evaluate(funnel, minor_unit(funnel.currency), language))


def payback_answer(body: bytes, language: str) -> bytes:
    """POST /payback without the framework (see evaluate_answer)."""
    investment = _decoded(PAYBACK_DECODER, body)
    conflict = calc.benefit_conflict(investment)
    if conflict is not None:  # the schema's oneOf: a 400 like any schema violation
        raise SchemaViolation(conflict)
    answer = calc.payback(investment, minor_unit(investment.currency), language)
    return ENCODER.encode(answer)


# ServiceMiddleware answers these two itself on the hot path (service/middleware.py); the
# handlers below serve the same functions through Litestar for everything else (e.g. a
# trailing slash), and keep the route table complete.
ANSWERS = {"/evaluate": evaluate_answer, "/payback": payback_answer}


async def _through_litestar(
    request: Request[Any, Any, Any], compute: Callable[[bytes, str], bytes]
) -> Response[bytes]:
    language = content_language(request.headers.get("accept-language", ""))
    body = compute(await json_body(request), language)
    return Response(body, media_type=JSON, headers={"content-language": language})


@post("/evaluate", status_code=200, name="evaluate")
async def evaluate(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The funnel effect: revenue before and after the CRM, and the monthly gain."""
    return await _through_litestar(request, evaluate_answer)


@post("/payback", status_code=200, name="payback")
async def payback(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Payback, NPV, ROI and IRR of the investment, with the monthly cash flows."""
    return await _through_litestar(request, payback_answer)


@get("/healthz", name="healthz")
async def healthz() -> Response[bytes]:
    """Liveness: the process answers."""
    return _answer(Health("ok"))


@get("/readyz", name="readyz")
async def readyz(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Readiness: 503 while the instance is draining."""
    if request.app.state.get("draining"):
        raise HTTPException(status_code=503, detail="draining")
    return _answer(Health("ready"))


# ---- errors -------------------------------------------------------------------------------


def _problem_response(
    request: Request[Any, Any, Any], value: problems.Problem, headers: dict[str, str] | None = None
) -> Response[bytes]:
    value.request_id = request.scope.get("state", {}).get("request_id")
    value.instance = request.url.path[:200]
    return Response(
        problems.encode(value),
        status_code=value.status,
        media_type=problems.MEDIA_TYPE,
        headers=headers,
    )


def problem_for(  # noqa: PLR0911  one return per kind of error, like a table
    error: Exception, *, body_timeout_seconds: float
) -> problems.Problem | None:
    """The problem for an error of the request itself; None for anything else (a 500)."""
    if isinstance(error, msgspec.ValidationError):
        violation = problems.violation_from_validation_error(error)
        where = violation.pointer or "the body"
        return problems.problem(
            "schema-violation", f"{where}: {violation.detail}", errors=[violation]
        )
    if isinstance(error, msgspec.DecodeError):
        message = str(error)
        if message == _TRUNCATED:
            message = "the body is empty or ends too early; send one JSON object"
        return problems.problem("invalid-json", message)
    if isinstance(error, SchemaViolation):
        return problems.problem("schema-violation", str(error), errors=[error.violation])
    if isinstance(error, calc.ModelError):
        detail = "; ".join(f"{v.pointer}: {v.detail}" for v in error.violations)
        return problems.problem("model-rejected", detail, errors=error.violations)
    if isinstance(error, UnsupportedMediaType):
        got = error.content_type or "no Content-Type"
        return problems.problem(
            "unsupported-media-type", f"got {got[:100]!r}; send Content-Type: application/json"
        )
    if isinstance(error, BodyTimeout):
        detail = f"the body took over {body_timeout_seconds:g} s to arrive"
        return problems.problem("body-timeout", detail)
    return None


def on_request_error(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    seconds = float(request.app.state.get("body_timeout_seconds", 0))
    value = problem_for(error, body_timeout_seconds=seconds)
    return on_unexpected(request, error) if value is None else _problem_response(request, value)


_SLUG_BY_STATUS = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    503: "not-ready",
}


def on_http_exception(request: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    status = error.status_code
    slug = _SLUG_BY_STATUS.get(status)
    if slug == "body-too-large":
        limit = request.app.state.get("max_body_bytes")
        value = problems.problem(slug, f"the body may be at most {limit} bytes")
    elif slug == "not-found":
        value = problems.problem(slug, f"nothing at {request.url.path[:200]!r}; see GET /")
    elif slug == "method-not-allowed":
        value = problems.problem(slug, f"{request.method} is not allowed here")
    elif slug is not None:
        value = problems.problem(slug, str(error.detail))
    else:
        value = problems.generic(status)
    return _problem_response(request, value, headers=error.headers)


def on_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    # The traceback goes to the log with the request id; the client gets none of it.
    structlog.get_logger("roi_service").error("unhandled error", exc_info=error)
    return _problem_response(
        request,
        problems.problem(
            "internal-error", "The request failed; quote the request id when you report it."
        ),
    )


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    msgspec.DecodeError: on_request_error,  # ValidationError is a DecodeError
    SchemaViolation: on_request_error,
    calc.ModelError: on_request_error,
    UnsupportedMediaType: on_request_error,
    BodyTimeout: on_request_error,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
