"""Litestar's exception handlers: every error of a request becomes an RFC 9457 problem."""

from __future__ import annotations

from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException

from service import calc
from service.http import problems
from service.http.bodies import TRUNCATED, BodyTooLarge, UnsupportedMediaType
from service.http.limits import BodyTimeout

AnyRequest = Request[Any, Any, Any]

INTERNAL_DETAIL = "The request failed; quote the request id when you report it."


class Refused(Exception):
    """A guard's refusal: the problem to answer with and the headers that go with it."""

    def __init__(self, value: problems.Problem, headers: dict[str, str] | None = None) -> None:
        super().__init__(value.detail)
        self.problem = value
        self.headers = headers


def problem_response(
    request: AnyRequest, value: problems.Problem, headers: dict[str, str] | None = None
) -> Response[bytes]:
    value.request_id = request.scope.get("state", {}).get("request_id")
    value.instance = request.scope["path"][:200]
    return Response(
        problems.encode(value),
        status_code=value.status,
        media_type=problems.MEDIA_TYPE,
        headers=headers,
    )


def problem_for(error: Exception, settings: Any) -> problems.Problem | None:  # noqa: PLR0911  a table
    """The problem for an error of the request itself; None for anything else (a 500)."""
    if isinstance(error, msgspec.ValidationError):
        violation = problems.violation_from_validation_error(error)
        where = violation.pointer or "the body"
        return problems.problem(
            "schema-violation", f"{where}: {violation.detail}", errors=[violation]
        )
    if isinstance(error, msgspec.DecodeError):
        message = str(error)
        if message == TRUNCATED:
            message = "the body is empty or ends too early; send one JSON object"
        return problems.problem("invalid-json", message)
    if isinstance(error, calc.ConflictError):
        return problems.problem("schema-violation", str(error), errors=[error.violation])
    if isinstance(error, calc.ModelError):
        detail = "; ".join(f"{v.pointer}: {v.detail}" for v in error.violations)
        return problems.problem("model-rejected", detail, errors=error.violations)
    if isinstance(error, UnsupportedMediaType):
        got = error.content_type or "no Content-Type"
        return problems.problem(
            "unsupported-media-type", f"got {got[:100]!r}; send Content-Type: application/json"
        )
    if isinstance(error, BodyTooLarge):
        limit = settings.max_body_bytes
        return problems.problem("body-too-large", f"the body may be at most {limit} bytes")
    if isinstance(error, BodyTimeout):
        detail = f"the body took over {settings.body_timeout_seconds:g} s to arrive"
        return problems.problem("body-timeout", detail)
    return None


def on_request_error(request: AnyRequest, error: Exception) -> Response[bytes]:
    if isinstance(error, Refused):
        return problem_response(request, error.problem, error.headers)
    value = problem_for(error, request.app.state.settings)
    return on_unexpected(request, error) if value is None else problem_response(request, value)


_SLUG_BY_STATUS = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "body-too-large",
    503: "not-ready",
}


def on_http_exception(request: AnyRequest, error: HTTPException) -> Response[bytes]:
    """Litestar's own refusals (404 and 405 from its router, 503 from /readyz) as problems."""
    status = error.status_code
    slug = _SLUG_BY_STATUS.get(status)
    if slug == "body-too-large":
        value = problem_for(BodyTooLarge(), request.app.state.settings)
        assert value is not None  # noqa: S101  a table entry above
    elif slug == "not-found":
        value = problems.problem(slug, f"nothing at {request.scope['path'][:200]!r}; see GET /")
    elif slug == "method-not-allowed":
        value = problems.problem(slug, f"{request.method} is not allowed here")
    elif slug is not None:
        value = problems.problem(slug, str(error.detail))
    else:
        value = problems.generic(status)
    return problem_response(request, value, headers=error.headers)


def on_unexpected(request: AnyRequest, error: Exception) -> Response[bytes]:
    # The traceback goes to the log (with the request id the Application bound); the client
    # gets none of it.
    structlog.get_logger("roi_service").error("unhandled error", exc_info=error)
    return problem_response(request, problems.problem("internal-error", INTERNAL_DETAIL))


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    msgspec.DecodeError: on_request_error,  # ValidationError is a DecodeError
    calc.ConflictError: on_request_error,
    calc.ModelError: on_request_error,
    UnsupportedMediaType: on_request_error,
    BodyTooLarge: on_request_error,
    BodyTimeout: on_request_error,
    Refused: on_request_error,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
