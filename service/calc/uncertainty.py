"""How sure (roi-model.md, "How sure: uncertainty (model 3)"): samples of the ranged fields, each
priced by bulk.py, and the distribution of the figures over them.

Sampling is Latin hypercube: each field's n samples fall one in each of n equal-probability
strata, in a random order per field (McKay, Beckman and Conover 1979), so every field's own
percentiles are drawn evenly even at 1,024 samples; correlated fields go through a Gaussian
copula. scipy.special gives Φ and Φ^-1 (ndtr, ndtri) over arrays.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri  # type: ignore[import-untyped]  # no stubs

from .answers import (
    Band,
    CurvePoint,
    Driver,
    Histogram,
    MoneyDistribution,
    Percentiles,
    Probability,
    UncertaintyResult,
)
from .bulk import Array, SampleFigures, price_samples
from .errors import ModelError, Violation
from .money import quantum
from .normal import Normal
from .ranges import Z95, Ranged, Ranges
from .types import PaybackRequest

QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
BANDS = (0.10, 0.50, 0.90)  # the fan chart's
HISTOGRAM_BINS = 32  # 20 ≤ k ≤ 40
DRIVER_BINS = 32
SLICE = 2048  # samples priced at a time: memory stays flat whatever n


def distribution(
    request: PaybackRequest, normal: Normal, minor_unit: int, seed: int
) -> UncertaintyResult:
    """The answer's ``uncertainty``: ``normal.uncertainty``'s samples priced and summarized."""
    spec = normal.uncertainty
    assert spec is not None  # noqa: S101  the caller's condition
    values = draw(spec, seed)
    period_months = 12 if normal.period == "year" else 1
    n, paths = spec.samples, [r.path for r in spec.ranges]
    figures = SampleFigures(  # filled a slice at a time: one slice's arrays at most in flight
        npv=np.empty(n),
        pv_costs=np.empty(n),
        payback_months=np.empty(n),
        cumulative=np.empty((n, normal.periods + 1)),
    )
    for start in range(0, n, SLICE):
        part = price_samples(
            request, paths, values[start : start + SLICE],
            periods=normal.periods, period_months=period_months, minor_unit=minor_unit,
        )  # fmt: skip
        rows = slice(start, start + SLICE)
        figures.npv[rows], figures.pv_costs[rows] = part.npv, part.pv_costs
        figures.payback_months[rows], figures.cumulative[rows] = (
            part.payback_months,
            part.cumulative,
        )
    return summary(
        spec, values=values, figures=figures, normal=normal, minor_unit=minor_unit, seed=seed
    )


# --- the samples -------------------------------------------------------------------------


def draw(spec: Ranges, seed: int) -> Array:
    """n samples (rows) of the ranged fields (columns): Latin hypercube uniforms, correlated
    through a Gaussian copula, each mapped through its range's truncated inverse CDF."""
    rng = np.random.default_rng(seed)
    n, d = spec.samples, len(spec.ranges)
    strata = rng.permuted(np.tile(np.arange(n), (d, 1)), axis=1).T  # 0..n-1 shuffled per field
    uniforms = (strata + rng.random((n, d))) / n
    if spec.correlations:
        uniforms = ndtr(ndtri(uniforms) @ copula_factor(spec).T)
    return np.column_stack([
        inverse_cdf(r, uniforms[:, j]) for j, r in enumerate(spec.ranges)
    ])  # fmt: skip


def copula_factor(spec: Ranges) -> Array:
    """L with L Lᵀ = the Pearson correlations of the normal scores, r = 2 sin(π ρ / 6) for
    Spearman's ρ; a 422 when no joint distribution has them (not positive semi-definite)."""
    d = len(spec.ranges)
    pearson = np.eye(d)
    for i, j, rank in spec.correlations:
        pearson[i, j] = pearson[j, i] = 2 * math.sin(math.pi * rank / 6)
    eigenvalues, vectors = np.linalg.eigh(pearson)
    if eigenvalues.min() < -1e-10:
        raise ModelError([Violation(
            "/uncertainty/correlations",
            "no joint distribution has these rank correlations (their matrix is not positive "
            "semi-definite): loosen the strongest ones",
        )])  # fmt: skip
    factor: Array = vectors * np.sqrt(np.clip(eigenvalues, 0, None))
    return factor


def inverse_cdf(r: Ranged, u: Array) -> Array:
    """x = F^-1(F(lower) + u (F(upper) - F(lower))): the range's distribution conditioned on
    [lower, upper]; whole numbers rounded half-up."""
    if r.low == r.high:
        return np.full(len(u), r.low)
    p = r.cdf(r.lower) + u * (r.cdf(r.upper) - r.cdf(r.lower))
    if r.shape == "normal":
        x = (r.low + r.high) / 2 + (r.high - r.low) / (2 * Z95) * ndtri(p)
    elif r.shape == "lognormal":
        mu = (math.log(r.low) + math.log(r.high)) / 2
        x = np.exp(mu + math.log(r.high / r.low) / (2 * Z95) * ndtri(p))
    elif r.shape == "uniform":
        x = r.low + p * (r.high - r.low)
    else:  # triangular: the inverse of its two quadratic pieces, mode at the own value
        width, mode = r.high - r.low, r.own
        below = r.low + np.sqrt(p * width * (mode - r.low))
        above = r.high - np.sqrt((1 - p) * width * (r.high - mode))
        x = np.where(p < (mode - r.low) / width, below, above)
    x = np.clip(x, r.lower, r.upper)  # float rounding at the ends
    drawn: Array = np.floor(x + 0.5) if r.whole else x
    return drawn


