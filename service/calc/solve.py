"""Solve (roi-model.md, "Solve: what must be true for a target"): the value of one numeric
field, on its grid, at which NPV, ROI or payback meets a target.

The field's range is its schema bounds on its grid, narrowed to the values the model accepts
(an uplift may not lift a conversion past 100 %). The target must be met at one end of the range
and not at the other, and the measure must switch once along it (checked at nine evenly spaced
points); then a bracketing root-finder on the measure, between the two samples where it
switches, finds the met value next to one that is not.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from msgspec.structs import replace

from . import cashflow
from .answers import Solution
from .cashflow import Headline, headline
from .errors import ModelError, Violation
from .fields import accepts, current, model_range, with_value
from .lines import Case, priced
from .money import exact
from .normal import DISCOUNT_RATE, Normal, Vary, lines_of
from .types import PaybackRequest

SAMPLES = 8  # intervals between the points the monotonicity check looks at


class Probe(NamedTuple):
    """A grid index of the solved field and the figures there."""

    grid_index: int
    value: Headline


def solution(
    request: PaybackRequest,
    normal: Normal,
    minor_unit: int,
    base: Case,
    base_factors: list[Decimal] | None,
) -> Solution:
    """The grid value of the solved field at which the target is met and one grid step further
    towards not meeting it is not; a ModelError at /solve/vary when there is none. ``base`` and
    ``base_factors`` are the request's case and discount factors, as payback priced them."""
    spec = normal.solve
    assert spec is not None  # noqa: S101  the caller's condition
    step = spec.field.step(minor_unit)

    def candidate(k: int) -> PaybackRequest:
        changed: PaybackRequest = with_value(request, spec.field.path, float(k * step))
        return changed

    def priced_at(k: int) -> Headline:
        return figures(candidate(k), normal, minor_unit, base, base_factors)

    low, high = spec.field.grid_range(step)
    anchor = current_index(request, spec, step, low, high)
    if not accepts(request, spec.field, float(anchor * step)):
        raise unsolvable(f"the model rejects {spec.vary} at its current value on its grid")
    low, high = model_range(request, spec.field, step, anchor)
    points = sorted({low + (high - low) * i // SAMPLES for i in range(SAMPLES + 1)})
    sampled = [priced_at(k) for k in points]
    pattern = [meets(value, spec.target, spec.value) for value in sampled]
    switches = sum(a != b for a, b in itertools.pairwise(pattern))
    shown = f"[{show_grid(low, step)}, {show_grid(high, step)}]"
    if switches == 0:
        where = "at every value" if pattern[0] else "at no value"
        raise unsolvable(f"the target is met {where} of {spec.vary} in its range {shown}")
    if switches > 1:
        raise unsolvable(f"the {spec.target} is not monotone in {spec.vary} over {shown}")
    i = next(i for i in range(len(pattern) - 1) if pattern[i] != pattern[i + 1])
    ends = (Probe(points[i], sampled[i]), Probe(points[i + 1], sampled[i + 1]))
    met_end, unmet_end = ends if pattern[i] else ends[::-1]
    k, value = met_next_to_unmet(priced_at, spec.target, spec.value, met_end, unmet_end)
    return Solution(
        pointer=spec.vary,
        value=float(k * step),
        npv=value.npv,
        roi=value.roi,
        payback_months=value.payback_months,
    )


def met_next_to_unmet(
    price: Callable[[int], Headline],
    target: str,
    threshold: float,
    met_end: Probe,
    unmet_end: Probe,
) -> Probe:
    """The met grid index next to an unmet one, between two ends that bracket the switch:
    regula falsi on the gap (how far the measure is past the target) with the Illinois rule
    (an end kept twice running counts half its gap). A bisection step instead where the
    interpolation cannot help (a null measure at the unmet end; a met end that crept one step
    along a plateau at the target) or the last three steps did not halve the bracket, so it
    always ends, at worst four steps a halving.

    Measured on tests/tools/heavy.py's heaviest lines, in process, best of 5: a stage's uplift
    26 -> 11 pricings, 34.5 -> 24 ms; heavy.py's per-seat price 53 -> 17, 48 -> 26 ms (was
    bisection; tests/unit/test_solve.py counts the pricings)."""
    met, unmet = met_end, unmet_end
    met_gap, unmet_gap = gap(met.value, target, threshold), gap(unmet.value, target, threshold)
    assert met_gap is not None  # noqa: S101  met: the measure is not null
    earlier = [math.inf] * 3  # the bracket's width before each of the last three steps
    moved = ""  # the end the last step moved: "met" or "unmet"
    crept = False  # the met end's last move was one grid step
    while abs(unmet.grid_index - met.grid_index) > 1:
        width = abs(unmet.grid_index - met.grid_index)
        plateau = met_gap == 0 and crept
        if unmet_gap is None or plateau or width > earlier[0] / 2:
            k = (met.grid_index + unmet.grid_index) // 2
        else:  # with a met gap of 0, its neighbour: the answer where the measure is strict
            k = interpolated(met.grid_index, unmet.grid_index, met_gap, unmet_gap)
        earlier = [*earlier[1:], width]
        value = price(k)
        if meets(value, target, threshold):
            crept = abs(k - met.grid_index) == 1
            met, met_gap = Probe(k, value), gap(value, target, threshold)
            assert met_gap is not None  # noqa: S101  met: the measure is not null
            if moved == "met" and unmet_gap is not None:
                unmet_gap /= 2
            moved = "met"
        else:
            unmet, unmet_gap = Probe(k, value), gap(value, target, threshold)
            if moved == "unmet":
                met_gap /= 2
            moved = "unmet"
    return met


def interpolated(met: int, unmet: int, met_gap: float, unmet_gap: float) -> int:
    """The grid index strictly between the two ends nearest where the line through their gaps
    crosses 0 (met_gap ≥ 0 > unmet_gap)."""
    share = met_gap / (met_gap - unmet_gap)
    low, high = sorted((met + (1 if unmet > met else -1), unmet + (1 if met > unmet else -1)))
    return min(high, max(low, met + round((unmet - met) * share)))


def gap(value: Headline, target: str, threshold: float) -> float | None:
    """How far the measure is past the target: ≥ 0 where it is met (None where it is null)."""
    if target == "npv":
        return float(value.npv - exact(threshold))
    if target == "roi":
        return None if value.roi is None else value.roi - threshold
    return None if value.payback_months is None else threshold - value.payback_months


def figures(
    changed: PaybackRequest,
    normal: Normal,
    minor_unit: int,
    base: Case,
    base_factors: list[Decimal] | None,
) -> Headline:
    """The headline figures of the request with the solved field changed (in the caller's
    FIFTY_DIGITS). ``base`` is the case of the request as sent: only the lines the field
    reaches are priced again, by lines.priced as case() priced them (a solve prices the request
    up to ~50 times; the heaviest request's 20 funnel lines and 60 cost lines took 99 ms
    in-process priced whole each time, 35 ms this way; tests/unit/test_solve.py checks the
    figures equal a whole pricing for every variable field of the example requests)."""
    spec = normal.solve
    assert spec is not None  # noqa: S101  the caller's condition
    if spec.vary == DISCOUNT_RATE:  # discounting only: its factors change, no line does
        factors = cashflow.discount_factors(
            exact(changed.annual_discount_rate), normal.periods + 1, base.period_months
        )
        return headline(cashflow.worth(base, factors), minor_unit, base.period_months)
    value = cashflow.worth(repriced(changed, spec, normal, minor_unit, base), base_factors)
    return headline(value, minor_unit, base.period_months)


def repriced(
    changed: PaybackRequest, spec: Vary, normal: Normal, minor_unit: int, base: Case
) -> Case:
    """``base`` with the lines ``spec`` reaches priced from the changed request."""
    if not spec.reaches:
        return base
    lines = list(base.lines)
    changed_lines = lines_of(changed)
    for i in spec.reaches:
        lines[i] = priced(changed_lines[i][0], normal.periods, minor_unit)
    return replace(base, lines=lines)


def meets(value: Headline, target: str, threshold: float) -> bool:
    """npv ≥ value, roi ≥ value, or payback_months ≤ value (and not null)."""
    if target == "npv":
        return value.npv >= exact(threshold)
    if target == "roi":
        return value.roi is not None and value.roi >= threshold
    return value.payback_months is not None and value.payback_months <= threshold


def current_index(request: PaybackRequest, spec: Vary, step: Decimal, low: int, high: int) -> int:
    """The grid index nearest the field's current value (its low end when it is not given)."""
    value = current(request, spec.field.path)
    if value is None:
        return low
    return min(high, max(low, int((exact(value) / step).to_integral_value())))


def show_grid(k: int, step: Decimal) -> str:
    return f"{float(k * step):g}"


def unsolvable(detail: str) -> ModelError:
    return ModelError([Violation("/solve/vary", detail)])
