"""The bulk pricing (service/calc/bulk.py) against the exact model: random requests of every
shape, random fields set to random values, priced both ways (roi-model.md, "Each sample": each
sample's NPV within 10^-9 of its magnitude plus one minor unit per period)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import msgspec
import numpy as np
from hypothesis import assume, event, given
from hypothesis import strategies as st

from service.calc import ModelError, PaybackRequest, payback
from service.calc.bulk import price_samples
from service.calc.fields import Field, locate, variable_pointers, with_value

from .shapes import EXAMPLES, requests
from .test_solve import current, grid_value

SAMPLES = 3


def exact_npv(request: PaybackRequest, paths: list[tuple[str | int, ...]], row: Any) -> Decimal:
    changed: Any = request
    for path, value in zip(paths, row, strict=True):
        changed = with_value(changed, path, float(value))
    return payback(changed, 2).npv


def values_near(draw: st.DrawFn, body: dict[str, Any], field: Field, pointer: str) -> float:
    own = current(body, pointer) or 0.0
    if field.grid == "whole":
        return grid_value(own + draw(st.integers(-5, 5)), field)
    if field.grid == "fine":
        return grid_value(own + draw(st.floats(-0.3, 0.3)), field)
    return grid_value(own * draw(st.floats(0, 2.5)) + draw(st.floats(0, 1000)), field)


@given(data=st.data(), body=st.one_of(requests(), st.sampled_from(list(EXAMPLES.values()))))
def test_every_sample_is_the_exact_model_at_its_inputs(
    data: st.DataObject, body: dict[str, Any]
) -> None:
    request = msgspec.convert(body, PaybackRequest)
    pointers = variable_pointers(request)
    chosen = data.draw(st.lists(st.sampled_from(pointers), min_size=1, max_size=4, unique=True))
    fields = [locate(request, p) for p in chosen]
    assert all(isinstance(f, Field) for f in fields)
    paths = [f.path for f in fields]  # type: ignore[union-attr]
    rows = [
        [values_near(data.draw, body, f, p) for f, p in zip(fields, chosen, strict=True)]  # type: ignore[arg-type]
        for _ in range(SAMPLES)
    ]
    try:
        expected = [exact_npv(request, paths, row) for row in rows]
    except ModelError:  # a drawn uplift past a 100 % conversion: the truncation keeps it out
        assume(False)
    answer = payback(request, 2)
    periods = len(answer.cash_flows) - 1
    period_months = 12 if answer.period == "year" else 1
    got = price_samples(
        request, paths, np.array(rows, dtype=float),
        periods=periods, period_months=period_months, minor_unit=2,
    )  # fmt: skip
    event(f"{len(chosen)} fields, {len(answer.lines)} lines")
    for row, exact, bulk in zip(rows, expected, got.npv, strict=True):
        bound = 1e-9 * abs(float(exact)) + 0.01 * (periods + 1)
        assert math.isfinite(bulk)
        assert abs(bulk - float(exact)) <= bound, (chosen, row, float(exact), bulk)
