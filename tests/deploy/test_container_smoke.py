"""The service started the way deploy/Dockerfile starts it, without a container engine.

As in the image: ``python -m service`` as the numeric non-root user 10001, from a copy of
service/ that this user cannot write, PYTHONDONTWRITEBYTECODE, and a clean environment that holds
the whole configuration. HOME and TMPDIR point at a private world-writable directory that stands
for the pod's /tmp emptyDir (so nothing is left in the machine's /tmp). Then: ready, the seed's
answer, the Prometheus exposition, and a clean exit 0 on SIGTERM within the pod's grace period.

The interpreter: the project's .venv links to a Python that user 10001 may not be able to reach
(pyenv under /root, mode 700). Then the interpreter alone (binary, libpython, standard library)
is copied to a temporary directory and a virtualenv made from it uses .venv's site-packages, so
the dependencies are still exactly the locked ones.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from service.examples import SEED_EVALUATE

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
UID = GID = 10001  # USER 10001:10001 in deploy/Dockerfile
STARTUP_S = 30  # the startupProbe's budget
GRACE_S = 25  # terminationGracePeriodSeconds (30) less the preStop sleep (5)
STDLIB_SKIP = ("test", "site-packages", "__pycache__", "idlelib", "tkinter", "turtledemo")


@dataclass
class Identity:
    """Whom the server runs as: 10001 when the tests run as root, else the current user."""

    user: int | None
    group: int | None

    def popen_kwargs(self) -> dict[str, Any]:
        if self.user is None:
            return {}
        return {"user": self.user, "group": self.group, "extra_groups": []}


def identity() -> Identity:
    if os.geteuid() == 0:
        return Identity(UID, GID)
    return Identity(None, None)


def runs_as(who: Identity, python: Path, **env: str) -> bool:
    try:
        probe = subprocess.run(
            [str(python), "-c", "import litestar, msgspec, uvicorn, uvloop, httptools"],
            env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
            cwd="/",
            capture_output=True,
            check=False,
            timeout=60,
            **who.popen_kwargs(),
        )
    except PermissionError:  # the interpreter itself is out of this user's reach
        return False
    return probe.returncode == 0


def readable_copy_of_python(into: Path) -> Path:
    """A virtualenv whose interpreter lives under ``into`` and whose packages are .venv's."""
    base = Path(sys.base_prefix)
    prefix = into / "python"
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(Path(sys.executable).resolve(), prefix / "bin" / version)
    library = sysconfig.get_config_var("INSTSONAME")
    if sysconfig.get_config_var("Py_ENABLE_SHARED") and library:
        (prefix / "lib").mkdir()
        shutil.copy2(base / "lib" / library, prefix / "lib" / library)
    shutil.copytree(
        base / "lib" / version,
        prefix / "lib" / version,
        ignore=shutil.ignore_patterns(*STDLIB_SKIP),
        symlinks=True,
    )
    (prefix / "lib" / version / "site-packages").mkdir()
    venv = into / "venv"
    subprocess.run(
        [str(prefix / "bin" / version), "-m", "venv", "--without-pip", "--symlinks", str(venv)],
        env={"LD_LIBRARY_PATH": str(prefix / "lib"), "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=120,
    )
    site_packages = venv / "lib" / version / "site-packages"
    shutil.rmtree(site_packages)
    site_packages.symlink_to(VENV / "lib" / version / "site-packages")
    return venv / "bin" / "python"


def read_only_tree(path: Path) -> None:
    """Owned by root (as in the image), readable and traversable by everyone, writable by none."""
    for entry in [path, *path.rglob("*")]:
        mode = entry.lstat().st_mode
        if stat.S_ISLNK(mode):
            continue
        read = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
        execute = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
        keep_x = stat.S_ISDIR(mode) or mode & stat.S_IXUSR
        entry.chmod(read | (execute if keep_x else 0))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Container:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    app_dir: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str) -> tuple[int, str, bytes]:
        with urllib.request.urlopen(self.url + path, timeout=5) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()


