"""The contract: the Structs the API decodes are the model's inputs; those it returns, its answers.

Every input is bounded in its type, so every schema-valid request gives a finite answer. Money
arrives as a bounded JSON number (decoded as a float, converted exactly with ``Decimal(repr(x))``)
and leaves as an exact decimal JSON number rounded to the currency's minor unit.
"""

from __future__ import annotations

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
MAX_SCENARIOS = 5
MAX_EFFECT_SCALE = 3.0
MAX_USERS = 1e6
MAX_HOURS_PER_MONTH = 744.0  # every hour of a 31-day month
MAX_HOURLY_COST = 1e6
MAX_SCHEDULE_PERIODS = 121  # the initial period and 120 more (months) or 10 years and change
MAX_BENEFIT_LINES = 20
MAX_SCHEDULE_LINES = 40
MAX_SEATS = 1e6
MAX_SOLVE_TARGET = 1e15
MAX_POINTER_LENGTH = 200
MAX_RANGES = 20
MIN_SAMPLES = 1024
MAX_SAMPLES = 16384
MAX_SAMPLE_WORK = 2**24  # samples × periods × lines
MAX_SEED = 2**53 - 1

# Which numeric fields solve may vary, and on what grid (roi-model.md, "Solve"): the grid rides on
# the type as msgspec metadata (msgspec.inspect shows it, the JSON Schema leaves it out). A field
# without a grid is not variable: counts, horizons, ramps, months, scenario scales.
MONEY = Meta(extra={"grid": "money"})  # the currency's minor unit
WHOLE = Meta(extra={"grid": "whole"})  # 1
FINE = Meta(extra={"grid": "fine"})  # 10^-6

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
    FINE,
    Meta(
        ge=-1,
        le=MAX_UPLIFT,
        description="Relative change as a fraction: 0.03 means +3 %, -0.1 means -10 %.",
    ),
]
DealValue = Annotated[
    float,
    MONEY,
    Meta(gt=0, le=MAX_MONEY, description="Average value of one won deal, in the currency."),
]
GrossMargin = Annotated[
    float,
    FINE,
    Meta(
        gt=0,
        le=1,
        description="Share of revenue that is gain (contribution). 1 counts revenue as gain.",
    ),
]
Amount = Annotated[float, MONEY, Meta(ge=0, le=MAX_MONEY, description="Money, in the currency.")]
Benefit = Annotated[
    float,
    MONEY,
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
        description="Months until the full benefit; month t gets t/R of it. At most the "
        "horizon. Default 0.",
    ),
]
AnnualRate = Annotated[
    float, FINE, Meta(ge=0, le=1, description="Annual discount rate as a fraction (0.1 = 10 %).")
]
Share = Annotated[float, FINE, Meta(ge=0, le=1, description="A fraction between 0 and 1.")]
EffectScale = Annotated[
    float,
    Meta(
        ge=0,
        le=MAX_EFFECT_SCALE,
        description="Multiplies the CRM's effects: 0 none, 0.5 half (conservative), 1 as given.",
    ),
]
Swing = Annotated[
    float,
    Meta(
        gt=0,
        le=1,
        description="Relative move of each assumption for the sensitivity table (0.2 = ±20 %).",
    ),
]
Users = Annotated[
    float, WHOLE, Meta(ge=0, le=MAX_USERS, multiple_of=1, description="People using the CRM.")
]
HoursPerMonth = Annotated[
    float,
    FINE,
    Meta(ge=0, le=MAX_HOURS_PER_MONTH, description="Hours each user saves a month."),
]
HourlyCost = Annotated[
    float,
    MONEY,
    Meta(ge=0, le=MAX_HOURLY_COST, description="Loaded cost of one hour of a user's time."),
]
Realization = Annotated[
    float,
    FINE,
    Meta(ge=0, le=1, description="Share of the saved time that becomes productive work."),
]
Rounding = Literal["whole_units", "exact"]


