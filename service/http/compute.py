"""The two computations, strict decode, one call of the model, encode, as every caller of
them shares them: the single calls (routes.py), the batches' items (batch.py) and the
documents made of their answers."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio

from service import calc
from service.currency import minor_unit
from service.http import bodies, problems, views
from service.http.errors import Refused
from service.http.views import View

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    Scope = MutableMapping[str, Any]

# A /payback body that may ask for samples (calc's uncertainty), priced in a worker thread; a
# name that merely contains the word only costs a thread hop.
SAMPLES_ASKED = b'"uncertainty"'
SAMPLING = threading.Lock()  # one pricing of samples at a time per worker: its memory
SAMPLING_THREAD = anyio.CapacityLimiter(1)  # the single calls' and documents' thread for them
Compute = Callable[[bytes, str, View], bytes]


def evaluate_answer(body: bytes, language: str, view: View = "full") -> bytes:
    funnel = bodies.evaluate_request(body)
    answer = calc.evaluate(funnel, minor_unit(funnel.currency), language)
    return bodies.encode(answer if view == "full" else views.evaluate_summary(answer))


def payback_answer(body: bytes, language: str, view: View = "full") -> bytes:
    investment = bodies.payback_request(body)
    answer = calc.payback(investment, minor_unit(investment.currency), language)
    return bodies.encode(answer if view == "full" else views.payback_summary(answer))


def answer_of(compute: Compute, body: bytes, language: str, view: View) -> Awaitable[bytes]:
    """``compute``'s answer; a body that may ask for samples (tens to hundreds of ms) in a
    worker thread, so that probes and small requests are answered meanwhile."""
    if compute is payback_answer and SAMPLES_ASKED in body:
        return sampled(answer_in_thread, compute, body, language, view)
    return _ready(compute(body, language, view))


def sampled(function: Callable[..., bytes], *args: Any) -> Awaitable[bytes]:
    """``function(*args)`` in a worker thread, one such call at a time per worker, waiting on
    the event loop rather than in a thread of its own: each thread keeps its own malloc arena,
    and four threads pricing the largest requests in turn held 95 MiB more than one (40)."""
    return anyio.to_thread.run_sync(function, *args, limiter=SAMPLING_THREAD)


def answer_in_thread(compute: Compute, body: bytes, language: str, view: View) -> bytes:
    """``compute``'s answer, off the event loop: requests that ask for samples one at a time
    per worker (SAMPLING), so that memory stays that of one."""
    if compute is payback_answer and SAMPLES_ASKED in body:
        with SAMPLING:
            return compute(body, language, view)
    return compute(body, language, view)


async def _ready(answer: bytes) -> bytes:
    return answer


def language_of(headers: dict[bytes, bytes]) -> str:
    wanted = headers.get(b"accept-language")
    return "en" if wanted is None else bodies.content_language(wanted.decode("latin-1"))


def requested_view(scope: Scope) -> View:
    """``?view=full`` (the default) or ``?view=summary``; any other query is a 400."""
    view = views.view_of(scope.get("query_string", b""))
    if view is None:
        detail = "the only query parameter is view, full (the default) or summary"
        raise Refused(problems.problem("bad-request", detail))
    return view