@pytest.fixture(scope="module")
def image_root() -> Iterator[Path]:
    """A scratch "image" directory that user 10001 can traverse (pytest's own tmp is 0700)."""
    root = Path(tempfile.mkdtemp(prefix="roi-image-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        for entry in [root, *root.rglob("*")]:
            if not entry.is_symlink():
                entry.chmod(entry.lstat().st_mode | stat.S_IWUSR)
        shutil.rmtree(root)


@pytest.fixture(scope="module")
def interpreter(image_root: Path) -> tuple[Path, dict[str, str]]:
    """The python user 10001 runs, and the environment it needs for that."""
    python = VENV / "bin" / "python"
    if runs_as(identity(), python):
        return python, {}
    runtime = image_root / "runtime"
    python = readable_copy_of_python(runtime)
    read_only_tree(runtime)
    # The copied binary's RUNPATH still names the original prefix.
    library_path = {"LD_LIBRARY_PATH": str(runtime / "python" / "lib")}
    assert runs_as(identity(), python, **library_path), f"user {UID} cannot run {python}"
    return python, library_path


@pytest.fixture(scope="module", params=[1, 2], ids=["workers-1", "workers-2"])
def container(
    image_root: Path, interpreter: tuple[Path, dict[str, str]], request: pytest.FixtureRequest
) -> Iterator[Container]:
    """One worker, as the pods run; two, as `docker run -e WORKERS=2` would (the metrics of
    several workers live under /tmp, the only writable path)."""
    who = identity()
    python, library_path = interpreter
    workers: int = request.param
    root = image_root / f"workers-{workers}"
    root.mkdir(mode=0o755)

    # COPY service/ /app/service/: the code only, owned by root, read-only to the service.
    app_dir = root / "app"
    shutil.copytree(
        ROOT / "service", app_dir / "service", ignore=shutil.ignore_patterns("__pycache__")
    )
    read_only_tree(app_dir)

    # The container's own /tmp (an emptyDir in the pod): world-writable and sticky, like /tmp.
    tmp = root / "tmp"
    tmp.mkdir()
    tmp.chmod(0o1777)

    port = free_port()
    # Only the image's ENV lines and the settings: nothing inherited from this test process.
    environ = {
        "PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": str(app_dir),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "HOME": str(tmp),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "HOST": "127.0.0.1",  # 0.0.0.0 in the image; a test listens on loopback only
        "PORT": str(port),
        "WORKERS": str(workers),
        "LOG_LEVEL": "info",
        "LOG_FORMAT": "json",
        **library_path,
    }
    log_path = root / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(python), "-m", "service"],  # ENTRYPOINT ["python", "-m", "service"]
            cwd=app_dir,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            **who.popen_kwargs(),
        )
    server = Container(f"http://127.0.0.1:{port}", process, log_path, app_dir)
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited early ({process.returncode}):\n{server.log()}")
            try:
                if server.get("/readyz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"not ready in {STARTUP_S} s:\n{server.log()}")
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_ready_and_alive(container: Container) -> None:
    assert container.get("/readyz")[0] == 200
    assert container.get("/healthz")[0] == 200


def test_seed(container: Container) -> None:
    request = urllib.request.Request(
        container.url + "/evaluate",
        data=json.dumps(SEED_EVALUATE).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200
        assert json.loads(answer.read())["monthly_gain"] == 19082


def test_metrics(container: Container) -> None:
    try:
        status, content_type, body = container.get("/metrics")
    except urllib.error.HTTPError as error:
        status, content_type, body = error.code, "", b""
    assert status == 200, "GET /metrics (the Prometheus exposition) must answer 200"
    assert content_type.startswith("text/plain")
    assert b"# TYPE " in body


def test_sigterm_exits_cleanly(container: Container) -> None:
    """Runs last in this module: it stops the server."""
    container.process.send_signal(signal.SIGTERM)
    try:
        code = container.process.wait(timeout=GRACE_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {GRACE_S} s after SIGTERM:\n{container.log()}")
    assert code == 0, container.log()
    # JSON logs, one object a line, and nothing written beside the code.
    lines = [line for line in container.log().splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert isinstance(json.loads(line), dict), line
    assert not list(container.app_dir.rglob("__pycache__"))
