"""Imports run downward (docs: house style): ``http`` and ``ops`` above ``calc``, the settings at
the bottom."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"


def service_imports(path: Path) -> set[str]:
    """The modules of ``service`` that ``path`` imports (at run time or for the type checker)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(name for name in names if name == "service" or name.startswith("service."))
    return found


def test_the_settings_import_nothing_of_the_service() -> None:
    """settings.py once imported http/security.py to parse CORS origins and proxies."""
    assert service_imports(SERVICE / "settings.py") == set()


def test_ops_imports_nothing_of_http() -> None:
    for path in (SERVICE / "ops").glob("*.py"):
        assert not {name for name in service_imports(path) if name.startswith("service.http")}, path
