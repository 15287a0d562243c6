"""RFC 9457 problem details: the one error format of every non-2xx answer."""

from __future__ import annotations

import re
from http import HTTPStatus

import msgspec

from service.calc import Violation

MEDIA_TYPE = "application/problem+json"


class ProblemType(msgspec.Struct, frozen=True):
    """A stable kind of problem: its ``type`` URI (relative to the service) and ``title``."""

    slug: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        return f"/problems/{self.slug}"


PROBLEM_TYPES = {
    problem.slug: problem
    for problem in (
        ProblemType("invalid-json", 400, "The body is not valid JSON",
                    "The request body could not be parsed as JSON (malformed, truncated, empty, "
                    "or not UTF-8)."),
        ProblemType("schema-violation", 400, "The body does not match the schema",
                    "The JSON is well formed but a field is missing, unknown, of the wrong type "
                    "or out of its documented range. `errors[].pointer` names the field."),
        ProblemType("model-rejected", 422, "The model cannot evaluate this request",
                    "The request matches the schema but makes no sense to the model: counts that "
                    "grow down the funnel, a conversion above 100 %, a ramp-up longer than the "
                    "horizon, an unknown currency. `errors[].pointer` names the field."),
        ProblemType("unsupported-media-type", 415, "The body must be JSON",
                    "Send `Content-Type: application/json`."),
        ProblemType("body-too-large", 413, "The body is too large",
                    "The request body is larger than the documented limit."),
        ProblemType("not-found", 404, "No such resource", "There is nothing at this path."),
        ProblemType("not-acceptable", 406, "Not acceptable",
                    "The `Accept` header allows none of the path's answers: `/payback` answers "
                    "`application/json` (the default) or `application/pdf`."),
        ProblemType("method-not-allowed", 405, "Method not allowed",
                    "This path does not answer this method; the `Allow` header lists those it "
                    "does."),
        ProblemType("bad-request", 400, "Bad request", "The request is malformed."),
        ProblemType("invalid-api-key", 401, "Invalid API key",
                    "The X-API-Key header does not hold a valid partner key. Omit it to call "
                    "as an anonymous client."),
        ProblemType("origin-not-allowed", 403, "Origin not allowed",
                    "This browser origin is not among the service's allowed CORS origins."),
        ProblemType("body-timeout", 408, "The body arrived too slowly",
                    "The request body did not arrive in full within the time limit."),
        ProblemType("rate-limited", 429, "Too many requests",
                    "The client's rate limit is used up; retry after `Retry-After` seconds."),
        ProblemType("overloaded", 503, "Overloaded",
                    "The instance is at capacity; retry after `Retry-After` seconds."),
        ProblemType("internal-error", 500, "Internal error",
                    "Something failed on our side. Quote the request id when you report it."),
        ProblemType("not-ready", 503, "Not ready",
                    "The instance is starting or draining; retry on another instance."),
        ProblemType("head-timeout", 408, "The request head arrived too slowly",
                    "The request line and headers did not arrive in full within the time limit "
                    "(`HEAD_TIMEOUT_SECONDS`); the connection is closed."),
        ProblemType("uri-too-long", 414, "The request line is too long",
                    "The request line is longer than the server's limit (8 KiB)."),
        ProblemType("headers-too-large", 431, "The request headers are too large",
                    "A header line is longer than 8 KiB, or all headers together are longer "
                    "than 32 KiB."),
        ProblemType("not-implemented", 501, "Not implemented",
                    "The request uses a transfer coding other than `chunked`."),
        ProblemType("http-version-not-supported", 505, "HTTP version not supported",
                    "This server speaks HTTP/1.0 and HTTP/1.1."),
    )
}  # fmt: skip


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An RFC 9457 problem: ``type`` is stable, ``title`` is its summary, ``detail`` says what
    happened this time, ``errors`` point at the offending fields (JSON pointers, RFC 6901)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[Violation] = []


_encoder = msgspec.json.Encoder()


def problem(
    slug: str,
    detail: str,
    *,
    errors: list[Violation] | None = None,
    instance: str | None = None,
    request_id: str | None = None,
    status: int | None = None,
) -> Problem:
    """A Problem of a known kind."""
    kind = PROBLEM_TYPES[slug]
    return Problem(
        type=kind.uri,
        title=kind.title,
        status=status or kind.status,
        detail=detail,
        instance=instance,
        request_id=request_id,
        errors=errors or [],
    )


def generic(status: int, detail: str | None = None) -> Problem:
    """A Problem for a plain HTTP status with no kind of its own."""
    phrase = HTTPStatus(status).phrase
    return Problem(type="about:blank", title=phrase, status=status, detail=detail or phrase)


def encode(value: Problem) -> bytes:
    return _encoder.encode(value)


# msgspec says "Expected `float` <= 10.0 - at `$.stages[0].uplift`"; clients think in JSON.
_LOCATION = re.compile(r"^(?P<message>.*?)(?: - at `(?P<path>\$[^`]*)`)?$", re.DOTALL)
_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_FIELD = re.compile(
    r"^Object (?:missing required|contains unknown) field `(?P<name>.*)`$", re.DOTALL
)
_JSON_TYPES = {
    "`float`": "a number",
    "`int`": "an integer",
    "`str`": "a string",
    "`object`": "an object",
    "`array`": "an array",
    "`null`": "null",
    "`bool`": "a boolean",
}
_MAX_NAME_SHOWN = 64


def violation_from_validation_error(error: msgspec.ValidationError) -> Violation:
    """The JSON pointer and a JSON-worded message from a decoder's validation error."""
    match = _LOCATION.match(str(error))
    message, path = (match["message"], match["path"] or "$") if match else (str(error), "$")
    pointer = "".join("/" + (name or index) for name, index in _PATH_PART.findall(path))
    field = _FIELD.match(message)
    if field:
        name = field["name"]
        pointer += "/" + name.replace("~", "~0").replace("/", "~1")
        shown = name if len(name) <= _MAX_NAME_SHOWN else name[:_MAX_NAME_SHOWN] + "…"
        if message.startswith("Object missing"):
            message = f"the required field {shown!r} is missing"
        else:
            message = f"unknown field {shown!r}; see the schema for the fields this object takes"
    else:
        message = message.replace("`float` that's a multiple of 1.0", "an integer")
        for python, json in _JSON_TYPES.items():
            message = message.replace(python, json)
        message = message.replace("Expected", "expected", 1)
        if message == "Number out of range":
            message = "number out of range"
    return Violation(pointer=pointer, detail=message)
