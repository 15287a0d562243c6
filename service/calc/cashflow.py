"""The investment: payback, discounting, NPV, ROI and IRR (roi-model.md, "Payback")."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

from msgspec import UNSET

from .errors import ModelError, Violation
from .funnel import check_funnel, evaluate
from .irr import irr
from .money import CONTEXT, ONE, ZERO, exact, round_money
from .types import CashFlow, EvaluateResponse, PaybackRequest, PaybackResponse

_TWELFTH = Decimal(1) / Decimal(12)


def check_payback(request: PaybackRequest) -> list[Violation]:
    """What the model rejects: a ramp longer than the horizon, and an embedded evaluation in
    another currency or with a funnel the model rejects."""
    violations = []
    if request.ramp_up_months > request.horizon_months:
        violations.append(
            Violation(
                "/ramp_up_months",
                f"the ramp-up ({request.ramp_up_months:g} months) is longer than the horizon "
                f"({request.horizon_months:g} months)",
            )
        )
    if request.evaluation is not UNSET:
        if request.evaluation.currency != request.currency:
            violations.append(
                Violation(
                    "/evaluation/currency",
                    f"the evaluation is in {request.evaluation.currency} but the payback in "
                    f"{request.currency}; use one currency",
                )
            )
        violations.extend(check_funnel(request.evaluation, "/evaluation"))
    return violations


def payback(request: PaybackRequest, minor_unit: int) -> PaybackResponse:
    """The business case month by month (t = 0..H):

    B = benefit (1 - risk_benefits); C_0 = Σ one_time (1 + risk_costs);
    C_m = Σ monthly (1 + risk_costs);
    benefit_t = B min(1, t/R); net_0 = -C_0; net_t = benefit_t - C_m; df_t = (1 + r)^(-t/12);
    npv = PV_benefits - PV_costs; roi = npv / PV_costs; IRR where Σ net_t (1 + irr)^-t = 0;
    payback where the cumulative net first turns non-negative, interpolated within the month.
    """
    violations = check_payback(request)
    if violations:
        raise ModelError(violations)
    evaluation: EvaluateResponse | None = None
    if request.evaluation is not UNSET:
        evaluation = evaluate(request.evaluation, minor_unit)
        benefit = evaluation.monthly_gain
    else:
        if request.monthly_benefit is UNSET:
            raise ModelError([Violation("", "give 'monthly_benefit' or 'evaluation'")])
        benefit = exact(request.monthly_benefit)
    with localcontext(CONTEXT):
        return _payback(request, minor_unit, benefit, evaluation)


def _payback(
    request: PaybackRequest,
    minor_unit: int,
    monthly_benefit: Decimal,
    evaluation: EvaluateResponse | None,
) -> PaybackResponse:
    cost_factor = ONE + exact(request.risk_adjustment.costs)
    full_benefit = monthly_benefit * (ONE - exact(request.risk_adjustment.benefits))
    one_time = sum((exact(line.amount) for line in request.costs.one_time), ZERO) * cost_factor
    monthly_cost = sum((exact(line.amount) for line in request.costs.monthly), ZERO) * cost_factor
    horizon, ramp = int(request.horizon_months), int(request.ramp_up_months)
    rate = exact(request.annual_discount_rate)
    monthly_discount = ONE / (ONE + rate) ** _TWELFTH if rate else ONE

    def money(value: Decimal) -> Decimal:
        return round_money(value, minor_unit)

    net = -one_time
    cumulative = discounted_cumulative = net
    pv_benefits, pv_costs = ZERO, one_time
    total_benefits = ZERO
    payback_months = ZERO if cumulative >= 0 else None
    discounted_payback_months = payback_months
    nets = [float(net)]
    cash_flows = [CashFlow(month=0, benefit=money(ZERO), cost=money(one_time), net=money(net),
                           discounted_net=money(net), cumulative=money(net),
                           discounted_cumulative=money(net))]  # fmt: skip
    discount = ONE
    for month in range(1, horizon + 1):
        benefit = full_benefit if month >= ramp else full_benefit * month / ramp
        net = benefit - monthly_cost
        discount *= monthly_discount
        discounted_net = net * discount
        if payback_months is None and cumulative + net >= 0:
            payback_months = month - 1 + -cumulative / net
        if discounted_payback_months is None and discounted_cumulative + discounted_net >= 0:
            discounted_payback_months = month - 1 + -discounted_cumulative / discounted_net
        cumulative += net
        discounted_cumulative += discounted_net
        total_benefits += benefit
        pv_benefits += benefit * discount
        pv_costs += monthly_cost * discount
        nets.append(float(net))
        cash_flows.append(
            CashFlow(
                month=month,
                benefit=money(benefit),
                cost=money(monthly_cost),
                net=money(net),
                discounted_net=money(discounted_net),
                cumulative=money(cumulative),
                discounted_cumulative=money(discounted_cumulative),
            )
        )

    npv = pv_benefits - pv_costs
    irr_monthly = irr(nets)
    return PaybackResponse(
        currency=request.currency,
        monthly_benefit=money(monthly_benefit),
        risk_adjusted_monthly_benefit=money(full_benefit),
        one_time_costs=money(one_time),
        monthly_costs=money(monthly_cost),
        horizon_months=horizon,
        ramp_up_months=ramp,
        payback_months=_float(payback_months),
        discounted_payback_months=_float(discounted_payback_months),
        total_benefits=money(total_benefits),
        total_costs=money(one_time + horizon * monthly_cost),
        pv_benefits=money(pv_benefits),
        pv_costs=money(pv_costs),
        npv=money(npv),
        roi=float(npv / pv_costs) if pv_costs else None,
        irr_monthly=irr_monthly,
        irr_annual=_annual(irr_monthly),
        cash_flows=cash_flows,
        evaluation=evaluation,
    )


def _annual(irr_monthly: float | None) -> float | None:
    """irr_annual = (1 + irr_monthly)^12 - 1, computed without losing small rates."""
    if irr_monthly is None:
        return None
    return -1.0 if irr_monthly <= -1 else math.expm1(12 * math.log1p(irr_monthly))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
