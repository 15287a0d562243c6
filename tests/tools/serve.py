"""Run a command against a fresh ``python -m service`` on a free loopback port.

    python -m tests.tools.serve [ENV=VALUE ...] -- COMMAND ... {url} ...

``{url}`` in the command becomes the server's base URL. The server is stopped with SIGTERM
afterwards; the exit status is the command's.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import running_server


def main(argv: list[str]) -> int:
    split = argv.index("--")
    env = dict(item.split("=", 1) for item in argv[:split])
    command = argv[split + 1 :]
    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp), **env) as server:
        run = subprocess.run([part.replace("{url}", server.url) for part in command], check=False)
        return run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
