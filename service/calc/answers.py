"""The answers: exact money, ratios as floats, and the trace of every step."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from msgspec import Meta, Struct

from .types import Rounding

# Money is an exact decimal, encoded as a JSON number (see service/openapi.py).
Money = Annotated[Decimal, Meta(description="Money, rounded half-up to the minor unit.")]

# gc=False on every answer: they hold only numbers, strings and lists of each other, never a
# cycle, so the collector need not track them (a request allocates dozens; see
# docs/performance.md).


class StageResult(Struct, kw_only=True, gc=False):
    """A stage before and after. Conversions are into this stage from the one above."""

    name: str
    baseline: float
    projected: float
    baseline_conversion: float | None
    projected_conversion: float | None


class Step(Struct, kw_only=True, gc=False):
    """One line of the computation, in order: what, how (with its operands), and the result."""

    key: str
    label: str
    formula: str
    value: float
    unit: Literal["count", "money", "ratio"]


class EvaluateScenario(Struct, kw_only=True, gc=False):
    """The headline figures of the request with the CRM's effects scaled."""

    name: str
    effect_scale: float
    baseline_revenue: Money
    projected_revenue: Money
    revenue_uplift: Money
    revenue_uplift_ratio: float | None
    monthly_gain: Money


class SensitivityRow(Struct, kw_only=True, gc=False):
    """The monthly gain when one assumption alone moves down and up (a tornado chart's bar)."""

    assumption: str
    label: str
    base_value: float
    low_value: float
    high_value: float
    low_monthly_gain: Money
    high_monthly_gain: Money
    impact: Money


class EvaluateResponse(Struct, kw_only=True, gc=False):
    """The funnel before and after, the revenue, and the monthly gain."""

    currency: str
    rounding: Rounding
    stages: list[StageResult]
    baseline_revenue: Money
    projected_revenue: Money
    revenue_uplift: Money
    revenue_uplift_ratio: float | None
    gross_margin: float
    monthly_gain: Money
    steps: list[Step]
    scenarios: list[EvaluateScenario]
    sensitivity: list[SensitivityRow]
    model_version: ModelVersion


class CashFlow(Struct, kw_only=True, gc=False):
    """One period of the business case (a month, or a year for yearly schedules); period 0
    holds the one-time costs. ``month`` is where the period ends, counted in months."""

    month: int
    period: int
    benefit: Money
    cost: Money
    net: Money
    discounted_net: Money
    cumulative: Money
    discounted_cumulative: Money


class YearRow(Struct, kw_only=True, gc=False):
    """One row of the yearly table: year 0 is the initial outlay; the last year may be partial.
    The rows add up exactly to the totals."""

    year: int
    months: int
    benefits: Money
    costs: Money
    net: Money
    pv_benefits: Money
    pv_costs: Money


class PaybackScenario(Struct, kw_only=True, gc=False):
    """The headline figures of the investment with the CRM's effects scaled."""

    name: str
    effect_scale: float
    monthly_benefit: Money | None
    payback_months: float | None
    discounted_payback_months: float | None
    total_benefits: Money
    total_costs: Money
    pv_benefits: Money
    pv_costs: Money
    npv: Money
    roi: float | None
    irr_monthly: float | None
    irr_annual: float | None


ModelVersion = Annotated[
    str,
    Meta(
        description="The version of the model that computed the answer; it changes whenever a "
        "figure could change (docs/model-changelog.md).",
        examples=["1.2.0"],
    ),
]


class BreakEven(Struct, kw_only=True, gc=False):
    """What must hold for the investment to pay for itself exactly."""

    benefit_realization: Annotated[
        float | None,
        Meta(
            description="PV_costs / PV_benefits: the share of the risk-adjusted benefits at which "
            "the CRM pays for itself exactly (0.0655: 6.55 % of the expected effect); null when "
            "the PV of benefits shown is 0.",
            examples=[0.06550676029766273],
        ),
    ]
    max_upfront_cost: Annotated[
        Decimal,
        Meta(
            description="Money: M(C_0 + npv), the month-0 outlay (risk included) at which the NPV "
            "would be zero.",
            examples=[228984.00],
        ),
    ]


class LineResult(Struct, kw_only=True, gc=False):
    """One benefit or cost line over the horizon, risk-adjusted. ``years`` follows the rows of
    the answer's ``years`` table and adds up exactly to ``total``."""

    name: str
    source: Annotated[
        str,
        Meta(
            description="JSON pointer (RFC 6901) to the part of the request this line was built "
            "from: /benefits/1, /costs/one_time/0, /monthly_benefit, /schedule/lines/2...; a "
            "solve or range whose pointer lies under it moves this line.",
            examples=["/costs/per_seat/0"],
        ),
    ]
    side: Literal["benefit", "cost"]
    kind: Annotated[
        Literal["funnel", "productivity", "fixed", "one_time", "monthly", "per_seat", "schedule"],
        Meta(description="The kind of line: a benefit's kind, a cost's list, or a schedule."),
    ]
    total: Money
    pv: Money
    years: list[Money]


