"""A partner's view: a Python client generated from the committed contract, cleanly, works
against the running service."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.examples import PARTNER_QUOTE, SEED_EVALUATE, SEED_PAYBACK_WITH_EVALUATION
from tests.conftest import ROOT, Server

CONTRACT = ROOT / "openapi" / "openapi.json"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The client package, generated into a temporary directory that is put on sys.path."""
    where = tmp_path_factory.mktemp("client")
    run = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(CONTRACT),
         "--output-path", str(where / "roi_client"), "--meta", "none"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    output = run.stdout + run.stderr
    assert "Warning" not in output and "Error" not in output, output
    sys.path.insert(0, str(where))
    yield "roi_client"
    sys.path.remove(str(where))
    for name in [m for m in sys.modules if m == "roi_client" or m.startswith("roi_client.")]:
        del sys.modules[name]


@pytest.mark.e2e
def test_the_generated_client_gets_the_seed(generated: str, live_server: Server) -> None:
    client_module = importlib.import_module(f"{generated}.client")
    models = importlib.import_module(f"{generated}.models")
    evaluate = importlib.import_module(f"{generated}.api.default.evaluate")
    payback = importlib.import_module(f"{generated}.api.default.payback")
    client = client_module.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    with client:
        answer = evaluate.sync(client=client, body=models.EvaluateRequest.from_dict(SEED_EVALUATE))
        assert isinstance(answer, models.EvaluateResponse)
        assert answer.monthly_gain == 19082
        assert [stage.projected for stage in answer.stages] == [10300, 661, 463]
        body = models.PaybackRequest.from_dict(SEED_PAYBACK_WITH_EVALUATION)
        investment = payback.sync(client=client, body=body)
        assert isinstance(investment, models.PaybackResponse)
        assert round(investment.payback_months, 2) == 0.79
        assert investment.npv == 213984
        # a partner's quote in lines: the tagged benefit lines and the solution round-trip
        quote = payback.sync(client=client, body=models.PaybackRequest.from_dict(PARTNER_QUOTE))
        assert isinstance(quote, models.PaybackResponse)
        assert [line.kind for line in quote.lines][-1] == "per_seat"
        assert quote.solution.pointer == "/costs/per_seat/0/price_per_seat"
        problem = evaluate.sync(
            client=client,
            body=models.EvaluateRequest.from_dict({**SEED_EVALUATE, "currency": "XAU"}),
        )
        assert isinstance(problem, models.Problem)
        assert problem.status == 422
