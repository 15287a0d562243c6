"""The investment: payback, discounting, NPV, ROI and IRR (roi-model.md, "Payback"), for the
monthly model and for explicit schedules, with scenarios and the yearly table."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from itertools import accumulate, chain, count, groupby, islice, pairwise, repeat
from operator import mul, sub
from typing import NamedTuple

from msgspec import UNSET
from msgspec.structs import replace

from .answers import (
    BreakEven,
    CashFlow,
    EvaluateResponse,
    PaybackResponse,
    PaybackScenario,
    YearRow,
)
from .errors import ModelError, Violation
from .funnel import (
    assumptions,
    check_funnel,
    checked_evaluate,
    project,
    scaled,
    too_much_uplift,
)
from .irr import irr_of_runs
from .money import CONTEXT, EXACT, ONE, ZERO, exact, money_quantum, round_money
from .types import MAX_HORIZON_MONTHS, MAX_SCHEDULE_PERIODS, PaybackRequest
from .version import MODEL_VERSION, calculation_id


class Flows(NamedTuple):
    """Benefits and costs per period, t = 0..N, exact; a period is 1 or 12 months.

    As runs of equal consecutive periods, (benefit_t, cost_t, how many periods), in order: the
    monthly model is month 0, the months of the ramp, then one run of equal months."""

    runs: list[tuple[Decimal, Decimal, int]]
    period_months: int


class Outcome(NamedTuple):
    """What a series of flows is worth (exact); with a minor unit, also the answer's rows."""

    payback_periods: Decimal | None
    discounted_payback_periods: Decimal | None
    total_benefits: Decimal
    total_costs: Decimal
    pv_benefits: Decimal
    pv_costs: Decimal
    irr_period: float | None
    cash_flows: list[CashFlow]  # t = 0..N, rounded (only with a minor unit)
    # running totals at the end of each year (_year_ends): benefits, costs, PV benefits, PV costs
    # (without discounting, the PV lists are the benefits and costs lists themselves)
    year_totals: tuple[list[Decimal], list[Decimal], list[Decimal], list[Decimal]]


class MonthlyBenefit(NamedTuple):
    total: (
        Decimal  # before risk adjustment: the given benefit (or evaluation's gain) + productivity
    )
    productivity: Decimal | None


def benefit_conflict(request: PaybackRequest) -> Violation | None:
    """The rule the schema states with ``oneOf``: one benefit source (see PaybackRequest)."""
    given = {
        name
        for name in ("monthly_benefit", "evaluation", "productivity", "schedule")
        if getattr(request, name) is not UNSET
    }
    if "schedule" in given:
        clash = sorted(given - {"schedule"}) + [
            name for name in ("costs", "ramp_up_months") if getattr(request, name) is not UNSET
        ]
        if clash:
            return Violation("", f"a schedule replaces the monthly model; drop {', '.join(clash)}")
        return None
    if {"monthly_benefit", "evaluation"} <= given:
        return Violation("", "give exactly one of 'monthly_benefit' or 'evaluation'")
    if not given:
        return Violation(
            "", "give a benefit: 'monthly_benefit', 'evaluation', 'productivity' or 'schedule'"
        )
    return None


