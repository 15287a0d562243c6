"""An independent reference implementation of /work/shared/design/roi-model.md, for tests only.

Written from the page alone (not from ``service/calc``), as plainly as possible:

- every input is converted to an exact ``Fraction`` from its decimal text, ``Fraction(repr(x))``
  (the JSON number the client sent; types.py says the service does the same with ``Decimal``);
- rounding half-up is done by hand on exact fractions. For negative money "half-up" is taken as
  Decimal's ROUND_HALF_UP, i.e. half away from zero (-2.675 -> -2.68), so M(-x) = -M(x);
- discounting is exact too: df_t = (1 + r)^(-t/12) is an algebraic number, so discounted sums are
  kept as exact rational coordinates over the basis 1, y, ..., y^(d-1) with y = (1 + r)^(-1/12)
  reduced to its minimal power (see ``Discounting``). A sum is rational exactly when its
  irrational coordinates vanish; only then can it sit exactly on a rounding tie, and then it is
  rounded exactly. Otherwise it is evaluated with 80 significant digits, far more than the
  17 + 3 digits that can matter;
- the IRR is found by plain bisection in 60-digit ``Decimal`` arithmetic. Slow, but independent.

Spec lines are quoted in the comments as ``# spec: ...``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cached_property
from typing import Literal

from msgspec import UNSET

from service.calc import EvaluateRequest, PaybackRequest

PREC = 80  # significant digits for every irrational quantity


def exact(x: float | int) -> Fraction:
    """The exact decimal value a JSON number stands for: 0.03 is 3/100, not the binary double."""
    if isinstance(x, int):
        return Fraction(x)
    return Fraction(repr(x))


def round_half_up(x: Fraction, places: int = 0) -> Fraction:
    """Round to ``places`` decimals, ties away from zero (2.675 -> 2.68, -2.675 -> -2.68)."""
    scale = Fraction(10) ** places
    magnitude = math.floor(abs(x) * scale + Fraction(1, 2))
    return Fraction(magnitude if x >= 0 else -magnitude) / scale


def to_decimal(x: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PREC
        return Decimal(x.numerator) / Decimal(x.denominator)


def money(x: Fraction, minor_unit: int) -> Decimal:
    """M: money rounded half-up to the minor unit, from the exact value; returned as Decimal."""
    rounded = round_half_up(x, minor_unit) * 10**minor_unit  # an integer now
    return Decimal(int(rounded)).scaleb(-minor_unit)


def to_float(x: Fraction) -> float:
    return float(x)  # Fraction -> float is correctly rounded


class ReferenceInvalid(ValueError):
    """A schema-valid request the page rejects (422): ``stage_indices`` are the offending stages."""

    def __init__(self, stage_indices: list[int]) -> None:
        super().__init__(f"invalid stages {stage_indices}")
        self.stage_indices = stage_indices


# ---------------------------------------------------------------------------------------------
# Evaluate
# ---------------------------------------------------------------------------------------------


@dataclass
class RefStage:
    name: str
    baseline: Fraction
    projected: Fraction
    baseline_conversion: Fraction | None
    projected_conversion: Fraction | None


@dataclass
class RefEvaluation:
    stages: list[RefStage]
    baseline_revenue: Decimal
    projected_revenue: Decimal
    revenue_uplift: Decimal
    revenue_uplift_ratio: Fraction | None
    monthly_gain: Decimal


def check_funnel(request: EvaluateRequest) -> list[int]:
    """Stages the page rejects (422)."""
    counts = [exact(stage.count) for stage in request.stages]
    uplifts = [exact(stage.uplift) for stage in request.stages]
    bad = []
    for i in range(1, len(counts)):
        # spec: "counts that grow down the funnel (c_i > c_{i-1})"
        grows = counts[i] > counts[i - 1]
        # spec: "a projected conversion above 100 % (c_i / c_{i-1} × (1 + u_i) > 1)"
        # (undefined, hence not rejected, when c_{i-1} = 0: then c_i = 0 too)
        above_100 = counts[i - 1] > 0 and counts[i] / counts[i - 1] * (1 + uplifts[i]) > 1
        if grows or above_100:
            bad.append(i)
    return bad


def evaluate(request: EvaluateRequest, minor_unit: int) -> RefEvaluation:
    bad = check_funnel(request)
    if bad:
        raise ReferenceInvalid(bad)

    # spec: "R rounds half-up to an integer in `whole_units` mode and is the identity in `exact`"
    def R(x: Fraction) -> Fraction:
        return round_half_up(x) if request.rounding == "whole_units" else x

    def M(x: Fraction) -> Fraction:
        return round_half_up(x, minor_unit)

    c = [exact(stage.count) for stage in request.stages]
    u = [exact(stage.uplift) for stage in request.stages]
    A = exact(request.average_deal_value)
    u_A = exact(request.average_deal_value_uplift)
    m = exact(request.gross_margin)

    # spec: "p_0 = R(c_0 × (1 + u_0))"
    p = [R(c[0] * (1 + u[0]))]
    for i in range(1, len(c)):
        # spec: "volume_i = R(c_i × p_{i-1} / c_{i-1})   (0 when c_{i-1} = 0)"
        volume = R(c[i] * p[i - 1] / c[i - 1]) if c[i - 1] != 0 else Fraction(0)
        # spec: "p_i = R(volume_i × (1 + u_i))"
        p.append(R(volume * (1 + u[i])))

    # spec: "baseline_revenue = M(c_last × A)"
    baseline_revenue = M(c[-1] * A)
    # spec: "projected_revenue = M(p_last × A × (1 + u_A))"
    projected_revenue = M(p[-1] * A * (1 + u_A))
    # spec: "revenue_uplift = projected_revenue - baseline_revenue"
    revenue_uplift = projected_revenue - baseline_revenue
    # spec: "revenue_uplift_ratio = revenue_uplift / baseline_revenue   (null when 0)"
    ratio = revenue_uplift / baseline_revenue if baseline_revenue != 0 else None
    # spec: "monthly_gain = M(revenue_uplift × m)"
    monthly_gain = M(revenue_uplift * m)

    stages = []
    for i, stage in enumerate(request.stages):
        # spec: "Baseline conversion into stage i is c_i / c_{i-1}; projected conversion is
        # p_i / p_{i-1}" and "(conversions null for the top stage)". Decided here: also null
        # where the stage above is 0 (0/0 has no value, and JSON has no NaN).
        baseline_conversion = c[i] / c[i - 1] if i > 0 and c[i - 1] != 0 else None
        projected_conversion = p[i] / p[i - 1] if i > 0 and p[i - 1] != 0 else None
        stages.append(RefStage(stage.name, c[i], p[i], baseline_conversion, projected_conversion))

    return RefEvaluation(
        stages=stages,
        baseline_revenue=money(baseline_revenue, minor_unit),
        projected_revenue=money(projected_revenue, minor_unit),
        revenue_uplift=money(revenue_uplift, minor_unit),
        revenue_uplift_ratio=ratio,
        monthly_gain=money(monthly_gain, minor_unit),
    )


# ---------------------------------------------------------------------------------------------
# Exact discounting
# ---------------------------------------------------------------------------------------------


def integer_root(n: int, k: int) -> int | None:
    """The integer k-th root of n >= 0 if n is a perfect k-th power, else None."""
    if n < 2:
        return n
    guess = round(math.exp(math.log(n) / k))
    for candidate in range(max(0, guess - 2), guess + 3):
        if candidate**k == n:
            return candidate
    # the float guess can be off for huge n: Newton's method on integers
    x = 1 << ((n.bit_length() + k - 1) // k)
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            break
        x = y
    return x if x**k == n else None


@dataclass(frozen=True)
class Alg:
    """An exact number Σ coords[j] × y^j (j < d) with rational coords (only the non-zero ones are
    stored); y^d = 1/s is rational and 1, y, ..., y^(d-1) are linearly independent over the
    rationals, so the number is rational exactly when no coordinate j >= 1 is stored."""

    coords: dict[int, Fraction]
    disc: Discounting

    def _combine(self, other: Alg, sign: int) -> Alg:
        coords = dict(self.coords)
        for j, a in other.coords.items():
            total = coords.get(j, Fraction(0)) + sign * a
            if total:
                coords[j] = total
            else:
                coords.pop(j, None)
        return Alg(coords, self.disc)

    def __add__(self, other: Alg) -> Alg:
        return self._combine(other, 1)

    def __sub__(self, other: Alg) -> Alg:
        return self._combine(other, -1)

    def scale(self, k: Fraction) -> Alg:
        if not k:
            return Alg({}, self.disc)
        return Alg({j: a * k for j, a in self.coords.items()}, self.disc)

    def is_rational(self) -> bool:
        return all(j == 0 for j in self.coords)

    def rational(self) -> Fraction:
        assert self.is_rational()
        return self.coords.get(0, Fraction(0))

    @cached_property
    def decimal(self) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = PREC
            total = sum(
                (to_decimal(a) * self.disc.y_powers[j] for j, a in self.coords.items()),
                Decimal(0),
            )
            return +total

    def sign(self) -> int:
        if self.is_rational():
            value = self.rational()
            return (value > 0) - (value < 0)
        # irrational, hence not 0: its 80-digit value has the right sign
        return 1 if self.decimal > 0 else -1

    def money(self, minor_unit: int) -> Decimal:
        """M of this exact value: exactly when rational (ties are possible), else from 80 digits
        (an irrational number is never a tie)."""
        if self.is_rational():
            return money(self.rational(), minor_unit)
        with localcontext() as ctx:
            ctx.prec = PREC
            return self.decimal.quantize(Decimal(1).scaleb(-minor_unit), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Discounting:
    """df_t = (1 + r)^(-t/12), exactly. Write 1 + r = s^k with k | 12 as large as possible; then
    df_t = y^t with y = s^(-1/d), d = 12 / k, and y has degree d over the rationals."""

    rate: Fraction
    s: Fraction = field(init=False)
    d: int = field(init=False)
    y: Decimal = field(init=False)

    def __post_init__(self) -> None:
        base = 1 + self.rate
        for k in (12, 6, 4, 3, 2, 1):
            num = integer_root(base.numerator, k)
            den = integer_root(base.denominator, k)
            if num is not None and den is not None:
                s, d = Fraction(num, den), 12 // k
                break
        object.__setattr__(self, "s", s)
        object.__setattr__(self, "d", d)
        with localcontext() as ctx:
            ctx.prec = PREC + 10
            y = (-(to_decimal(s).ln()) / d).exp() if s != 1 else Decimal(1)
        object.__setattr__(self, "y", y)

    @cached_property
    def y_powers(self) -> list[Decimal]:
        with localcontext() as ctx:
            ctx.prec = PREC + 10
            return [self.y**j for j in range(self.d)]

    def constant(self, x: Fraction) -> Alg:
        return Alg({0: x} if x else {}, self)

    def df(self, t: int) -> Alg:
        # spec: "df_t = (1 + r) ^ (-t / 12)" = y^t = y^(t mod d) × s^(-(t div d))
        return Alg({t % self.d: self.s ** -(t // self.d)}, self)


# ---------------------------------------------------------------------------------------------
# IRR by bisection
# ---------------------------------------------------------------------------------------------


def sign_changes(flows: list[Fraction]) -> int:
    signs = [1 if f > 0 else -1 for f in flows if f != 0]
    return sum(1 for a, b in itertools.pairwise(signs) if a != b)


def irr(flows: list[Fraction]) -> Decimal | None:
    """The rate where Σ flows_t / (1 + irr)^t = 0, or None with no sign change.

    Bisection on v = 1 / (1 + irr) > 0, where the polynomial f(v) = Σ flows_t v^t changes sign
    once (one sign change in the coefficients: Descartes gives exactly one positive root). Only
    flows with one sign change are supported (those are all /payback can produce).
    """
    changes = sign_changes(flows)
    if changes == 0:
        return None
    if changes > 1:
        raise NotImplementedError("more than one sign change")
    with localcontext() as ctx:
        ctx.prec = 60
        coefficients = [to_decimal(f) for f in flows]
        first = next(c for c in coefficients if c != 0)  # f(v) has this sign near v = 0

        def f(v: Decimal) -> Decimal:
            total = Decimal(0)
            for c in reversed(coefficients):  # Horner
                total = total * v + c
            return total

        def near_zero_side(v: Decimal) -> bool:
            value = f(v)
            return value != 0 and (value > 0) == (first > 0)

        lo = Decimal(1)
        while not near_zero_side(lo):
            lo /= 2
        hi = lo * 2
        while near_zero_side(hi):
            lo, hi = hi, hi * 2
        # now lo is on the near-zero side and hi is the root or beyond; hi <= 2 lo
        for _ in range(400):
            mid = (lo + hi) / 2
            if near_zero_side(mid):
                lo = mid
            else:
                hi = mid
            if hi - lo <= hi * Decimal("1e-45"):
                break
        v = (lo + hi) / 2
        return 1 / v - 1


# ---------------------------------------------------------------------------------------------
# Payback
# ---------------------------------------------------------------------------------------------


@dataclass
class RefCashFlow:
    month: int
    benefit: Decimal
    cost: Decimal
    net: Decimal
    discounted_net: Decimal
    cumulative: Decimal
    discounted_cumulative: Decimal


@dataclass
class RefPayback:
    monthly_benefit: Decimal
    risk_adjusted_monthly_benefit: Decimal
    one_time_costs: Decimal
    monthly_costs: Decimal
    payback_months: float | None
    discounted_payback_months: float | None
    total_benefits: Decimal
    total_costs: Decimal
    pv_benefits: Decimal
    pv_costs: Decimal
    npv: Decimal
    roi: float | None
    benefit_realization: float | None
    max_upfront_cost: Decimal
    irr_monthly: float | None
    irr_annual: float | None
    cash_flows: list[RefCashFlow]
    evaluation: RefEvaluation | None
    # exact values, for oracle tests
    net_flows: list[Fraction]


PaybackRule = Literal["never_owed", "nothing_at_month_0"]


def payback_time(cumulative: list[Alg], net: list[Alg], rule: PaybackRule) -> float | None:
    """spec: "where the cumulative net first turns non-negative in month t, payback = (t - 1) +
    (-cumulative_{t-1}) / net_t. 0 when nothing is owed; null when it does not pay back within H."

    Decided (rule "never_owed"): "nothing is owed" means the cumulative is never negative in
    months 0..H. Otherwise payback is where it first turns from negative to non-negative. (The
    other reading, "nothing_at_month_0": 0 whenever C_0 = 0, even if monthly costs then run the
    cumulative negative.)
    """
    signs = [c.sign() for c in cumulative]
    if rule == "nothing_at_month_0" and signs[0] >= 0:
        return 0.0
    if all(s >= 0 for s in signs):
        return 0.0
    for t in range(1, len(cumulative)):
        if signs[t - 1] < 0 <= signs[t]:
            owed, earned = cumulative[t - 1], net[t]
            if owed.is_rational() and earned.is_rational():
                return to_float(t - 1 + (-owed.rational()) / earned.rational())
            with localcontext() as ctx:
                ctx.prec = PREC
                return float(t - 1 + (-owed.decimal) / earned.decimal)
    return None


def payback(
    request: PaybackRequest, minor_unit: int, rule: PaybackRule = "never_owed"
) -> RefPayback:
    evaluation = None
    if request.evaluation is not UNSET:
        # spec: "`evaluation` (an /evaluate request, whose `monthly_gain` is used)"
        evaluation = evaluate(request.evaluation, minor_unit)
        stated_benefit = Fraction(evaluation.monthly_gain)
    else:
        stated_benefit = exact(request.monthly_benefit)

    # whole months (the schema accepts 12 and 12.0 alike); spec defaults: H = 12, R = 0
    H = int(request.horizon_months)
    R = 0 if request.ramp_up_months is UNSET else int(request.ramp_up_months)
    one_time_lines = [] if request.costs is UNSET else request.costs.one_time
    monthly_lines = [] if request.costs is UNSET else request.costs.monthly
    r = exact(request.annual_discount_rate)
    risk_benefits = exact(request.risk_adjustment.benefits)
    risk_costs = exact(request.risk_adjustment.costs)

    # spec: "B = monthly_benefit × (1 - risk_benefits)"
    B = stated_benefit * (1 - risk_benefits)
    # spec: "C_0 = Σ one_time × (1 + risk_costs)   at month 0"
    C_0 = sum((exact(line.amount) for line in one_time_lines), Fraction(0)) * (1 + risk_costs)
    # spec: "C_m = Σ monthly × (1 + risk_costs)   each month 1..H"
    C_m = sum((exact(line.amount) for line in monthly_lines), Fraction(0)) * (1 + risk_costs)

    # spec: "ramp_t = 1 if R = 0 else min(1, t / R)"
    def ramp(t: int) -> Fraction:
        return Fraction(1) if R == 0 else min(Fraction(1), Fraction(t, R))

    # spec: "benefit_t = B × ramp_t,  net_0 = -C_0,  net_t = benefit_t - C_m   (t = 1..H)"
    benefit = [Fraction(0)] + [B * ramp(t) for t in range(1, H + 1)]
    cost = [C_0] + [C_m] * H
    net = [b - c for b, c in zip(benefit, cost, strict=True)]

    disc = Discounting(r)
    df = [disc.df(t) for t in range(H + 1)]  # df_0 = 1
    # spec: "PV_benefits = Σ benefit_t df_t,  PV_costs = C_0 + Σ C_m df_t"
    pv_benefits = disc.constant(Fraction(0))
    pv_costs = disc.constant(C_0)
    for t in range(1, H + 1):
        pv_benefits += df[t].scale(benefit[t])
        pv_costs += df[t].scale(C_m)
    # spec: "npv = PV_benefits - PV_costs"
    npv = pv_benefits - pv_costs
    # spec: "roi = npv / PV_costs   (null when PV_costs, rounded to the minor unit, is 0)"
    if pv_costs.sign() == 0 or pv_costs.money(minor_unit) == 0:
        roi = None
    elif npv.is_rational() and pv_costs.is_rational():
        roi = to_float(npv.rational() / pv_costs.rational())
    else:
        with localcontext() as ctx:
            ctx.prec = PREC
            roi = float(npv.decimal / pv_costs.decimal)
    # spec (model 2, "What the answer adds"): "benefit_realization = PV_costs / PV_benefits (null
    # when PV_benefits = 0)"; like roi, null when the PV of benefits shown is 0
    if pv_benefits.sign() == 0 or pv_benefits.money(minor_unit) == 0:
        benefit_realization = None
    elif pv_costs.is_rational() and pv_benefits.is_rational():
        benefit_realization = to_float(pv_costs.rational() / pv_benefits.rational())
    else:
        with localcontext() as ctx:
            ctx.prec = PREC
            benefit_realization = float(pv_costs.decimal / pv_benefits.decimal)
    # spec: "max_upfront_cost = M(C_0 + npv), where C_0 is the month-0 cost"
    max_upfront_cost = (disc.constant(C_0) + npv).money(minor_unit)

    # spec: "irr_monthly: the rate where Σ net_t / (1 + irr)^t = 0 (null with no sign change)"
    irr_m = irr(net)
    # spec: "irr_annual = (1 + irr_monthly)^12 - 1"
    if irr_m is None:
        irr_monthly = irr_annual = None
    else:
        with localcontext() as ctx:
            ctx.prec = 60
            irr_monthly, irr_annual = float(irr_m), float((1 + irr_m) ** 12 - 1)

    # spec: "total_benefits = Σ benefit_t,  total_costs = C_0 + H × C_m   (undiscounted)"
    total_benefits = sum(benefit, Fraction(0))
    total_costs = C_0 + H * C_m

    # cash flows, t = 0..H; every money figure is its exact value rounded once
    cumulative, discounted_net, discounted_cumulative = [], [], []
    running = Fraction(0)
    running_discounted = disc.constant(Fraction(0))
    for t in range(H + 1):
        running += net[t]
        cumulative.append(running)
        discounted_net.append(df[t].scale(net[t]))
        running_discounted += discounted_net[-1]
        discounted_cumulative.append(running_discounted)
    cash_flows = [
        RefCashFlow(
            month=t,
            benefit=money(benefit[t], minor_unit),
            cost=money(cost[t], minor_unit),
            net=money(net[t], minor_unit),
            discounted_net=discounted_net[t].money(minor_unit),
            cumulative=money(cumulative[t], minor_unit),
            discounted_cumulative=discounted_cumulative[t].money(minor_unit),
        )
        for t in range(H + 1)
    ]

    payback_months = payback_time(
        [disc.constant(c) for c in cumulative], [disc.constant(n) for n in net], rule
    )
    # spec: "`discounted_payback_months`: the same on the discounted flows net_t × df_t"
    discounted_payback_months = payback_time(discounted_cumulative, discounted_net, rule)

    return RefPayback(
        # spec: "`monthly_benefit` (the benefit before risk adjustment)"
        monthly_benefit=money(stated_benefit, minor_unit),
        risk_adjusted_monthly_benefit=money(B, minor_unit),
        one_time_costs=money(C_0, minor_unit),
        monthly_costs=money(C_m, minor_unit),
        payback_months=payback_months,
        discounted_payback_months=discounted_payback_months,
        total_benefits=money(total_benefits, minor_unit),
        total_costs=money(total_costs, minor_unit),
        pv_benefits=pv_benefits.money(minor_unit),
        pv_costs=pv_costs.money(minor_unit),
        npv=npv.money(minor_unit),
        roi=roi,
        benefit_realization=benefit_realization,
        max_upfront_cost=max_upfront_cost,
        irr_monthly=irr_monthly,
        irr_annual=irr_annual,
        cash_flows=cash_flows,
        evaluation=evaluation,
        net_flows=net,
    )