class _Input(Struct, forbid_unknown_fields=True, kw_only=True, frozen=True, gc=False):
    """Inputs reject unknown fields: a misspelt field must not silently take its default.

    gc=False: an input holds only numbers, strings and other inputs, never a cycle, so the
    garbage collector need not track it.
    """


class Stage(_Input, frozen=True):
    """One funnel stage. For the top stage ``uplift`` grows its volume; for every other stage it
    improves the conversion from the stage above."""

    name: Name
    count: Count
    uplift: Uplift = 0.0


class Scenario(_Input, frozen=True):
    """A named variant of the request with the CRM's effects scaled."""

    name: Name
    effect_scale: EffectScale


Scenarios = Annotated[
    list[Scenario],
    Meta(
        max_length=MAX_SCENARIOS,
        description="Variants answered in the same call, e.g. conservative 0.5, expected 1, "
        "optimistic 1.5.",
    ),
]


class SalesFunnel(_Input, frozen=True):
    """A sales funnel before the CRM and the effects expected from it: what a funnel benefit
    line prices (an /evaluate request without its scenarios and sensitivity table)."""

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


class EvaluateRequest(SalesFunnel, frozen=True):
    """A sales funnel before the CRM and the effects expected from it, with the variants and the
    sensitivity table to answer beside it."""

    scenarios: Scenarios = []
    sensitivity_swing: Swing | UnsetType = UNSET


Risk = Annotated[
    float,
    FINE,
    Meta(
        ge=0,
        le=1,
        description="This line's own risk adjustment (benefits × (1 - risk), costs × "
        "(1 + risk)); default the request's risk_adjustment for its side.",
    ),
]
Month = Annotated[
    float,
    Meta(
        ge=0,
        le=MAX_HORIZON_MONTHS,
        multiple_of=1,
        description="The month the cost is paid in (0 = at the start), at most the horizon.",
    ),
]
StartMonth = Annotated[
    float,
    Meta(
        ge=1,
        le=MAX_HORIZON_MONTHS,
        multiple_of=1,
        description="The first month of the line (1 = from the start), at most the horizon.",
    ),
]


class CostLine(_Input, frozen=True):
    """A named one-time cost, paid in ``month`` (default 0: the initial outlay)."""

    name: Name
    amount: Amount
    month: Month = 0.0
    risk: Risk | UnsetType = UNSET


class MonthlyCostLine(_Input, frozen=True):
    """A named cost paid every month from ``start_month`` to the horizon."""

    name: Name
    amount: Amount
    start_month: StartMonth = 1.0
    risk: Risk | UnsetType = UNSET


class PerSeatLicence(_Input, frozen=True):
    """Licences priced per seat per month: billed monthly, or yearly in advance (the last year
    in full), the price rising by ``annual_escalation`` at each anniversary."""

    name: Name
    seats: Annotated[
        float,
        WHOLE,
        Meta(ge=1, le=MAX_SEATS, multiple_of=1, description="Seats licensed (a whole number)."),
    ]
    price_per_seat: Annotated[
        float,
        MONEY,
        Meta(ge=0, le=MAX_MONEY, description="Money per seat per month, in the currency."),
    ]
    billing: Annotated[
        Literal["monthly", "annual"],
        Meta(description="monthly: paid each month; annual: 12 months paid in advance."),
    ] = "monthly"
    annual_escalation: Annotated[
        float, FINE, Meta(ge=0, le=1, description="Price rise at each anniversary (0.05 = +5 %).")
    ] = 0.0
    risk: Risk | UnsetType = UNSET


class Costs(_Input, frozen=True):
    """What the CRM costs: one-time costs (at month 0 unless given a month), monthly costs
    (from month 1 unless given a start month), and per-seat licences."""

    one_time: Annotated[list[CostLine], Meta(max_length=MAX_COST_LINES)] = []
    monthly: Annotated[list[MonthlyCostLine], Meta(max_length=MAX_COST_LINES)] = []
    per_seat: Annotated[list[PerSeatLicence], Meta(max_length=MAX_COST_LINES)] = []


class RiskAdjustment(_Input, frozen=True):
    """Forrester TEI style haircuts: benefits shrink, costs grow."""

    benefits: Share = 0.0
    costs: Share = 0.0