def check_payback(request: PaybackRequest) -> list[Violation]:
    """What the model rejects: a ramp longer than the horizon; schedule rows of unequal length;
    an embedded evaluation in another currency or with a funnel the model rejects; scenarios
    whose scaled uplifts the funnel cannot take."""
    violations = []
    ramp = 0.0 if request.ramp_up_months is UNSET else request.ramp_up_months
    if ramp > request.horizon_months:
        violations.append(Violation(
            "/ramp_up_months",
            f"the ramp-up ({ramp:g} months) is longer than the horizon "
            f"({request.horizon_months:g} months)",
        ))  # fmt: skip
    schedule = request.schedule
    if schedule is not UNSET and len(schedule.costs) != len(schedule.benefits):
        violations.append(Violation(
            "/schedule/benefits",
            f"{len(schedule.benefits)} benefits for {len(schedule.costs)} costs; "
            "give one of each per period",
        ))  # fmt: skip
    evaluation = request.evaluation
    if evaluation is not UNSET:
        if evaluation.currency != request.currency:
            violations.append(Violation(
                "/evaluation/currency",
                f"the evaluation is in {evaluation.currency} but the payback in "
                f"{request.currency}; use one currency",
            ))  # fmt: skip
        given = assumptions(evaluation)
        violations.extend(check_funnel(evaluation, "/evaluation", given))
        if not violations:
            for index, scenario in enumerate(request.scenarios):
                with localcontext(EXACT):
                    uplifts = scaled(given, exact(scenario.effect_scale)).uplifts
                    too_much = too_much_uplift(given.counts, uplifts)
                if too_much is not None:
                    violations.append(Violation(
                        f"/scenarios/{index}/effect_scale",
                        f"scaled by {scenario.effect_scale:g}, an uplift of the evaluation falls "
                        "below -100 % or lifts a conversion past 100 %",
                    ))  # fmt: skip
    return violations


def payback(request: PaybackRequest, minor_unit: int, language: str = "en") -> PaybackResponse:
    """The business case period by period (t = 0..N). Monthly model:

    B = benefit (1 - risk_benefits); C_0 = Σ one_time (1 + risk_costs);
    C_m = Σ monthly (1 + risk_costs); benefit_t = B min(1, t/R); net_0 = -C_0;
    net_t = benefit_t - C_m; df_t = (1 + r)^(-t/12).

    A schedule gives benefit_t and cost_t itself (risk-adjusted the same way), discounted by
    (1 + r)^-t a year or (1 + r)^(-t/12) a month. Then npv = PV_benefits - PV_costs,
    roi = npv / PV_costs, IRR where Σ net_t (1 + irr)^-t = 0, and payback where the cumulative
    net first turns non-negative, interpolated within the period.
    """
    conflict = benefit_conflict(request)
    violations = ([conflict] if conflict else []) + check_payback(request)
    if violations:
        raise ModelError(violations)
    evaluation = None
    if request.evaluation is not UNSET:  # checked above, with the rest of the request
        given = assumptions(request.evaluation)
        evaluation = checked_evaluate(request.evaluation, given, minor_unit, language)
    with localcontext(CONTEXT):
        flows, benefit = _flows(request, minor_unit, ONE, evaluation)
        rate = exact(request.annual_discount_rate)
        result = outcome(flows, rate, minor_unit)
        return _answer(
            request, minor_unit, flows, benefit=benefit, result=result, evaluation=evaluation
        )


def _monthly_benefit(
    request: PaybackRequest, minor_unit: int, scale: Decimal, evaluation: EvaluateResponse | None
) -> MonthlyBenefit:
    """The benefit a month at full effect, before risk, with the CRM's effects times ``scale``."""
    total = ZERO
    if request.evaluation is not UNSET and evaluation is not None:
        if scale == ONE:
            total = evaluation.monthly_gain
        else:
            with localcontext(EXACT):  # the funnel's own, exact arithmetic
                given = scaled(assumptions(request.evaluation), scale)
                whole = request.evaluation.rounding == "whole_units"
                total = project(given, minor_unit, whole).monthly_gain
    elif request.monthly_benefit is not UNSET:
        total = exact(request.monthly_benefit) * scale
    productivity = None
    if request.productivity is not UNSET:
        p = request.productivity
        productivity = (
            exact(p.users)
            * exact(p.hours_saved_per_user_per_month)
            * exact(p.loaded_hourly_cost)
            * exact(p.realization)
            * scale
        )
        total += productivity
    return MonthlyBenefit(total, productivity)


