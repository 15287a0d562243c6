"""The names of uvicorn's internals that the service uses still exist in the installed uvicorn.

service/http/server.py subclasses uvicorn's ``HttpToolsProtocol``: it reads the attributes the
parent sets, calls and overrides its methods (some private), and writes its status lines. None of
that is uvicorn's public API, so a new uvicorn may rename any of it; an override whose parent
method was renamed is silently never called. This test fails with the missing names, and a
second one fails when server.py starts to use a name that the lists here do not hold.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http import httptools_impl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from service.http.problems import PROBLEM_TYPES
from tests.api.test_edge_protocol import Transport

SERVER_PY = Path(__file__).resolve().parents[2] / "service" / "http" / "server.py"

# What server.py imports from uvicorn, module by module.
IMPORTS = {
    "uvicorn.protocols.http.httptools_impl": {"STATUS_LINE", "HttpToolsProtocol"},
    "uvicorn.config": {"Config"},
    "uvicorn.server": {"ServerState"},
}
# HttpToolsProtocol.__init__'s parameters, which EdgeProtocol.__init__ repeats and passes on.
PARENT_PARAMETERS = ["self", "config", "server_state", "app_state", "_loop"]
# The parent's methods EdgeProtocol overrides (most of them call the parent's too).
OVERRIDES = {
    "connection_made", "connection_lost", "data_received", "pause_writing", "resume_writing",
    "on_message_begin", "on_headers_complete", "on_response_complete", "send_400_response",
    "_unsupported_upgrade_warning",
}  # fmt: skip
# What EdgeProtocol reads or calls on ``self`` that the parent defines (``url``: EdgeProtocol
# starts it empty, the parent's on_url fills it).
INHERITED = {
    "server_state", "loop", "connections", "client", "transport", "flow", "parser", "cycle",
    "pipeline", "scope", "headers", "url", "expect_100_continue", "_unset_keepalive_if_required",
}  # fmt: skip
# What EdgeProtocol reads or sets on the request's RequestResponseCycle.
CYCLE = {"keep_alive", "response_complete", "response_started", "more_body", "disconnected",
         "message_event", "scope"}  # fmt: skip
# What it calls or reads on the parent's FlowControl.
FLOW = {"pause_reading", "resume_reading", "read_paused"}


def edge_protocol_class() -> ast.ClassDef:
    tree = ast.parse(SERVER_PY.read_text())
    (found,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "EdgeProtocol"]
    return found


def parent_after_a_request_head() -> tuple[HttpToolsProtocol, dict[str, bool]]:
    """uvicorn's own protocol (not the subclass), with a connection and two pipelined request
    heads: every attribute it sets by then is there. Also whether it has the attributes a cycle
    and its flow control have at that point, and queues a request as (cycle, app)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def main() -> tuple[HttpToolsProtocol, dict[str, bool]]:
        config = uvicorn.Config(app, log_config=None)
        config.load()
        protocol = HttpToolsProtocol(config, ServerState(), {}, _loop=asyncio.get_running_loop())
        protocol.connection_made(Transport())
        # two pipelined requests: the first is answered, the second queued as (cycle, app)
        protocol.data_received(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n" * 2)
        found = {f"cycle.{name}": hasattr(protocol.cycle, name) for name in CYCLE}
        found["pipeline[-1] == (cycle, app)"] = list(protocol.pipeline) == [
            (protocol.cycle, protocol.app)
        ]
        found |= {f"flow.{name}": hasattr(protocol.flow, name) for name in FLOW}
        found["scope['state']"] = "state" in protocol.scope
        await asyncio.gather(*protocol.tasks)  # the app answers, the cycle completes
        protocol.connection_lost(None)
        return protocol, found

    return asyncio.run(main())


def test_every_uvicorn_internal_the_edge_uses_still_exists() -> None:
    missing = [
        f"{module}.{name}"
        for module, names in IMPORTS.items()
        for name in sorted(names)
        if not hasattr(__import__(module, fromlist=[name]), name)
    ]
    parameters = list(inspect.signature(HttpToolsProtocol.__init__).parameters)
    if parameters != PARENT_PARAMETERS:
        missing.append(f"HttpToolsProtocol.__init__{tuple(PARENT_PARAMETERS)} (now {parameters})")
    missing += [
        f"HttpToolsProtocol.{name}()"
        for name in sorted(OVERRIDES)
        if not callable(getattr(HttpToolsProtocol, name, None))
    ]
    protocol, found = parent_after_a_request_head()
    missing += [
        f"HttpToolsProtocol().{name}" for name in sorted(INHERITED) if not hasattr(protocol, name)
    ]
    missing += [name for name, there in sorted(found.items()) if not there]
    assert missing == []


def test_uvicorn_has_a_status_line_for_every_refusal() -> None:
    for status in {problem.status for problem in PROBLEM_TYPES.values()}:
        assert httptools_impl.STATUS_LINE[status].startswith(b"HTTP/1.1 %d " % status)


def test_the_lists_above_hold_every_uvicorn_name_server_py_uses() -> None:
    """server.py reads a new attribute of the parent, or overrides another of its methods: it
    goes into the lists, so that the test above watches it too."""
    imported = {
        node.module: {alias.name for alias in node.names}
        for node in ast.walk(ast.parse(SERVER_PY.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("uvicorn")
    }
    assert imported == IMPORTS

    protocol = edge_protocol_class()
    methods = {node.name for node in protocol.body if isinstance(node, ast.FunctionDef)}
    assert {name for name in methods if hasattr(HttpToolsProtocol, name)} - {"__init__"} == (
        OVERRIDES
    )

    (init,) = [node for node in protocol.body
               if isinstance(node, ast.FunctionDef) and node.name == "__init__"]  # fmt: skip
    own = {  # what EdgeProtocol.__init__ sets: self.name = ... or self.name: type = ...
        target.attr
        for node in ast.walk(init)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute) and _is_self(target.value)
    }
    used: dict[str, set[str]] = {"self": set(), "cycle": set(), "flow": set()}
    for node in ast.walk(protocol):
        if not isinstance(node, ast.Attribute):
            continue
        if _is_self(node.value):  # self.name
            used["self"].add(node.attr)
        elif isinstance(node.value, ast.Attribute) and _is_self(node.value.value):
            used.setdefault(node.value.attr, set()).add(node.attr)  # self.cycle.name
        elif isinstance(node.value, ast.Name) and node.value.id == "cycle":  # cycle = self.cycle
            used["cycle"].add(node.attr)
    assert used["self"] - methods - own <= INHERITED
    assert used["cycle"] <= CYCLE
    assert used["flow"] <= FLOW


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def test_the_uvicorn_server_hooks_of_python_m_service_still_exist() -> None:
    """service/__main__.py overrides two methods of uvicorn.Server and passes these options."""
    assert callable(getattr(uvicorn.Server, "capture_signals", None))
    assert list(inspect.signature(uvicorn.Server.handle_exit).parameters) == [
        "self", "sig", "frame",
    ]  # fmt: skip
    options = {"host", "port", "loop", "http", "ws", "proxy_headers", "log_config", "access_log",
               "server_header", "timeout_graceful_shutdown", "factory", "workers",
               "timeout_worker_healthcheck"}  # fmt: skip
    assert options <= set(inspect.signature(uvicorn.Config).parameters)