class Productivity(_Input, frozen=True):
    """Time the CRM saves: users × hours saved a month × loaded hourly cost × realization."""

    users: Users
    hours_saved_per_user_per_month: HoursPerMonth
    loaded_hourly_cost: HourlyCost
    realization: Realization = 1.0


PeriodAmounts = Annotated[
    list[Amount],
    Meta(
        min_length=1,
        max_length=MAX_SCHEDULE_PERIODS,
        description="One amount per period; index 0 is the initial period (undiscounted).",
    ),
]


class ScheduleLine(_Input, frozen=True):
    """One named benefit or cost of a schedule, an amount per period (a TEI study's table row)."""

    name: Name
    side: Literal["benefit", "cost"]
    amounts: PeriodAmounts
    risk: Risk | UnsetType = UNSET


class Schedule(_Input, frozen=True):
    """Explicit cash flows instead of the monthly model: equal-length ``costs`` and
    ``benefits``, or named ``lines`` (all of the same length)."""

    period: Literal["month", "year"]
    costs: PeriodAmounts | UnsetType = UNSET
    benefits: PeriodAmounts | UnsetType = UNSET
    lines: (
        Annotated[
            list[ScheduleLine],
            Meta(
                min_length=1,
                max_length=MAX_SCHEDULE_LINES,
                description="Named benefit and cost lines, in place of costs and benefits.",
            ),
        ]
        | UnsetType
    ) = UNSET


class _BenefitLine(_Input, frozen=True, tag_field="kind"):
    """A named benefit a month, with its own risk, ramp-up and first month."""

    name: Name
    risk: Risk | UnsetType = UNSET
    ramp_up_months: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=MAX_HORIZON_MONTHS,
                multiple_of=1,
                description="Months from its start until this line's full benefit; default "
                "the request's ramp_up_months.",
            ),
        ]
        | UnsetType
    ) = UNSET
    start_month: StartMonth = 1.0


class FunnelBenefit(_BenefitLine, frozen=True, kw_only=True, tag="funnel"):
    """The monthly gain of a sales funnel (an /evaluate request without its scenarios and
    sensitivity table: the request's own scenarios scale it)."""

    evaluation: SalesFunnel


class ProductivityBenefit(_BenefitLine, frozen=True, kw_only=True, tag="productivity"):
    """Time saved: users × hours saved a month × loaded hourly cost × realization."""

    users: Users
    hours_saved_per_user_per_month: HoursPerMonth
    loaded_hourly_cost: HourlyCost
    realization: Realization = 1.0


class FixedBenefit(_BenefitLine, frozen=True, kw_only=True, tag="fixed"):
    """A fixed amount a month: a saving, a cost avoided."""

    monthly_amount: Amount


BenefitLine = FunnelBenefit | ProductivityBenefit | FixedBenefit


class Solve(_Input, frozen=True):
    """Find the value of one numeric field at which a figure meets a target."""

    vary: Annotated[
        str,
        Meta(
            pattern="^/",
            max_length=MAX_POINTER_LENGTH,
            description="JSON pointer (RFC 6901) to one numeric field of this request: money, "
            "seats, users, hours, cost, realization, an uplift or deal value, a risk or the "
            "discount rate (not a count, horizon, ramp or month).",
            examples=["/costs/per_seat/0/price_per_seat"],
        ),
    ]
    target: Annotated[
        Literal["npv", "roi", "payback_months"],
        Meta(description="Met when npv ≥ value, roi ≥ value, or payback_months ≤ value."),
    ]
    value: Annotated[
        float,
        Meta(ge=-MAX_SOLVE_TARGET, le=MAX_SOLVE_TARGET, description="The target's value."),
    ]


Pointer = Annotated[
    str,
    Meta(
        pattern="^/",
        max_length=MAX_POINTER_LENGTH,
        description="JSON pointer (RFC 6901) to one numeric field of this request that solve may "
        "vary (docs/roi-model.md lists them).",
        examples=["/benefits/0/evaluation/stages/2/uplift"],
    ),
]
RangeEnd = Annotated[
    float,
    Meta(ge=-MAX_MONEY, le=MAX_MONEY, description="An end of the range, in the field's unit."),
]