def _flows(
    request: PaybackRequest, minor_unit: int, scale: Decimal, evaluation: EvaluateResponse | None
) -> tuple[Flows, MonthlyBenefit | None]:
    """The flows of the request (risk-adjusted), with the CRM's effects times ``scale``."""
    keep = ONE - exact(request.risk_adjustment.benefits)
    cost_factor = ONE + exact(request.risk_adjustment.costs)
    if request.schedule is not UNSET:
        schedule = request.schedule
        pairs = groupby(zip(
            [exact(amount) * scale * keep for amount in schedule.benefits],
            [exact(amount) * cost_factor for amount in schedule.costs],
            strict=True,
        ))  # fmt: skip
        return Flows(
            runs=[(benefit, cost, len(list(run))) for (benefit, cost), run in pairs],
            period_months=12 if schedule.period == "year" else 1,
        ), None
    benefit = _monthly_benefit(request, minor_unit, scale, evaluation)
    full = benefit.total * keep
    costs = request.costs
    one_time = sum((exact(line.amount) for line in costs.one_time), ZERO) if costs else ZERO
    monthly = sum((exact(line.amount) for line in costs.monthly), ZERO) if costs else ZERO
    horizon = int(request.horizon_months)
    ramp = 0 if request.ramp_up_months is UNSET else int(request.ramp_up_months)  # <= horizon
    monthly_cost = monthly * cost_factor
    runs = [(ZERO, one_time * cost_factor, 1)]  # month 0: C_0
    runs += [(full * t / ramp, monthly_cost, 1) for t in range(1, ramp)]  # B t/R, C_m
    runs.append((full, monthly_cost, horizon + 1 - max(ramp, 1)))  # t >= R: B, C_m
    return Flows(runs=runs, period_months=1), benefit


def outcome(flows: Flows, annual_rate: Decimal, minor_unit: int | None = None) -> Outcome:
    """Totals, present values, payback (simple and discounted) and the IRR of the flows; with
    ``minor_unit``, also the rows of the answer and the yearly running totals.

    Every value is the one the formulas give when each period is added in turn, in CONTEXT:
    net_t = benefit_t - cost_t, cumulative_t = cumulative_{t-1} + net_t, discounted_net_t =
    net_t df_t, and the totals Σ benefit_t, Σ cost_t, Σ benefit_t df_t, Σ cost_t df_t as
    running sums. The sums run at C speed (``accumulate``, ``sum``), or in one multiplication
    where no sum can round (_sums_at); the values are the same.
    """
    runs = flows.runs
    counts = [count for _, _, count in runs]
    periods = sum(counts)  # N + 1
    nets = [benefit - cost for benefit, cost, _ in runs]
    net_column = chain.from_iterable(map(repeat, nets, counts))
    cumulative = (
        None if minor_unit is None else _cumulative_in_minor_units(nets, counts, minor_unit)
    )
    cumulative_rounded = cumulative is not None
    if cumulative is None:
        cumulative = list(accumulate(net_column))
    if annual_rate:
        factors = _discount_factors(annual_rate, flows.period_months)[:periods]
        net_column = chain.from_iterable(map(repeat, nets, counts))
        discounted_nets = list(map(mul, net_column, factors))
        discounted_cumulative = list(accumulate(discounted_nets))
    else:  # df_t = 1: the discounted flows are the flows
        factors = None
        discounted_nets, discounted_cumulative = [], cumulative
    ends = [periods - 1] if minor_unit is None else _year_ends(periods, flows.period_months)
    benefit_runs = [(benefit, count) for benefit, _, count in runs]
    cost_runs = [(cost, count) for _, cost, count in runs]
    benefits, costs = _sums_at(benefit_runs, ends), _sums_at(cost_runs, ends)
    if factors is None:
        pv_benefits, pv_costs = benefits, costs
    else:
        pv_benefits = _sums_at(benefit_runs, ends, factors)
        pv_costs = _sums_at(cost_runs, ends, factors)
    spans = _spans(counts, nets)
    payback_periods = payback_time(cumulative, spans)
    rows: list[CashFlow] = []
    if minor_unit is not None:
        rows = _cash_flows(
            flows,
            minor_unit,
            nets,
            discounted_nets,
            cumulative if cumulative_rounded else None,
            cumulative,
            discounted_cumulative,
        )
    return Outcome(
        payback_periods=payback_periods,
        discounted_payback_periods=(
            payback_periods if factors is None else payback_time(discounted_cumulative, spans)
        ),
        total_benefits=benefits[-1],
        total_costs=costs[-1],
        pv_benefits=pv_benefits[-1],
        pv_costs=pv_costs[-1],
        irr_period=irr_of_runs(
            [(float(net), count) for net, count in zip(nets, counts, strict=True)]
        ),
        cash_flows=rows,
        year_totals=(benefits, costs, pv_benefits, pv_costs),
    )


