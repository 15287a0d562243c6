"""The raw ASGI ceiling: read the whole body, answer a fixed JSON body as large as the seed's.

No framework, no decoding, no model: what the server and the event loop cost by themselves.
The answer is the service's own encoded answer to the seed /evaluate (computed once at import),
so the bytes on the wire match the service's.
"""

from __future__ import annotations

from typing import Any

import msgspec

from service import calc, examples

ANSWER = msgspec.json.Encoder(decimal_format="number").encode(
    calc.evaluate(msgspec.convert(examples.SEED_EVALUATE, calc.EvaluateRequest), 2)
)
HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(ANSWER)).encode()),
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:  # read the body to its end, as a real handler must
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": ANSWER})