# --- the answer --------------------------------------------------------------------------


def summary(
    spec: Ranges, *, values: Array, figures: SampleFigures, normal: Normal, minor_unit: int,
    seed: int,
) -> UncertaintyResult:  # fmt: skip
    n = spec.samples
    npv, payback = figures.npv, figures.payback_months
    shown_zero = np.abs(figures.pv_costs) < quantum(minor_unit) / 2  # ROI is null there
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(shown_zero, np.inf, npv / figures.pv_costs)
    period_months = 12 if normal.period == "year" else 1
    within = spec.payback_within_months

    def money(x: float) -> Decimal:
        return Decimal(repr(float(x))).quantize(quantum(minor_unit), ROUND_HALF_UP) + 0

    bands = np.quantile(  # in place: the samples' cumulative nets are not read again
        figures.cumulative, BANDS, axis=0, method="inverted_cdf", overwrite_input=True
    )
    months = np.arange(normal.periods + 1) * period_months
    paid_back = np.searchsorted(np.sort(payback), months, side="right") / n  # P(payback ≤ m)
    return UncertaintyResult(
        method="latin_hypercube",
        samples=n,
        seed=seed,
        npv=MoneyDistribution(
            mean=money(npv.mean()),
            sd=money(npv.std(ddof=1)),
            **{name: money(x) for name, x in percentiles(npv).items()},
        ),
        roi=Percentiles(**finite(percentiles(roi))),
        payback_months=Percentiles(**finite(percentiles(payback))),
        probability_npv_negative=probability(npv < 0),
        probability_no_payback=probability(np.isinf(payback)),
        probability_payback_within=None if within is None else probability(payback <= within),
        payback_within_months=within,
        payback_curve=[
            CurvePoint(period=t, month=int(m), probability=float(p))
            for t, (m, p) in enumerate(zip(months, paid_back, strict=True))
        ],
        cumulative_bands=[
            Band(period=t, month=int(m), p10=money(p10), p50=money(p50), p90=money(p90))
            for t, (m, p10, p50, p90) in enumerate(zip(months, *bands, strict=True))
        ],
        npv_histogram=histogram(npv, money),
        drivers=drivers(spec, values, npv),
    )


def percentiles(samples: Array) -> dict[str, float]:
    """The inverted-CDF sample quantiles: p_q is the sample at rank ⌈q n⌉ of the n sorted."""
    found = np.quantile(samples, QUANTILES, method="inverted_cdf")
    return {f"p{round(q * 100)}": float(x) for q, x in zip(QUANTILES, found, strict=True)}


def finite(values: dict[str, float]) -> dict[str, float | None]:
    """+inf (no ROI, no payback within the horizon) is null."""
    return {name: x if math.isfinite(x) else None for name, x in values.items()}


def probability(event: Array) -> Probability:
    """The share of the samples, with its standard error √(p (1 - p) / n)."""
    p = float(np.mean(event))
    return Probability(value=p, standard_error=math.sqrt(p * (1 - p) / len(event)))


def histogram(npv: Array, money: Any) -> Histogram:
    """HISTOGRAM_BINS equal-width bins from the smallest sample to the largest (all in the
    first when they are equal)."""
    low, high = float(npv.min()), float(npv.max())
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
    width = (high - low) / HISTOGRAM_BINS
    bins = np.zeros(len(npv), dtype=int) if width == 0 else (npv - low) // width
    counts = np.bincount(np.clip(bins, 0, HISTOGRAM_BINS - 1).astype(int),
                         minlength=HISTOGRAM_BINS)  # fmt: skip
    return Histogram(edges=[money(x) for x in edges], counts=[int(c) for c in counts])


def drivers(spec: Ranges, values: Array, npv: Array) -> list[Driver]:
    """Per ranged field: Var(E[NPV | field]) / Var(NPV), with E[NPV | field] the mean NPV in
    each of DRIVER_BINS equal-count bins of the field's samples; and Spearman's ρ. Largest
    share first."""
    total = float(npv.var())
    npv_ranks = ranks(npv, np.argsort(npv))
    found = []
    for j, r in enumerate(spec.ranges):
        order = np.argsort(values[:, j])
        means = npv[order].reshape(DRIVER_BINS, -1).mean(axis=1)
        share = float(means.var()) / total if total > 0 else 0.0
        found.append(Driver(
            pointer=r.pointer,
            variance_share=min(1.0, share),
            rank_correlation=correlation(ranks(values[:, j], order), npv_ranks),
        ))  # fmt: skip
    return sorted(found, key=lambda driver: -driver.variance_share)


def correlation(x: Array, y: Array) -> float:
    """Pearson's correlation (of ranks: Spearman's ρ); 0 when either is constant."""
    if x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def ranks(x: Array, order: Array) -> Array:
    """1-based ranks, ties given their mean rank; ``order`` sorts x."""
    ordered = x[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(x)]
    mean_rank = (starts + ends + 1) / 2  # the mean of ranks start+1 .. end
    result = np.empty(len(x))
    result[order] = np.repeat(mean_rank, ends - starts)
    return result