# Sums below 10^(49 - minor unit) in whole minor units have at most 49 digits: they are exact.
_EXACT_SUMS = {digits: Decimal(1).scaleb(49 - digits) for digits in range(10)}


def _cumulative_in_minor_units(
    nets: list[Decimal], counts: list[int], minor_unit: int
) -> list[Decimal] | None:
    """The cumulative net, already rounded, when every net is a whole number of minor units
    and Σ |net_t| is below ``_EXACT_SUMS``: then every cumulative sum is exact and is its own
    M, and summing the rounded nets (the same values, written to the minor unit) gives the
    cumulative and its M at once. None otherwise."""
    quantum, zero = money_quantum(minor_unit)
    rounded = [Decimal.quantize(net, quantum, ROUND_HALF_UP, CONTEXT) or zero for net in nets]
    if rounded != nets or sum(map(mul, map(abs, nets), counts), ZERO) >= _EXACT_SUMS[minor_unit]:
        return None
    return list(accumulate(chain.from_iterable(map(repeat, rounded, counts))))


_FACTORS: dict[tuple[Decimal, int], list[Decimal]] = {}
_FACTORS_CACHE_SIZE = 64
_MAX_PERIODS = max(MAX_SCHEDULE_PERIODS, MAX_HORIZON_MONTHS + 1)


