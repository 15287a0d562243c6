"""A TypeScript partner's view: clients/typescript/schema.d.ts is what openapi-typescript makes of
the committed contract (with --default-non-nullable=false), and with it the seed's requests and
the partner quote compile as openapi-fetch request bodies under tsc --strict.

Why the option: by default openapi-typescript makes every field with a ``default`` required,
in requests too (openapi-typescript issue #2012), so the seed does not compile; the last test
holds that, and says when the default can be used instead. ``make ts-tools`` installs the
locked tools (npm ci); ``make test`` runs it first.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from service.examples import PARTNER_QUOTE, PARTNER_QUOTE_RANGES, SEED_EVALUATE, SEED_PAYBACK
from tests.conftest import ROOT

CLIENT = ROOT / "clients" / "typescript"
BIN = CLIENT / "node_modules" / ".bin"
CONTRACT = ROOT / "openapi" / "openapi.json"
OPTIONS = ["--default-non-nullable=false"]  # as in the Makefile's typescript target


@pytest.fixture(autouse=True)
def _tools() -> None:
    assert (BIN / "tsc").exists(), "run 'make ts-tools' (npm ci in clients/typescript)"


def generate(where: Path, options: list[str]) -> Path:
    out = where / "schema.d.ts"
    run = subprocess.run(
        [str(BIN / "openapi-typescript"), str(CONTRACT), *options, "-o", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def calls(schema: Path) -> str:
    """openapi-fetch calls with the examples as literal bodies (so literal types stay literal)."""

    def body(value: Any) -> str:
        return json.dumps(value, indent=1)

    return f"""
import createClient from "openapi-fetch";
import type {{ components, paths }} from "{schema.with_suffix("").with_suffix("")}";

const client = createClient<paths>({{ baseUrl: "http://127.0.0.1:8000" }});

export async function seedAndQuote(): Promise<void> {{
  await client.POST("/evaluate", {{ body: {body(SEED_EVALUATE)} }});
  await client.POST("/payback", {{ body: {body(SEED_PAYBACK)} }});
  await client.POST("/payback", {{ body: {body(PARTNER_QUOTE)} }});
  await client.POST("/payback", {{ body: {body(PARTNER_QUOTE_RANGES)} }});
}}

// answer fields are present, not optional (a field with a default is not made optional)
type Schemas = components["schemas"];
export const gain = (answer: Schemas["EvaluateResponse"]): number => answer.monthly_gain;
export const scenarios = (answer: Schemas["EvaluateResponse"]): unknown[] => answer.scenarios;
export const npv = (answer: Schemas["PaybackResponse"]): number => answer.npv;
export const model = (answer: Schemas["PaybackResponse"]): string => answer.model_version;
"""


def compile_calls(where: Path, schema: Path) -> subprocess.CompletedProcess[str]:
    (where / "calls.ts").write_text(calls(schema))
    fetch = CLIENT / "node_modules" / "openapi-fetch"
    config = {
        "compilerOptions": {
            "strict": True, "noEmit": True, "target": "es2022", "module": "esnext",
            "moduleResolution": "bundler", "lib": ["es2022", "dom"], "skipLibCheck": True,
            "paths": {"openapi-fetch": [str(fetch)]},
        },
        "files": ["calls.ts"],
    }  # fmt: skip
    (where / "tsconfig.json").write_text(json.dumps(config))
    return subprocess.run(
        [str(BIN / "tsc"), "-p", str(where)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_committed_types_are_what_openapi_typescript_makes(tmp_path: Path) -> None:
    generated = generate(tmp_path, OPTIONS)
    committed = CLIENT / "schema.d.ts"
    assert committed.read_text() == generated.read_text(), "run 'make openapi' and commit"


def test_the_seed_and_the_partner_quote_compile_with_the_committed_types(tmp_path: Path) -> None:
    run = compile_calls(tmp_path, CLIENT / "schema.d.ts")
    assert run.returncode == 0, run.stdout + run.stderr


def test_with_the_default_options_the_seed_does_not_compile(tmp_path: Path) -> None:
    """openapi-typescript issue #2012: when this fails, the defaults have caught up."""
    run = compile_calls(tmp_path, generate(tmp_path, []))
    assert run.returncode != 0
    assert "rounding" in run.stdout or "gross_margin" in run.stdout, run.stdout
