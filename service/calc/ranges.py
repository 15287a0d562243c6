"""The request's ranges as the model reads them (roi-model.md, "How sure: uncertainty (model
3)", "The request"): each ranged field located like solve's, its shape and parameters, the
range it is truncated to, and every check of the section, answered 422 at /uncertainty/...

Standard library only: the checks need one normal CDF per range (statistics.NormalDist).
"""

from __future__ import annotations

import math
from decimal import Decimal
from statistics import NormalDist
from typing import Literal

from msgspec import UNSET, Struct

from .errors import ModelError, Violation
from .fields import Field, accepts, current, locate, model_range
from .types import MAX_SAMPLE_WORK, MIN_SAMPLES, PaybackRequest, Range, Uncertainty

Shape = Literal["normal", "lognormal", "uniform", "triangular"]
Z95 = 1.6448536269514722  # Φ^-1(0.95): low and high of a normal range are its 5 % and 95 %
STANDARD = NormalDist()
# Truncation runs on this grid: a whole number's 1, else 10^-6 (fine enough for any edge the
# model draws: an uplift's 100 % conversion)
STEPS = {"whole": Decimal(1), "fine": Decimal("0.000001"), "money": Decimal("0.000001")}


class Ranged(Struct, frozen=True):
    """One ranged field: its distribution, truncated to [lower, upper]."""

    pointer: str
    path: tuple[str | int, ...]
    shape: Shape
    low: float  # the client's range
    high: float
    own: float  # the request's own value (the mode of a triangular range)
    lower: float  # the field's range as solve reads it: samples are drawn inside it
    upper: float
    whole: bool  # a whole-number field: each sample rounded half-up
    reaches: list[int]  # the lines it moves (Normal.lines indices), as a solve's field does

    def mass(self) -> float:
        """The share of the untruncated distribution inside [lower, upper]."""
        if self.low == self.high:
            return 1.0 if self.lower <= self.low <= self.upper else 0.0
        return self.cdf(self.upper) - self.cdf(self.lower)

    def cdf(self, x: float) -> float:
        """F(x) of the range's distribution, untruncated (low < high)."""
        low, high, own = self.low, self.high, self.own
        if self.shape == "normal":
            return STANDARD.cdf((x - (low + high) / 2) / ((high - low) / (2 * Z95)))
        if self.shape == "lognormal":
            if x <= 0:
                return 0.0
            mu, sigma = (math.log(low) + math.log(high)) / 2, math.log(high / low) / (2 * Z95)
            return STANDARD.cdf((math.log(x) - mu) / sigma)
        x = min(high, max(low, x))
        if self.shape == "uniform":
            return (x - low) / (high - low)
        # triangular, mode c = own: (x - a)² / ((b - a)(c - a)) up to c,
        # 1 - (b - x)² / ((b - a)(b - c)) above
        if x <= own:
            return 0.0 if own == low else (x - low) ** 2 / ((high - low) * (own - low))
        return 1.0 if own == high else 1 - (high - x) ** 2 / ((high - low) * (high - own))


class Ranges(Struct, frozen=True):
    """``uncertainty`` as the model reads it."""

    ranges: list[Ranged]
    correlations: list[tuple[int, int, float]]  # (i, j, Spearman's ρ) between ranges i < j
    samples: int
    seed: int | None  # None: derived from the calculation id
    payback_within_months: int | None


def read_ranges(
    request: PaybackRequest,
    spec: Uncertainty,
    reach: dict[str, list[int]],
    *,
    periods: int,
    period_months: int,
    risks: list[float],
) -> Ranges:
    """Every check of "The request"; ``reach`` gives the lines each ranged pointer moves,
    ``risks`` each line's risk as normalized (its own, else the request's for its side)."""
    violations: list[Violation] = []
    ranged: list[Ranged] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(spec.ranges):
        where = f"/uncertainty/ranges/{i}"
        if item.pointer in seen:
            violations.append(Violation(
                f"{where}/pointer", f"{item.pointer} is ranged already at /uncertainty/ranges/"
                f"{seen[item.pointer]}; give each field one range",
            ))  # fmt: skip
            continue
        seen[item.pointer] = i
        read = read_range(request, item, reach.get(item.pointer, []), risks)
        if isinstance(read, Violation):
            violations.append(Violation(where + read.pointer, read.detail))
        else:
            ranged.append(read)
    if violations:
        raise ModelError(violations)
    index = {item.pointer: i for i, item in enumerate(ranged)}
    pairs = correlation_pairs(spec, index)
    horizon_months = periods * period_months
    if spec.payback_within_months is not UNSET and spec.payback_within_months > horizon_months:
        violations.append(Violation(
            "/uncertainty/payback_within_months",
            f"{spec.payback_within_months:g} months is beyond the horizon ({horizon_months} "
            "months)",
        ))  # fmt: skip
    violations += samples_violations(int(spec.samples), periods + 1, len(risks))
    if violations:
        raise ModelError(violations)
    return Ranges(
        ranges=ranged,
        correlations=pairs,
        samples=int(spec.samples),
        seed=None if spec.seed is UNSET else int(spec.seed),
        payback_within_months=(
            None if spec.payback_within_months is UNSET else int(spec.payback_within_months)
        ),
    )


