"""/payback as a document: ``Accept: application/pdf`` answers the business case as a PDF
(service/document/). JSON stays the default: no Accept, ``*/*`` and ``application/*`` get it;
an Accept that allows neither gets 406 (a problem, like every error)."""

from __future__ import annotations

import anyio
from litestar.exceptions import HTTPException

from service import calc, document
from service.currency import minor_unit
from service.http import bodies, compute
from service.http.bodies import JSON

PDF = document.MEDIA_TYPE
# Samples are priced in a worker thread, one at a time, as for the JSON answer (routes.py).


def negotiate(headers: dict[bytes, bytes]) -> str:
    """JSON or PDF, whichever Accept prefers (q-values; the more specific range wins; a tie
    goes to JSON); 406 when it allows neither. RFC 9110, 12.5.1."""
    accept = headers.get(b"accept")
    if accept is None or not accept.strip():
        return JSON
    best = {JSON: (-1, 0.0), PDF: (-1, 0.0)}  # (specificity, q) of the most specific range
    for part in accept.decode("latin-1")[:1000].split(",")[:40]:
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        kind = media.partition("/")[0]
        for offered in best:
            if media == offered:
                specificity = 2
            elif media == f"{kind}/*" and offered.startswith(f"{kind}/"):
                specificity = 1
            elif media == "*/*":
                specificity = 0
            else:
                continue
            if specificity > best[offered][0]:
                best[offered] = (specificity, q)
    json_q, pdf_q = best[JSON][1], best[PDF][1]
    if json_q <= 0 and pdf_q <= 0:
        raise HTTPException(
            status_code=406,
            detail=f"got Accept: {accept.decode('latin-1')[:100]!r}; this answers "
            "application/json or application/pdf",
        )
    return PDF if pdf_q > json_q else JSON


def payback_pdf_now(body: bytes, language: str) -> bytes:
    """The /payback answer to ``body`` as its business case document."""
    investment = bodies.payback_request(body)
    answer = calc.payback(investment, minor_unit(investment.currency), language)
    return document.business_case(investment, answer, language)


async def payback_pdf(body: bytes, language: str) -> bytes:
    """payback_pdf_now in a worker thread (a document takes tens of ms to lay out: the event
    loop answers others meanwhile); requests that ask for samples one at a time per worker, as
    the JSON answers (compute.SAMPLING)."""
    if compute.SAMPLES_ASKED in body:
        return await compute.sampled(_in_thread, body, language)
    return await anyio.to_thread.run_sync(_in_thread, body, language)


def _in_thread(body: bytes, language: str) -> bytes:
    if compute.SAMPLES_ASKED in body:
        with compute.SAMPLING:
            return payback_pdf_now(body, language)
    return payback_pdf_now(body, language)
