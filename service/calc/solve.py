"""Solve (roi-model.md, "Solve: what must be true for a target"): the value of one numeric
field, on its grid, at which NPV, ROI or payback meets a target.

The field's range is its schema bounds on its grid, narrowed to the values the model accepts
(an uplift may not lift a conversion past 100 %). The target must be met at one end of the range
and not at the other, and the measure must switch once along it (checked at nine evenly spaced
points); then bisection finds the met value next to one that is not.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from msgspec import UNSET, Struct, UnsetType
from msgspec.structs import replace

from . import cashflow
from .answers import Solution
from .errors import ModelError, Violation
from .fields import Field, locate, with_value
from .lines import (
    Case,
    Line,
    benefit_line,
    benefit_risk,
    case,
    monthly_amount,
    monthly_line,
    one_time_line,
    per_seat_line,
    schedule_line,
)
from .money import ONE, exact, round_flow
from .types import PaybackRequest
from .validate import payback_violations

SAMPLES = 8  # intervals between the points the monotonicity check looks at
NO_LINE = -1  # line_index of a field no line holds


class Figures(Struct, frozen=True):
    """The solved-for figures, as the answer gives them."""

    npv: Decimal
    roi: float | None
    payback_months: float | None


def solution(
    request: PaybackRequest, minor_unit: int, base: Case, base_factors: list[Decimal] | None
) -> Solution:
    """The grid value of ``request.solve.vary`` at which the target is met and one grid step
    further towards not meeting it is not; a ModelError at /solve/vary when there is none.
    ``base`` and ``base_factors`` are the request's case and discount factors, as payback
    priced them."""
    spec = request.solve
    assert not isinstance(spec, UnsetType)  # noqa: S101  the caller's condition
    field = locate(request, spec.vary, minor_unit)
    assert isinstance(field, Field)  # noqa: S101  validate.py checked the pointer
    step = field.step

    def candidate(k: int) -> Any:
        return with_value(request, field.path, float(k * step))

    def accepted(k: int) -> bool:
        return not payback_violations(candidate(k))

    def met(k: int) -> bool:
        return meets(
            figures(candidate(k), minor_unit, base, base_factors, field.path),
            spec.target,
            spec.value,
        )

    low, high = int(field.low / step), int(field.high / step)
    anchor = current_index(request, field, low, high)
    if not accepted(anchor):
        raise unsolvable(f"the model rejects {spec.vary} at its current value on its grid")
    low = edge(accepted, inside=anchor, outside=low)
    high = edge(accepted, inside=anchor, outside=high)
    points = sorted({low + (high - low) * i // SAMPLES for i in range(SAMPLES + 1)})
    pattern = [met(k) for k in points]
    switches = sum(a != b for a, b in itertools.pairwise(pattern))
    shown = f"[{show_grid(low, step)}, {show_grid(high, step)}]"
    if switches == 0:
        where = "at every value" if pattern[0] else "at no value"
        raise unsolvable(f"the target is met {where} of {spec.vary} in its range {shown}")
    if switches > 1:
        raise unsolvable(f"the {spec.target} is not monotone in {spec.vary} over {shown}")
    # bisect between the two sampled points where the pattern switches
    i = next(i for i in range(len(pattern) - 1) if pattern[i] != pattern[i + 1])
    below, above, met_below = points[i], points[i + 1], pattern[i]
    while above - below > 1:
        middle = (below + above) // 2
        if met(middle) == met_below:
            below = middle
        else:
            above = middle
    k = below if met_below else above
    value = figures(candidate(k), minor_unit, base, base_factors, field.path)
    return Solution(
        pointer=spec.vary,
        value=float(k * step),
        npv=value.npv,
        roi=value.roi,
        payback_months=value.payback_months,
    )


def figures(
    request: PaybackRequest,
    minor_unit: int,
    base: Case,
    base_factors: list[Decimal] | None,
    path: tuple[str | int, ...],
) -> Figures:
    """NPV, ROI and payback of a validated request (in the caller's FIFTY_DIGITS). ``base`` is
    the case of the request before the field at ``path`` changed: only the line that holds the
    field is priced again (a solve prices the request some 60 times; the heaviest request's
    20 funnel lines and 60 cost lines took 99 ms in-process priced whole each time, 35 ms
    this way; tests/unit/test_solve.py checks the figures equal a whole pricing)."""
    index = line_index(request, path)
    if index is None:
        main = case(request, minor_unit)
    elif index == NO_LINE:
        main = base
    else:
        lines = list(base.lines)
        lines[index] = line_at(request, index, minor_unit)
        main = replace(base, lines=lines)
    if index == NO_LINE:  # the discount rate changed: its factors with it
        factors = cashflow.discount_factors(
            exact(request.annual_discount_rate), len(main.lines[0].amounts), main.period_months
        )
    else:
        factors = base_factors
    value = cashflow.worth(main, factors)
    return Figures(
        npv=round_flow(value.npv, minor_unit),
        roi=cashflow.roi(value, minor_unit),
        payback_months=cashflow.months(value.payback_periods, main.period_months),
    )


def line_index(request: PaybackRequest, path: tuple[str | int, ...]) -> int | None:
    """The index among the case's lines of the one line that holds the field at ``path``; None
    when the field reaches every line (a request-wide risk, an old single-benefit field)."""
    match path:
        case ("benefits", int(j), *_):
            return j
        case ("schedule", "lines", int(k), *_):
            return k
        case ("costs", kind, int(i), *_) if request.costs is not UNSET:
            before = 0 if request.benefits is UNSET else len(request.benefits)
            for name in ("one_time", "monthly", "per_seat"):
                if name == kind:
                    return before + i
                before += len(getattr(request.costs, name))
        case ("annual_discount_rate",):
            return NO_LINE  # discounting only
    return None


def line_at(request: PaybackRequest, index: int, minor_unit: int) -> Line:
    """Line ``index`` of case(request), priced alone."""
    horizon = int(request.horizon_months)
    if request.schedule is not UNSET:
        assert request.schedule.lines is not UNSET  # noqa: S101  line_index found it there
        return schedule_line(request.schedule.lines[index], request, ONE)
    benefits = [] if request.benefits is UNSET else request.benefits
    if index < len(benefits):
        line = benefits[index]
        amount = monthly_amount(line, ONE, minor_unit)
        return benefit_line(line, amount, benefit_risk(line, request), request, horizon)
    assert request.costs is not UNSET  # noqa: S101  line_index found it there
    position = index - len(benefits)
    for items, price in (
        (request.costs.one_time, one_time_line),
        (request.costs.monthly, monthly_line),
        (request.costs.per_seat, per_seat_line),
    ):
        if position < len(items):
            return price(items[position], request, horizon)  # type: ignore[arg-type]
        position -= len(items)
    raise IndexError(index)


def meets(value: Figures, target: str, threshold: float) -> bool:
    """npv ≥ value, roi ≥ value, or payback_months ≤ value (and not null)."""
    if target == "npv":
        return value.npv >= exact(threshold)
    if target == "roi":
        return value.roi is not None and value.roi >= threshold
    return value.payback_months is not None and value.payback_months <= threshold


def edge(accepted: Any, *, inside: int, outside: int) -> int:
    """The accepted grid index furthest towards ``outside`` from ``inside`` (accepted), when
    acceptance holds on one unbroken stretch around ``inside``."""
    if accepted(outside):
        return outside
    while abs(outside - inside) > 1:
        middle = (inside + outside) // 2
        if accepted(middle):
            inside = middle
        else:
            outside = middle
    return inside


def current_index(request: PaybackRequest, field: Field, low: int, high: int) -> int:
    """The grid index nearest the field's current value (its low end when it is not given)."""
    node: Any = request
    for key in field.path:
        node = node[key] if isinstance(key, int) else getattr(node, key)
    if not isinstance(node, float | int):
        return low
    return min(high, max(low, int((exact(node) / field.step).to_integral_value())))


def show_grid(k: int, step: Decimal) -> str:
    return f"{float(k * step):g}"


def unsolvable(detail: str) -> ModelError:
    return ModelError([Violation("/solve/vary", detail)])