class Range(_Input, frozen=True):
    """How sure the client is of one field: where its value lies, and the shape of that belief.
    ``low`` ≤ the request's own value ≤ ``high``; ``low`` = ``high`` fixes the field."""

    pointer: Pointer
    low: RangeEnd
    high: RangeEnd
    shape: (
        Annotated[
            Literal["normal", "lognormal", "uniform", "triangular"],
            Meta(
                description="normal or lognormal: low and high are a 90 % range (5 % below, 5 % "
                "above); uniform: every value between equally likely; triangular: most likely at "
                "the request's own value. Default lognormal when low > 0, else normal."
            ),
        ]
        | UnsetType
    ) = UNSET


class Correlation(_Input, frozen=True):
    """A Spearman rank correlation between two ranged fields (a Gaussian copula)."""

    pointers: Annotated[list[Pointer], Meta(min_length=2, max_length=2)]
    rank: Annotated[float, Meta(ge=-1, le=1, description="Spearman's ρ, -1..1.")]


class Uncertainty(_Input, frozen=True):
    """Ranges for any of the request's variable fields: the answer adds the distribution of
    NPV, ROI and payback over them (docs/roi-model.md, "How sure")."""

    ranges: Annotated[list[Range], Meta(min_length=1, max_length=MAX_RANGES)]
    correlations: Annotated[
        list[Correlation], Meta(max_length=MAX_RANGES * (MAX_RANGES - 1) // 2)
    ] = []
    samples: Annotated[
        float,
        Meta(
            ge=MIN_SAMPLES,
            le=MAX_SAMPLES,
            multiple_of=1,
            description="A power of two from 1,024 to 16,384. samples × periods × lines may be "
            "at most 2^24.",
        ),
    ] = 8192.0
    seed: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=MAX_SEED,
                multiple_of=1,
                description="Default: derived from the calculation_id (the same request, the "
                "same distribution). At most 2^53 - 1, the largest whole number every JSON "
                "parser holds exactly (JavaScript's too).",
            ),
        ]
        | UnsetType
    ) = UNSET
    payback_within_months: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=MAX_HORIZON_MONTHS,
                multiple_of=1,
                description="The answer adds the probability of paying back within this many "
                "months (at most the horizon).",
            ),
        ]
        | UnsetType
    ) = UNSET


class PaybackRequest(_Input, frozen=True):
    """An investment and its benefit. The monthly model takes named ``benefits`` lines, or
    ``monthly_benefit`` or ``evaluation`` (an /evaluate request whose ``monthly_gain`` is
    used), not both, plus an optional ``productivity`` benefit (which may also stand alone). A
    ``schedule`` replaces the monthly model: it excludes the benefits above, ``costs`` and
    ``ramp_up_months``, and its length sets the horizon (``horizon_months`` is ignored)."""

    costs: Costs | UnsetType = UNSET
    monthly_benefit: Benefit | UnsetType = UNSET
    evaluation: EvaluateRequest | UnsetType = UNSET
    productivity: Productivity | UnsetType = UNSET
    schedule: Schedule | UnsetType = UNSET
    benefits: (
        Annotated[
            list[BenefitLine],
            Meta(
                min_length=1,
                max_length=MAX_BENEFIT_LINES,
                description="Named benefit lines, in place of monthly_benefit, evaluation and "
                "productivity.",
            ),
        ]
        | UnsetType
    ) = UNSET
    horizon_months: HorizonMonths = 12.0
    ramp_up_months: RampUpMonths | UnsetType = UNSET
    annual_discount_rate: AnnualRate = 0.0
    risk_adjustment: RiskAdjustment = field(default_factory=RiskAdjustment)
    currency: CurrencyCode = "UAH"
    scenarios: Scenarios = []
    solve: Solve | UnsetType = UNSET
    uncertainty: Uncertainty | UnsetType = UNSET
