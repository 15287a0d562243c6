"""End-to-end fixtures: ``service_url``, a real ``python -m service`` process on a free port.

Override ``service_env`` (module scope) to start the server with other settings, e.g.::

    @pytest.fixture(scope="module")
    def service_env() -> dict[str, str]:
        return {"MAX_BODY_BYTES": "2048"}
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import running_server


@pytest.fixture(scope="module")
def service_env() -> dict[str, str]:
    """Extra environment for the server process; empty: the built-in defaults."""
    return {}


@pytest.fixture(scope="module")
def service_url(
    service_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT``, no trailing slash) of a running service,
    ready (``/readyz`` answered 200); stopped with SIGTERM after the module's tests."""
    with running_server(tmp_path_factory.mktemp("service"), **service_env) as server:
        yield server.url
