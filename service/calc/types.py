"""The contract: the Structs the API decodes are the model's inputs; those it returns, its answers.

Every input is bounded in its type, so every schema-valid request gives a finite answer. Money
arrives as a bounded JSON number (decoded as a float, converted exactly with ``Decimal(repr(x))``)
and leaves as an exact decimal JSON number rounded to the currency's minor unit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType, field

# Bounds. They are generous for any real business and keep every answer finite and exact.
MAX_COUNT = 1e9
MAX_UPLIFT = 10.0
MAX_MONEY = 1e12
MAX_STAGES = 10
MAX_COST_LINES = 20
MAX_HORIZON_MONTHS = 120
MAX_NAME_LENGTH = 80

CurrencyCode = Annotated[
    str,
    Meta(
        pattern="^[A-Z]{3}$",
        description=(
            "ISO 4217 alphabetic code. Money in the answer is rounded half-up to this currency's "
            "minor unit (2 for UAH, 0 for JPY, 3 for KWD). Codes without a minor unit (gold, "
            "SDR, test codes) are rejected with 422."
        ),
        examples=["UAH"],
    ),
]
Name = Annotated[
    str,
    Meta(min_length=1, max_length=MAX_NAME_LENGTH, description="A label, echoed in the answer."),
]
Count = Annotated[
    float,
    Meta(ge=0, le=MAX_COUNT, description="Baseline count per month (leads, deals, ...)."),
]
Uplift = Annotated[
    float,
    Meta(
        ge=-1,
        le=MAX_UPLIFT,
        description="Relative change as a fraction: 0.03 means +3 %, -0.1 means -10 %.",
    ),
]
DealValue = Annotated[
    float,
    Meta(gt=0, le=MAX_MONEY, description="Average value of one won deal, in the currency."),
]
GrossMargin = Annotated[
    float,
    Meta(
        gt=0,
        le=1,
        description="Share of revenue that is gain (contribution). 1 counts revenue as gain.",
    ),
]
Amount = Annotated[float, Meta(ge=0, le=MAX_MONEY, description="Money, in the currency.")]
Benefit = Annotated[
    float,
    Meta(
        ge=-MAX_MONEY,
        le=MAX_MONEY,
        description="Gain per month at full effect, in the currency (negative: a loss).",
    ),
]
# Whole months. JSON Schema's "integer" admits 12.0 as well as 12, so the decoder must too: a
# float that is a multiple of 1 (the schema says "integer"; see service/openapi.py).
HorizonMonths = Annotated[
    float,
    Meta(
        ge=1,
        le=MAX_HORIZON_MONTHS,
        multiple_of=1,
        description="Months the business case covers (a whole number).",
    ),
]
RampUpMonths = Annotated[
    float,
    Meta(
        ge=0,
        le=MAX_HORIZON_MONTHS,
        multiple_of=1,
        description="Months until the full benefit; month t gets t/R of it. At most the horizon.",
    ),
]
AnnualRate = Annotated[
    float, Meta(ge=0, le=1, description="Annual discount rate as a fraction (0.1 = 10 %).")
]
Share = Annotated[float, Meta(ge=0, le=1, description="A fraction between 0 and 1.")]
Rounding = Literal["whole_units", "exact"]

# Answers: money is an exact decimal, encoded as a JSON number (see service/openapi.py).
Money = Annotated[Decimal, Meta(description="Money, rounded half-up to the minor unit.")]


class _Input(Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """Inputs reject unknown fields: a misspelt field must not silently take its default."""


class Stage(_Input, frozen=True):
    """One funnel stage. For the top stage ``uplift`` grows its volume; for every other stage it
    improves the conversion from the stage above."""

    name: Name
    count: Count
    uplift: Uplift = 0.0


class EvaluateRequest(_Input, frozen=True):
    """A sales funnel before the CRM and the effects expected from it."""

    stages: Annotated[
        list[Stage],
        Meta(
            min_length=2,
            max_length=MAX_STAGES,
            description="Stages, top first (leads ... won deals). Counts may not grow downwards.",
        ),
    ]
    average_deal_value: DealValue
    average_deal_value_uplift: Uplift = 0.0
    gross_margin: GrossMargin = 1.0
    currency: CurrencyCode = "UAH"
    rounding: Annotated[
        Rounding,
        Meta(
            description=(
                "whole_units rounds counts half-up at every step, as the post does; "
                "exact keeps fractional counts."
            )
        ),
    ] = "whole_units"


class CostLine(_Input, frozen=True):
    """A named cost."""

    name: Name
    amount: Amount


class Costs(_Input, frozen=True):
    """What the CRM costs: once at month 0, and every month 1..H."""

    one_time: Annotated[list[CostLine], Meta(max_length=MAX_COST_LINES)] = []
    monthly: Annotated[list[CostLine], Meta(max_length=MAX_COST_LINES)] = []


class RiskAdjustment(_Input, frozen=True):
    """Forrester TEI style haircuts: benefits shrink, costs grow."""

    benefits: Share = 0.0
    costs: Share = 0.0


class PaybackRequest(_Input, frozen=True):
    """An investment and its monthly benefit: give exactly one of ``monthly_benefit`` or
    ``evaluation`` (an /evaluate request whose ``monthly_gain`` is used)."""

    costs: Costs = field(default_factory=Costs)
    monthly_benefit: Benefit | UnsetType = UNSET
    evaluation: EvaluateRequest | UnsetType = UNSET
    horizon_months: HorizonMonths = 12.0
    ramp_up_months: RampUpMonths = 0.0
    annual_discount_rate: AnnualRate = 0.0
    risk_adjustment: RiskAdjustment = field(default_factory=RiskAdjustment)
    currency: CurrencyCode = "UAH"


class StageResult(Struct, kw_only=True):
    """A stage before and after. Conversions are into this stage from the one above."""

    name: str
    baseline: float
    projected: float
    baseline_conversion: float | None
    projected_conversion: float | None


class Step(Struct, kw_only=True):
    """One line of the computation, in order: what, how (with its operands), and the result."""

    key: str
    label: str
    formula: str
    value: float
    unit: Literal["count", "money", "ratio"]


class EvaluateResponse(Struct, kw_only=True):
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


class CashFlow(Struct, kw_only=True):
    """One month of the business case; month 0 holds the one-time costs."""

    month: int
    benefit: Money
    cost: Money
    net: Money
    discounted_net: Money
    cumulative: Money
    discounted_cumulative: Money


class PaybackResponse(Struct, kw_only=True):
    """When the investment is earned back, and what it is worth over the horizon."""

    currency: str
    monthly_benefit: Money
    risk_adjusted_monthly_benefit: Money
    one_time_costs: Money
    monthly_costs: Money
    horizon_months: int
    ramp_up_months: int
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
    cash_flows: list[CashFlow]
    evaluation: EvaluateResponse | None