class Solution(Struct, kw_only=True, gc=False):
    """The value of the solved field, on its grid, at which the target is met (and one grid
    step further is not), with the figures at that value."""

    pointer: str
    value: float
    npv: Money
    roi: float | None
    payback_months: float | None


class Probability(Struct, kw_only=True, gc=False):
    """A share of the samples, with its standard error √(p (1 − p) / n) (an upper bound for
    Sobol and Latin hypercube samples)."""

    value: float
    standard_error: float


class MoneyDistribution(Struct, kw_only=True, gc=False):
    """Mean, standard deviation and percentiles of a money figure over the samples (p_q: the
    sample at rank ⌈q n⌉ of the n sorted)."""

    mean: Money
    sd: Money
    p5: Money
    p10: Money
    p25: Money
    p50: Money
    p75: Money
    p90: Money
    p95: Money


class Percentiles(Struct, kw_only=True, gc=False):
    """Percentiles of a ratio or a time over the samples; null where a percentile falls on a
    sample without one (no PV of costs for ROI, no payback within the horizon)."""

    p5: float | None
    p10: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p90: float | None
    p95: float | None


class CurvePoint(Struct, kw_only=True, gc=False):
    """P(payback ≤ the period's end)."""

    period: int
    month: int
    probability: float


class Band(Struct, kw_only=True, gc=False):
    """The p10, p50 and p90 of the cumulative net at the end of a period: the fan chart."""

    period: int
    month: int
    p10: Money
    p50: Money
    p90: Money


class Histogram(Struct, kw_only=True, gc=False):
    """Equal-width bins of NPV from the smallest sample to the largest: ``edges`` has one more
    entry than ``counts``, which add up to the samples."""

    edges: list[Money]
    counts: list[int]


class Driver(Struct, kw_only=True, gc=False):
    """How much of the NPV's spread one ranged field explains."""

    pointer: str
    variance_share: Annotated[
        float,
        Meta(
            description="Var(E[NPV | field]) / Var(NPV), first order, from 32 equal-count bins "
            "of the field."
        ),
    ]
    rank_correlation: Annotated[float, Meta(description="Spearman's ρ between field and NPV.")]


class UncertaintyResult(Struct, kw_only=True, gc=False):
    """The distribution of the figures over the request's ranges (docs/roi-model.md, "How
    sure"). The answer's other figures are the request as sent."""

    method: Literal["sobol", "latin_hypercube", "monte_carlo"]
    samples: int
    seed: int
    npv: MoneyDistribution
    roi: Percentiles
    payback_months: Percentiles
    probability_npv_negative: Probability
    probability_no_payback: Probability
    probability_payback_within: Probability | None
    payback_within_months: int | None
    payback_curve: list[CurvePoint]
    cumulative_bands: list[Band]
    npv_histogram: Histogram
    drivers: list[Driver]


class PaybackResponse(Struct, kw_only=True, gc=False):
    """When the investment is earned back, and what it is worth over the horizon. Fields of the
    monthly model are null for a schedule."""

    currency: str
    monthly_benefit: Money | None
    productivity_monthly_benefit: Money | None
    risk_adjusted_monthly_benefit: Money | None
    one_time_costs: Money
    monthly_costs: Money | None
    horizon_months: int
    ramp_up_months: int
    period: Literal["month", "year"]
    payback_periods: float | None
    discounted_payback_periods: float | None
    payback_months: float | None
    discounted_payback_months: float | None
    total_benefits: Money
    total_costs: Money
    pv_benefits: Money
    pv_costs: Money
    npv: Money
    roi: float | None
    irr_monthly: float | None
    irr_annual: float | None
    irr_period: float | None
    cash_flows: list[CashFlow]
    years: list[YearRow]
    evaluation: EvaluateResponse | None
    scenarios: list[PaybackScenario]
    break_even: BreakEven
    lines: list[LineResult]
    solution: Solution | None
    uncertainty: UncertaintyResult | None
    model_version: ModelVersion
    calculation_id: Annotated[
        str,
        Meta(
            description="The same for equal requests (whatever the key order or spelled-out "
            "defaults) under the same model version, different otherwise: store it with a quote.",
            min_length=32,
            max_length=32,
            pattern="^[0-9a-f]{32}$",
            examples=["340f645014c1a47931c64f60d9852005"],
        ),
    ]