def read_range(
    request: PaybackRequest, item: Range, reaches: list[int], risks: list[float]
) -> Ranged | Violation:
    """One range, or what is wrong with it (its pointer relative to the range)."""
    field = locate(request, item.pointer)
    if isinstance(field, str):
        return Violation("/pointer", field.replace("solve can vary", "can be ranged"))
    own = own_value(request, field, reaches, risks)
    if item.low > item.high:
        return Violation("", f"low ({item.low:g}) is above high ({item.high:g})")
    if not item.low <= own <= item.high:
        return Violation(
            "", f"the range [{item.low:g}, {item.high:g}] leaves out the request's own value "
            f"{own:g}; a range holds it",
        )  # fmt: skip
    shape: Shape = (
        item.shape if item.shape is not UNSET else "lognormal" if item.low > 0 else "normal"
    )
    if shape == "lognormal" and item.low <= 0:
        return Violation("/low", "a lognormal range is of a positive quantity: low must be > 0")
    lower, upper = truncation(request, field, own)
    ranged = Ranged(
        pointer=item.pointer, path=field.path, shape=shape, low=item.low, high=item.high,
        own=own, lower=lower, upper=upper, whole=field.grid == "whole", reaches=reaches,
    )  # fmt: skip
    inside = ranged.mass()
    if inside < 0.5:
        return Violation(
            "", f"{1 - inside:.0%} of this range lies outside the values {item.pointer} can "
            f"take, [{lower:g}, {upper:g}]; at most half may",
        )  # fmt: skip
    return ranged


def own_value(
    request: PaybackRequest, field: Field, reaches: list[int], risks: list[float]
) -> float:
    """The field's value in the request; a line's own risk left out is the risk the line takes
    (normal.py filled it: the request's for its side)."""
    value = current(request, field.path)
    if value is not None:
        return value
    assert field.path[-1] == "risk"  # noqa: S101  the only variable field that may be left out
    return risks[reaches[0]]  # the one line whose risk it is


def truncation(request: PaybackRequest, field: Field, own: float) -> tuple[float, float]:
    """The field's range as solve reads it (fields.model_range), on a fine grid."""
    step = STEPS[field.grid]
    anchor = int((Decimal(repr(own)) / step).to_integral_value())
    low, high = field.grid_range(step)
    anchor = min(high, max(low, anchor))
    if not accepts(request, field, float(anchor * step)):  # the own value is accepted
        anchor = int(Decimal(repr(own)) / step)
    low, high = model_range(request, field, step, anchor)
    return float(low * step), float(high * step)


def correlation_pairs(spec: Uncertainty, index: dict[str, int]) -> list[tuple[int, int, float]]:
    """The correlations between ranged fields (i < j), each pair once."""
    violations, pairs, seen = [], [], set()
    for k, item in enumerate(spec.correlations):
        where = f"/uncertainty/correlations/{k}"
        missing = [p for p in item.pointers if p not in index]
        if missing:
            violations.append(Violation(
                f"{where}/pointers", f"{missing[0]} is not a ranged field; correlate two ranges",
            ))  # fmt: skip
            continue
        i, j = sorted(index[p] for p in item.pointers)
        if i == j or (i, j) in seen:
            what = "a field with itself" if i == j else "this pair twice"
            violations.append(Violation(f"{where}/pointers", f"correlates {what}"))
            continue
        seen.add((i, j))
        pairs.append((i, j, item.rank))
    if violations:
        raise ModelError(violations)
    return pairs


def samples_violations(samples: int, periods: int, lines: int) -> list[Violation]:
    """A power of two from 1,024 to 16,384, and samples × periods × lines ≤ 2^24."""
    if samples & (samples - 1):
        return [Violation("/uncertainty/samples", f"{samples} is not a power of two")]
    if samples * periods * lines <= MAX_SAMPLE_WORK:
        return []
    most = MAX_SAMPLE_WORK // (periods * lines)
    largest = 1 << (most.bit_length() - 1) if most else 0
    advice = (
        f"at most {largest} samples for this case"
        if largest >= MIN_SAMPLES
        else f"fewer periods or lines: even {MIN_SAMPLES} samples are more"
    )
    return [Violation(
        "/uncertainty/samples",
        f"{samples} samples × {periods} periods × {lines} lines is more than 2^24; {advice}",
    )]  # fmt: skip
