"""The answer to /payback (roi-model.md, "Payback" and "Business cases in lines"): the
request's lines, what their flows are worth, its scenarios, break-even and solve."""

from __future__ import annotations

from decimal import Decimal, localcontext

from msgspec.structs import replace

from . import cashflow, funnel, uncertainty
from .answers import BreakEven, EvaluateResponse, LineResult, PaybackResponse, PaybackScenario
from .cashflow import Worth, headline, present_value
from .lines import Case, Line, case
from .money import FIFTY_DIGITS, ZERO, exact, round_flow
from .normal import Normal, normalize
from .solve import solution
from .types import PaybackRequest
from .version import MODEL_VERSION, calculation_id


def payback(request: PaybackRequest, minor_unit: int, language: str = "en") -> PaybackResponse:
    """The business case period by period, t = 0..N (months, or years for a yearly schedule).
    ``minor_unit`` is the currency's number of decimals; ``language`` words an embedded
    evaluation's steps. Raises ConflictError (400) or ModelError (422) for a request the model
    cannot answer (validate.py, normal.py)."""
    normal = normalize(request)
    evaluation = (
        None
        if normal.evaluation is None
        else funnel.evaluation(normal.evaluation, minor_unit, language)
    )
    with localcontext(FIFTY_DIGITS):
        main = case(normal, minor_unit)
        factors = cashflow.discount_factors(
            exact(normal.annual_discount_rate), normal.periods + 1, main.period_months
        )
        value = cashflow.worth(main, factors)
        return answer(request, normal, minor_unit, main=main, value=value, evaluation=evaluation)


def answer(
    request: PaybackRequest,
    normal: Normal,
    minor_unit: int,
    *,
    main: Case,
    value: Worth,
    evaluation: EvaluateResponse | None,
) -> PaybackResponse:
    def money(amount: Decimal) -> Decimal:
        return round_flow(amount, minor_unit)

    def maybe_money(amount: Decimal | None) -> Decimal | None:
        return None if amount is None else money(amount)

    months = main.period_months
    figures = headline(value, minor_unit, months)
    identity, seed = identify(normal)
    irr_period = cashflow.irr_per_period(value)
    irr_monthly, irr_annual = cashflow.rates(irr_period, months)
    ends = cashflow.year_ends(len(value.benefits), months)
    return PaybackResponse(
        currency=normal.currency,
        monthly_benefit=maybe_money(main.monthly_benefit),
        productivity_monthly_benefit=maybe_money(main.productivity),
        risk_adjusted_monthly_benefit=maybe_money(main.risk_adjusted_benefit),
        one_time_costs=money(value.costs[0]),
        monthly_costs=maybe_money(main.monthly_costs),
        horizon_months=normal.periods * months,
        ramp_up_months=normal.ramp_up_months,
        period=normal.period,
        payback_periods=cashflow.months(value.payback_periods, 1),
        discounted_payback_periods=cashflow.months(value.discounted_payback_periods, 1),
        payback_months=figures.payback_months,
        discounted_payback_months=figures.discounted_payback_months,
        total_benefits=money(value.total_benefits),
        total_costs=money(value.total_costs),
        pv_benefits=money(value.pv_benefits),
        pv_costs=money(value.pv_costs),
        npv=figures.npv,
        roi=figures.roi,
        irr_monthly=irr_monthly,
        irr_annual=irr_annual,
        irr_period=irr_period,
        cash_flows=cashflow.cash_flows(value, minor_unit, months),
        years=cashflow.years(value, minor_unit, months),
        evaluation=evaluation,
        scenarios=[
            scenario(normal, minor_unit, s.name, s.effect_scale, value.factors)
            for s in normal.scenarios
        ],
        break_even=break_even(value, minor_unit),
        lines=[line_result(line, value.factors, ends, minor_unit) for line in main.lines],
        solution=(
            None
            if normal.solve is None
            else solution(request, normal, minor_unit, main, value.factors)
        ),
        uncertainty=(
            None
            if normal.uncertainty is None
            else uncertainty.distribution(request, normal, minor_unit, seed)
        ),
        model_version=MODEL_VERSION,
        calculation_id=identity,
    )


def identify(normal: Normal) -> tuple[str, int]:
    """The calculation id, and the seed of the uncertainty's samples: the request's, else
    derived from the id (a seed spelled out equal to the derived one is the same request)."""
    spec = normal.uncertainty
    plain = normal if spec is None else replace(normal, uncertainty=replace(spec, seed=None))
    plain_id = calculation_id(plain)
    derived = int(plain_id[:13], 16) >> 1  # 51 bits: below 2^53, exact in any JSON parser
    if spec is None or spec.seed is None or spec.seed == derived:
        return plain_id, derived
    return calculation_id(normal), spec.seed


def line_result(
    line: Line, factors: list[Decimal] | None, ends: list[int], minor_unit: int
) -> LineResult:
    """A line's total M(Σ x_t), present value M(Σ x_t df_t) and amounts per row of the yearly
    table."""
    total = round_flow(sum(line.amounts, ZERO), minor_unit)
    return LineResult(
        name=line.name,
        source=line.source,
        side=line.side,
        kind=line.kind,
        total=total,
        pv=total
        if factors is None
        else round_flow(present_value(line.amounts, factors), minor_unit),
        years=cashflow.by_year(line.amounts, ends, minor_unit),
    )


def break_even(value: Worth, minor_unit: int) -> BreakEven:
    """benefit_realization = PV_costs / PV_benefits (null when the PV of benefits shown is 0);
    max_upfront_cost = M(C_0 + npv), C_0 the cost of period 0 (its discount factor is 1)."""
    shown = round_flow(value.pv_benefits, minor_unit)
    return BreakEven(
        benefit_realization=float(value.pv_costs / value.pv_benefits) if shown else None,
        max_upfront_cost=round_flow(value.costs[0] + value.npv, minor_unit),
    )


def scenario(
    normal: Normal, minor_unit: int, name: str, scale: float, factors: list[Decimal] | None
) -> PaybackScenario:
    """The headline figures with every benefit line's effect times ``scale``; ``factors`` are
    the request's discount factors."""
    scaled = case(normal, minor_unit, exact(scale))
    value = cashflow.worth(scaled, factors)
    figures = headline(value, minor_unit, scaled.period_months)
    irr_monthly, irr_annual = cashflow.rates(cashflow.irr_per_period(value), scaled.period_months)
    return PaybackScenario(
        name=name,
        effect_scale=scale,
        monthly_benefit=(
            None
            if scaled.monthly_benefit is None
            else round_flow(scaled.monthly_benefit, minor_unit)
        ),
        payback_months=figures.payback_months,
        discounted_payback_months=figures.discounted_payback_months,
        total_benefits=round_flow(value.total_benefits, minor_unit),
        total_costs=round_flow(value.total_costs, minor_unit),
        pv_benefits=round_flow(value.pv_benefits, minor_unit),
        pv_costs=round_flow(value.pv_costs, minor_unit),
        npv=figures.npv,
        roi=figures.roi,
        irr_monthly=irr_monthly,
        irr_annual=irr_annual,
    )
