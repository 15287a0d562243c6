"""The investment: payback, discounting, NPV, ROI and IRR (roi-model.md, "Payback"), for the
monthly model and for explicit schedules, with scenarios and the yearly table."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import NamedTuple

from msgspec import UNSET

from .answers import CashFlow, EvaluateResponse, PaybackResponse, PaybackScenario, YearRow
from .errors import ModelError, Violation
from .funnel import (
    assumptions,
    check_funnel,
    checked_evaluate,
    project,
    scaled,
    too_much_uplift,
)
from .irr import irr
from .money import CONTEXT, EXACT, ONE, ZERO, exact, money_quantum, round_money
from .types import PaybackRequest


class Flows(NamedTuple):
    """Benefits and costs per period, t = 0..N, exact; a period is 1 or 12 months."""

    benefits: list[Decimal]
    costs: list[Decimal]
    period_months: int


class Outcome(NamedTuple):
    """What a series of flows is worth (exact), and its discount factors."""

    payback_periods: Decimal | None
    discounted_payback_periods: Decimal | None
    total_benefits: Decimal
    total_costs: Decimal
    pv_benefits: Decimal
    pv_costs: Decimal
    irr_period: float | None
    nets: list[Decimal]
    discounted_nets: list[Decimal]
    cumulative: list[Decimal]
    discounted_cumulative: list[Decimal]
    # running totals after each period: benefits, costs, PV benefits, PV costs
    running_totals: list[tuple[Decimal, Decimal, Decimal, Decimal]]


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
        result = outcome(flows, rate)
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
        return Flows(
            benefits=[exact(amount) * scale * keep for amount in schedule.benefits],
            costs=[exact(amount) * cost_factor for amount in schedule.costs],
            period_months=12 if schedule.period == "year" else 1,
        ), None
    benefit = _monthly_benefit(request, minor_unit, scale, evaluation)
    full = benefit.total * keep
    costs = request.costs
    one_time = sum((exact(line.amount) for line in costs.one_time), ZERO) if costs else ZERO
    monthly = sum((exact(line.amount) for line in costs.monthly), ZERO) if costs else ZERO
    horizon = int(request.horizon_months)
    ramp = 0 if request.ramp_up_months is UNSET else int(request.ramp_up_months)
    return Flows(
        benefits=[ZERO] + [full if t >= ramp else full * t / ramp for t in range(1, horizon + 1)],
        costs=[one_time * cost_factor] + [monthly * cost_factor] * horizon,
        period_months=1,
    ), benefit


def outcome(flows: Flows, annual_rate: Decimal) -> Outcome:
    """Totals, present values, payback (simple and discounted) and the IRR of the flows."""
    growth = ONE + annual_rate
    per_period = growth ** (Decimal(-flows.period_months) / 12) if annual_rate else ONE
    per_year = 12 // flows.period_months
    discount = ONE
    nets, discounted_nets, cumulative, discounted_cumulative, running_totals = [], [], [], [], []
    running = discounted_running = ZERO
    total_benefits = total_costs = pv_benefits = pv_costs = ZERO
    for t, (benefit, cost) in enumerate(zip(flows.benefits, flows.costs, strict=True)):
        # (1 + r)^-years exactly at whole years (0.5 at r = 100 % is 0.5, not 0.4999...).
        discount = growth ** -(t // per_year) if t % per_year == 0 else discount * per_period
        net = benefit - cost
        discounted_net = net * discount
        running += net
        discounted_running += discounted_net
        total_benefits += benefit
        total_costs += cost
        pv_benefits += benefit * discount
        pv_costs += cost * discount
        nets.append(net)
        discounted_nets.append(discounted_net)
        cumulative.append(running)
        discounted_cumulative.append(discounted_running)
        running_totals.append((total_benefits, total_costs, pv_benefits, pv_costs))
    return Outcome(
        payback_periods=payback_time(cumulative),
        discounted_payback_periods=payback_time(discounted_cumulative),
        total_benefits=total_benefits,
        total_costs=total_costs,
        pv_benefits=pv_benefits,
        pv_costs=pv_costs,
        irr_period=irr([float(net) for net in nets]),
        nets=nets,
        discounted_nets=discounted_nets,
        cumulative=cumulative,
        discounted_cumulative=discounted_cumulative,
        running_totals=running_totals,
    )


def payback_time(cumulative: list[Decimal]) -> Decimal | None:
    """When the investment is earned back for good: 0 when nothing is ever owed; else the
    period t where the cumulative net turns non-negative for the last time, interpolated,
    (t - 1) + (-cumulative_{t-1}) / net_t; None while something is still owed at the end."""
    owed = [t for t, value in enumerate(cumulative) if value < 0]
    if not owed:
        return ZERO
    last = owed[-1]
    if last == len(cumulative) - 1:
        return None
    return last + -cumulative[last] / (cumulative[last + 1] - cumulative[last])


def _answer(
    request: PaybackRequest,
    minor_unit: int,
    flows: Flows,
    *,
    benefit: MonthlyBenefit | None,
    result: Outcome,
    evaluation: EvaluateResponse | None,
) -> PaybackResponse:
    def money(value: Decimal) -> Decimal:
        return round_money(value, minor_unit)

    periods = flows.period_months
    monthly = request.schedule is UNSET
    keep = ONE - exact(request.risk_adjustment.benefits)
    # The hottest loop of the service, six roundings a month: M inlined (see money_quantum).
    (e, zero), q, up, ctx = money_quantum(minor_unit), Decimal.quantize, ROUND_HALF_UP, CONTEXT
    cash_flows = [
        CashFlow(
            month=t * periods, period=t,
            benefit=q(gain, e, up, ctx) or zero, cost=q(cost, e, up, ctx) or zero,
            net=q(net, e, up, ctx) or zero, discounted_net=q(discounted_net, e, up, ctx) or zero,
            cumulative=q(cumulative, e, up, ctx) or zero,
            discounted_cumulative=q(discounted_cumulative, e, up, ctx) or zero,
        )
        for t, (gain, cost, net, discounted_net, cumulative, discounted_cumulative) in enumerate(
            zip(flows.benefits, flows.costs, result.nets, result.discounted_nets,
                result.cumulative, result.discounted_cumulative, strict=True)
        )
    ]  # fmt: skip
    irr_monthly, irr_annual = _rates(result.irr_period, periods)
    return PaybackResponse(
        currency=request.currency,
        monthly_benefit=None if benefit is None else money(benefit.total),
        productivity_monthly_benefit=(
            None if benefit is None or benefit.productivity is None else money(benefit.productivity)
        ),
        risk_adjusted_monthly_benefit=None if benefit is None else money(benefit.total * keep),
        one_time_costs=money(flows.costs[0]),
        monthly_costs=money(flows.costs[1]) if monthly and len(flows.costs) > 1 else None,
        horizon_months=(len(flows.costs) - 1) * periods,
        ramp_up_months=0 if request.ramp_up_months is UNSET else int(request.ramp_up_months),
        period="month" if periods == 1 else "year",
        payback_periods=_float(result.payback_periods),
        discounted_payback_periods=_float(result.discounted_payback_periods),
        payback_months=_float(result.payback_periods, periods),
        discounted_payback_months=_float(result.discounted_payback_periods, periods),
        total_benefits=money(result.total_benefits),
        total_costs=money(result.total_costs),
        pv_benefits=money(result.pv_benefits),
        pv_costs=money(result.pv_costs),
        npv=money(result.pv_benefits - result.pv_costs),
        roi=_roi(result),
        irr_monthly=irr_monthly,
        irr_annual=irr_annual,
        irr_period=result.irr_period,
        cash_flows=cash_flows,
        years=_years(result.running_totals, flows.period_months, minor_unit),
        evaluation=evaluation,
        scenarios=[
            _scenario(request, minor_unit, scenario.name, scenario.effect_scale, evaluation)
            for scenario in request.scenarios
        ],
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
        roi=_roi(result),
        irr_monthly=irr_monthly,
        irr_annual=irr_annual,
    )


def _years(
    running_totals: list[tuple[Decimal, Decimal, Decimal, Decimal]],
    period_months: int,
    minor_unit: int,
) -> list[YearRow]:
    """Year 0 (the initial period), then one row per year; rows are differences of rounded
    running totals, so they add up exactly to the rounded totals."""
    per_year = 12 // period_months
    last = len(running_totals) - 1
    ends = [0, *range(per_year, last, per_year), last] if last else [0]
    rows = []
    shown = [ZERO] * 4
    for year, end in enumerate(ends):
        rounded = [round_money(value, minor_unit) for value in running_totals[end]]
        benefits, costs, pv_benefits, pv_costs = (
            r - s for r, s in zip(rounded, shown, strict=True)
        )
        months = (end - ends[year - 1]) * period_months if year else 0
        shown = rounded
        rows.append(YearRow(
            year=year, months=months, benefits=benefits, costs=costs, net=benefits - costs,
            pv_benefits=pv_benefits, pv_costs=pv_costs,
        ))  # fmt: skip
    return rows


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


def _roi(result: Outcome) -> float | None:
    if not result.pv_costs:
        return None
    return float((result.pv_benefits - result.pv_costs) / result.pv_costs)


def _float(value: Decimal | None, times: int = 1) -> float | None:
    return None if value is None else float(value * times)
