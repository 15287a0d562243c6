"""uvicorn's HTTP protocol, with its own 400 (a request it cannot parse) as a problem too.

Malformed request lines or headers never reach the app: uvicorn answers them itself, in plain
text. This subclass gives them the service's one error format, request id and headers.
"""

from __future__ import annotations

import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service import problems


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        request_id = os.urandom(16).hex()
        body = problems.encode(
            problems.problem(
                "bad-request",
                "the HTTP request could not be parsed",
                request_id=request_id,
            )
        )
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend(
            [
                b"content-type: application/problem+json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"x-request-id: " + request_id.encode("ascii") + b"\r\n",
                b"x-content-type-options: nosniff\r\n",
                b"referrer-policy: no-referrer\r\n",
                b"cache-control: no-store\r\n",
                b"connection: close\r\n\r\n",
            ]
        )
        self.transport.write(b"".join(head) + body)
        self.transport.close()
