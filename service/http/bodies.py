"""Request bodies: declared JSON, within the size limit and the deadline, decoded strictly.

Strictly means by msgspec against the contract's Structs: ``"count": "10"`` is a schema
violation, not the number 10 (Litestar's own conversion would accept it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from service import calc

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

JSON = "application/json"
# Money leaves as exact decimal JSON numbers (19082.00), never strings, never binary floats.
ENCODER = msgspec.json.Encoder(decimal_format="number")
EVALUATE_DECODER = msgspec.json.Decoder(calc.EvaluateRequest)
PAYBACK_DECODER = msgspec.json.Decoder(calc.PaybackRequest)
T = TypeVar("T")
TRUNCATED = "Input data was truncated"
_LONE_HIGH_SURROGATE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u)")


class UnsupportedMediaType(Exception):
    """The body is not declared as JSON."""

    def __init__(self, content_type: str) -> None:
        super().__init__(content_type)
        self.content_type = content_type


class BodyTooLarge(Exception):
    """The body is longer than the limit (declared or counted)."""


class ClientGone(Exception):
    """The client disconnected before its body arrived: nobody to answer."""


def is_json(content_type: str) -> bool:
    """application/json, with parameters or as a ``+json`` vendor type."""
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == JSON or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def read_json_body(headers: dict[bytes, bytes], receive: Receive, limit: int) -> bytes:
    """The whole body of a request that declares JSON: 415 if it does not, 413 past ``limit``
    bytes (declared or, for chunked uploads, counted), ClientGone if the client left."""
    content_type = headers.get(b"content-type", b"")
    if content_type != b"application/json" and not is_json(content_type.decode("latin-1")):
        raise UnsupportedMediaType(content_type.decode("latin-1"))
    declared = headers.get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        if not message.get("more_body", False):
            return chunk if not chunks else b"".join([*chunks, chunk])
        chunks.append(chunk)


def decode(decoder: msgspec.json.Decoder[T], body: bytes) -> T:
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
        if str(error) == TRUNCATED and _LONE_HIGH_SURROGATE.search(body):
            raise msgspec.DecodeError(
                "a string holds a \\uD800-\\uDBFF escape without the \\uDC00-\\uDFFF escape"
                " that must follow it"
            ) from None
        raise


def evaluate_request(body: bytes) -> calc.EvaluateRequest:
    """The validated /evaluate request (a DecodeError or ValidationError otherwise)."""
    return decode(EVALUATE_DECODER, body)


def payback_request(body: bytes) -> calc.PaybackRequest:
    """The decoded /payback request (the model checks the rules that span its fields, the
    schema's ``oneOf`` among them: calc/validate.py)."""
    return decode(PAYBACK_DECODER, body)


def content_language(header: str) -> str:
    """The first of our languages (en, uk) in Accept-Language by preference; English if none.
    Only the first 20 entries of the first 1,000 characters are read."""
    best, best_q = "en", -1.0
    for index, part in enumerate(header[:1000].split(",")[:20]):
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


def encode(answer: Any) -> bytes:
    return ENCODER.encode(answer)