def _discount_factors(annual_rate: Decimal, period_months: int) -> list[Decimal]:
    """df_t = (1 + r)^(-t p / 12) for every period t a request can have (p months a period), in
    CONTEXT: exactly (1 + r)^-years at whole years (0.5 at r = 100 % is 0.5, not 0.4999...),
    else the factor before times (1 + r)^(-p/12).

    Memoised (bounded) by (r, p): a handful of rates recur, and each factor is a Decimal power
    or product."""
    key = (annual_rate, period_months)
    factors = _FACTORS.get(key)
    if factors is None:
        with localcontext(CONTEXT):
            growth = ONE + annual_rate
            per_period = growth ** (Decimal(-period_months) / 12)
            per_year = 12 // period_months
            factors = []
            discount = ONE
            for t in range(_MAX_PERIODS):
                discount = (
                    growth ** -(t // per_year) if t % per_year == 0 else discount * per_period
                )
                factors.append(discount)
        if len(_FACTORS) >= _FACTORS_CACHE_SIZE:
            _FACTORS.clear()
        _FACTORS[key] = factors
    return factors


# A value quantized to an exponent in 49 digits exists (is not NaN) only below 10^(49 + exponent).
_PROBE = Context(prec=49, traps=[])
_WIDE = Context(prec=1000, traps=[])


def _sums_at(
    runs: list[tuple[Decimal, int]], ends: list[int], factors: list[Decimal] | None = None
) -> list[Decimal]:
    """Σ_{s <= t} value_s (times df_s with ``factors``) for each t of ``ends`` (ascending): the
    running total of the values added one period at a time in CONTEXT, as the formulas read.

    Adding 0 changes no total, so runs of zeros are skipped. A run of m equal values added to
    T gives T + j value after j periods, in one multiplication, where none of those sums can
    round: all lie between T and T + m value (a straight line), all are multiples of 10^e (e
    the smaller exponent of T and the value), so none needs more than 49 digits when neither end
    does (_PROBE). Elsewhere, and with discount factors, the values are added in turn (``sum``).
    """
    totals = []
    total = ZERO
    start = 0  # the run's first period
    pending = iter(ends)
    end = next(pending, None)
    for value, length in runs:
        stop = start + length
        inside = []  # the ends within the run
        while end is not None and end < stop:
            inside.append(end)
            end = next(pending, None)
        if not value:
            totals += [total] * len(inside)
        elif factors is None and length > 1 and _exact_run(total, value, length):
            totals += [total + value * (t + 1 - start) for t in inside]
            total += value * length
        else:
            column: Iterable[Decimal] = repeat(value)
            if factors is not None:
                column = map(value.__mul__, factors[start:stop])
            added = start
            for t in inside:
                total = sum(islice(column, t + 1 - added), total)
                totals.append(total)
                added = t + 1
            total = sum(islice(column, stop - added), total)
        start = stop
    return totals


def _exact_run(total: Decimal, value: Decimal, count: int) -> bool:
    """Whether total + value + ... + value (``count`` times) never rounds in 50 digits."""
    last = _WIDE.fma(value, count, total)  # not exact only when far beyond 49 digits
    largest = max(abs(total), abs(last))
    return not (largest.quantize(total, None, _PROBE).is_nan() or
                largest.quantize(value, None, _PROBE).is_nan())  # fmt: skip


def _spans(counts: list[int], nets: list[Decimal]) -> list[tuple[int, int, bool]]:
    """The runs as (first period, last period, whether the cumulative net rises through it):
    a cumulative sum of one net (or of it times positive factors) is monotonic in a run."""
    starts = [0, *accumulate(counts)]
    return [
        (start, start + count - 1, net >= ZERO)
        for start, count, net in zip(starts, counts, nets, strict=False)
    ]


def payback_time(cumulative: list[Decimal], spans: list[tuple[int, int, bool]]) -> Decimal | None:
    """When the investment is earned back for good: 0 when nothing is ever owed; else the
    period t where the cumulative net turns non-negative for the last time, interpolated,
    (t - 1) + (-cumulative_{t-1}) / net_t; None while something is still owed at the end.

    The last period owed is found run by run from the end (``spans``): in a rising run the
    periods owed come first, in a falling one last."""
    for first, last, rising in reversed(spans):
        if cumulative[last] < ZERO:
            owed = last
            break
        if rising and cumulative[first] < ZERO:
            owed = bisect_left(cumulative, ZERO, first, last) - 1
            break
    else:
        return ZERO
    if owed == len(cumulative) - 1:
        return None
    return owed + -cumulative[owed] / (cumulative[owed + 1] - cumulative[owed])


def _year_ends(periods: int, period_months: int) -> list[int]:
    """The period that ends each row of the yearly table: 0, then every year, then the last."""
    per_year = 12 // period_months
    last = periods - 1
    return [0, *range(per_year, last, per_year), last] if last else [0]


def _cash_flows(  # noqa: PLR0917  the columns of the rows
    flows: Flows,
    minor_unit: int,
    nets: list[Decimal],
    discounted_nets: list[Decimal],
    rounded_cumulative: list[Decimal] | None,
    cumulative: list[Decimal],
    discounted_cumulative: list[Decimal],
) -> list[CashFlow]:
    """The answer's rows t = 0..N: M of every value. Equal periods share their rounded values;
    ``rounded_cumulative`` is M(cumulative) when already known."""
    # The hottest loop of the service: M inlined (see money_quantum).
    (e, zero), q, up, ctx = money_quantum(minor_unit), Decimal.quantize, ROUND_HALF_UP, CONTEXT
    runs, months = flows.runs, flows.period_months
    if rounded_cumulative is None:
        rounded_cumulative = [q(x, e, up, ctx) or zero for x in cumulative]
    # A row per period from its run's template: only the period and the running values differ.
    templates = [
        CashFlow(
            month=0, period=0, benefit=q(benefit, e, up, ctx) or zero,
            cost=q(cost, e, up, ctx) or zero, net=net, discounted_net=net, cumulative=zero,
            discounted_cumulative=zero,
        )
        for (benefit, cost, _), net in zip(runs, [q(x, e, up, ctx) or zero for x in nets],
                                           strict=True)
    ]  # fmt: skip
    rows = chain.from_iterable(map(repeat, templates, [length for _, _, length in runs]))
    if not discounted_nets:  # no discounting: the discounted flows are the flows
        return [
            replace(row, month=t * months, period=t, cumulative=cumulative,
                    discounted_cumulative=cumulative)
            for t, row, cumulative in zip(count(), rows, rounded_cumulative)
        ]  # fmt: skip
    return [
        replace(
            row, month=t * months, period=t, discounted_net=q(discounted, e, up, ctx) or zero,
            cumulative=cumulative,
            discounted_cumulative=q(discounted_cumulative, e, up, ctx) or zero,
        )
        for t, row, discounted, cumulative, discounted_cumulative in zip(
            count(), rows, discounted_nets, rounded_cumulative, discounted_cumulative
        )
    ]  # fmt: skip


def _answer(
    request: PaybackRequest,
    minor_unit: int,
    flows: Flows,
    *,
    benefit: MonthlyBenefit | None,
    result: Outcome,
    evaluation: EvaluateResponse | None,
) -> PaybackResponse:
    (e, zero), q, up, ctx = money_quantum(minor_unit), Decimal.quantize, ROUND_HALF_UP, CONTEXT

    def money(value: Decimal) -> Decimal:
        return q(value, e, up, ctx) or zero

    periods = flows.period_months
    monthly = request.schedule is UNSET
    keep = ONE - exact(request.risk_adjustment.benefits)
    runs = flows.runs
    irr_monthly, irr_annual = _rates(result.irr_period, periods)
    total_benefits, total_costs = money(result.total_benefits), money(result.total_costs)
    # the same Decimal (undiscounted, see outcome) rounds once
    pv_benefits = (
        total_benefits if result.pv_benefits is result.total_benefits else money(result.pv_benefits)
    )
    pv_costs = total_costs if result.pv_costs is result.total_costs else money(result.pv_costs)
    payback_periods = _float(result.payback_periods)
    discounted_payback_periods = (
        payback_periods
        if result.discounted_payback_periods is result.payback_periods
        else _float(result.discounted_payback_periods)
    )
    return PaybackResponse(
        currency=request.currency,
        monthly_benefit=None if benefit is None else money(benefit.total),
        productivity_monthly_benefit=(
            None if benefit is None or benefit.productivity is None else money(benefit.productivity)
        ),
        risk_adjusted_monthly_benefit=None if benefit is None else money(benefit.total * keep),
        one_time_costs=money(runs[0][1]),
        monthly_costs=money(runs[1][1]) if monthly and len(runs) > 1 else None,
        horizon_months=(len(result.cash_flows) - 1) * periods,
        ramp_up_months=0 if request.ramp_up_months is UNSET else int(request.ramp_up_months),
        period="month" if periods == 1 else "year",
        payback_periods=payback_periods,
        discounted_payback_periods=discounted_payback_periods,
        # x × 1 is x (50 digits hold it): a period is a month or 12 of them
        payback_months=(
            payback_periods if periods == 1 else _float(result.payback_periods, periods)
        ),
        discounted_payback_months=(
            discounted_payback_periods
            if periods == 1
            else _float(result.discounted_payback_periods, periods)
        ),
        total_benefits=total_benefits,
        total_costs=total_costs,
        pv_benefits=pv_benefits,
        pv_costs=pv_costs,
        npv=money(result.pv_benefits - result.pv_costs),
        roi=_roi(result, pv_costs),
        irr_monthly=irr_monthly,
        irr_annual=irr_annual,
        irr_period=result.irr_period,
        cash_flows=result.cash_flows,
        years=_years(result.year_totals, len(result.cash_flows), flows.period_months, minor_unit),
        evaluation=evaluation,
        scenarios=[
            _scenario(request, minor_unit, scenario.name, scenario.effect_scale, evaluation)
            for scenario in request.scenarios
        ],
        break_even=BreakEven(
            benefit_realization=(
                float(result.pv_costs / result.pv_benefits) if pv_benefits else None
            ),
            # runs[0] is period 0, whose cost is C_0; its discount factor is 1
            max_upfront_cost=money(runs[0][1] + result.pv_benefits - result.pv_costs),
        ),
        model_version=MODEL_VERSION,
        calculation_id=calculation_id(request),
    )


def _scenario(
    request: PaybackRequest,
    minor_unit: int,
    name: str,
    scale: float,
    evaluation: EvaluateResponse | None,
) -> PaybackScenario:
    flows, benefit = _flows(request, minor_unit, exact(scale), evaluation)
    result = outcome(flows, exact(request.annual_discount_rate))
    irr_monthly, irr_annual = _rates(result.irr_period, flows.period_months)
    return PaybackScenario(
        name=name,
        effect_scale=scale,
        monthly_benefit=None if benefit is None else round_money(benefit.total, minor_unit),
        payback_months=_float(result.payback_periods, flows.period_months),
        discounted_payback_months=_float(result.discounted_payback_periods, flows.period_months),
        total_benefits=round_money(result.total_benefits, minor_unit),
        total_costs=round_money(result.total_costs, minor_unit),
        pv_benefits=round_money(result.pv_benefits, minor_unit),
        pv_costs=round_money(result.pv_costs, minor_unit),
        npv=round_money(result.pv_benefits - result.pv_costs, minor_unit),
        roi=_roi(result, round_money(result.pv_costs, minor_unit)),
        irr_monthly=irr_monthly,
        irr_annual=irr_annual,
    )


def _years(
    year_totals: tuple[list[Decimal], list[Decimal], list[Decimal], list[Decimal]],
    periods: int,
    period_months: int,
    minor_unit: int,
) -> list[YearRow]:
    """Year 0 (the initial period), then one row per year; rows are differences of rounded
    running totals (taken at each year's end, see _year_ends), so they add up exactly to the
    rounded totals. Column by column; undiscounted PV columns are the plain ones."""
    (e, zero), q, up, ctx = money_quantum(minor_unit), Decimal.quantize, ROUND_HALF_UP, CONTEXT

    def differences(running: list[Decimal]) -> list[Decimal]:
        rounded = [q(value, e, up, ctx) or zero for value in running]
        return list(map(sub, rounded, [ZERO, *rounded[:-1]]))

    benefit_totals, cost_totals, pv_benefit_totals, pv_cost_totals = year_totals
    benefits, costs = differences(benefit_totals), differences(cost_totals)
    same = pv_benefit_totals is benefit_totals and pv_cost_totals is cost_totals
    pv_benefits = benefits if same else differences(pv_benefit_totals)
    pv_costs = costs if same else differences(pv_cost_totals)
    ends = _year_ends(periods, period_months)
    lengths = [0, *((end - before) * period_months for before, end in pairwise(ends))]
    return [
        YearRow(
            year=year, months=months, benefits=benefits, costs=costs, net=benefits - costs,
            pv_benefits=pv_benefits, pv_costs=pv_costs,
        )
        for year, months, benefits, costs, pv_benefits, pv_costs in zip(
            count(), lengths, benefits, costs, pv_benefits, pv_costs, strict=False
        )
    ]  # fmt: skip


def _rates(irr_period: float | None, period_months: int) -> tuple[float | None, float | None]:
    """The period's IRR as monthly and annual rates: (1 + irr)^(1/p) - 1, (1 + irr)^(12/p) - 1."""
    if irr_period is None:
        return None, None
    if irr_period <= -1:
        return -1.0, -1.0
    growth = math.log1p(irr_period)
    try:
        annual: float | None = math.expm1(growth * 12 / period_months)
    except OverflowError:  # beyond a float (a monthly rate above ~5e24): no annual figure
        annual = None
    return math.expm1(growth / period_months), annual


def _roi(result: Outcome, shown_pv_costs: Decimal) -> float | None:
    """npv / PV_costs; null when the PV of costs the answer shows is zero (a cost that rounds
    to nothing, 0.4 JPY, would otherwise give a ratio of figures shown as 0)."""
    if not shown_pv_costs:
        return None
    return float((result.pv_benefits - result.pv_costs) / result.pv_costs)


def _float(value: Decimal | None, times: int = 1) -> float | None:
    return None if value is None else float(value * times)
