"""The funnel effect (roi-model.md, "Evaluate: the funnel effect")."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext

from .errors import ModelError, Violation
from .money import CONTEXT, ONE, ZERO, exact, round_count, round_money, show
from .types import EvaluateRequest, EvaluateResponse, StageResult, Step


def check_funnel(request: EvaluateRequest, pointer: str = "") -> list[Violation]:
    """What the model rejects in a funnel: counts that grow down the funnel (c_i > c_{i-1}), and
    a projected conversion above 100 % (c_i / c_{i-1} × (1 + u_i) > 1), checked exactly."""
    violations = []
    stages = request.stages
    for i in range(1, len(stages)):
        above, stage = exact(stages[i - 1].count), exact(stages[i].count)
        if stage > above:
            violations.append(
                Violation(
                    f"{pointer}/stages/{i}/count",
                    f"{stage.normalize():f} {stage_name(request, i)} is more than the "
                    f"{above.normalize():f} {stage_name(request, i - 1)} above it; "
                    "counts may not grow down the funnel",
                )
            )
        elif above > 0 and stage * (ONE + exact(stages[i].uplift)) > above:
            limit = above / stage - ONE
            violations.append(
                Violation(
                    f"{pointer}/stages/{i}/uplift",
                    f"the projected conversion into {stage_name(request, i)} would exceed 100 %; "
                    f"with this baseline the uplift may be at most {show(limit)}",
                )
            )
    return violations


def stage_name(request: EvaluateRequest, index: int) -> str:
    return repr(request.stages[index].name)


def evaluate(request: EvaluateRequest, minor_unit: int) -> EvaluateResponse:
    """The funnel before and after the CRM:

    p_0 = R(c_0 (1 + u_0)); volume_i = R(c_i p_{i-1} / c_{i-1}); p_i = R(volume_i (1 + u_i));
    baseline_revenue = M(c_last A); projected_revenue = M(p_last A (1 + u_A));
    revenue_uplift = projected - baseline; monthly_gain = M(revenue_uplift m).

    ``minor_unit`` is the currency's number of decimals; raises ModelError for a funnel the model
    rejects (see check_funnel).
    """
    violations = check_funnel(request)
    if violations:
        raise ModelError(violations)
    with localcontext(CONTEXT):
        return _evaluate(request, minor_unit)


def _evaluate(request: EvaluateRequest, minor_unit: int) -> EvaluateResponse:
    whole = request.rounding == "whole_units"
    rnd: Callable[[Decimal], Decimal] = round_count if whole else (lambda value: value)
    steps: list[Step] = []
    baseline = [exact(stage.count) for stage in request.stages]
    projected: list[Decimal] = []
    for i, stage in enumerate(request.stages):
        growth = ONE + exact(stage.uplift)
        if i == 0:
            volume = baseline[0]
        else:
            above, above_projected = baseline[i - 1], projected[i - 1]
            volume = rnd(baseline[i] * above_projected / above) if above else ZERO
            steps.append(
                Step(
                    key=f"stages[{i}].volume",
                    label=f"{stage.name}: grow with {request.stages[i - 1].name}",
                    formula=f"{show(baseline[i])} × {show(above_projected)} / {show(above)}",
                    value=float(volume),
                    unit="count",
                )
            )
        projected.append(rnd(volume * growth))
        steps.append(
            Step(
                key=f"stages[{i}].projected",
                label=(
                    f"{stage.name}: {'more volume' if i == 0 else 'better conversion'} "
                    f"({_percent(stage.uplift)})"
                ),
                formula=f"{show(volume)} × (1 + {show(exact(stage.uplift))})",
                value=float(projected[i]),
                unit="count",
            )
        )

    deal_value = exact(request.average_deal_value)
    deal_growth = exact(request.average_deal_value_uplift)
    margin = exact(request.gross_margin)
    won, won_projected = baseline[-1], projected[-1]
    revenue_at_old_deal = round_money(won_projected * deal_value, minor_unit)
    baseline_revenue = round_money(won * deal_value, minor_unit)
    projected_revenue = round_money(won_projected * deal_value * (ONE + deal_growth), minor_unit)
    revenue_uplift = projected_revenue - baseline_revenue
    ratio = revenue_uplift / baseline_revenue if baseline_revenue else None
    monthly_gain = round_money(revenue_uplift * margin, minor_unit)

    money_steps = [
        ("revenue_at_baseline_deal_value", "revenue at the old average deal",
         f"{show(won_projected)} × {show(deal_value)}", revenue_at_old_deal),
        ("projected_revenue",
         f"revenue with the average deal {_percent(request.average_deal_value_uplift)}",
         f"{show(revenue_at_old_deal)} × (1 + {show(deal_growth)})", projected_revenue),
        ("baseline_revenue", "revenue before the CRM",
         f"{show(won)} × {show(deal_value)}", baseline_revenue),
        ("revenue_uplift", "extra revenue a month",
         f"{show(projected_revenue)} − {show(baseline_revenue)}", revenue_uplift),
    ]  # fmt: skip
    steps.extend(
        Step(key=key, label=label, formula=formula, value=float(value), unit="money")
        for key, label, formula, value in money_steps
    )
    if ratio is not None:
        steps.append(
            Step(
                key="revenue_uplift_ratio",
                label="extra revenue as a share of the old",
                formula=f"{show(revenue_uplift)} / {show(baseline_revenue)}",
                value=float(ratio),
                unit="ratio",
            )
        )
    steps.append(
        Step(
            key="monthly_gain",
            label="monthly gain at the gross margin",
            formula=f"{show(revenue_uplift)} × {show(margin)}",
            value=float(monthly_gain),
            unit="money",
        )
    )
    return EvaluateResponse(
        currency=request.currency,
        rounding=request.rounding,
        stages=[
            StageResult(
                name=stage.name,
                baseline=float(baseline[i]),
                projected=float(projected[i]),
                baseline_conversion=_ratio(baseline, i),
                projected_conversion=_ratio(projected, i),
            )
            for i, stage in enumerate(request.stages)
        ],
        baseline_revenue=baseline_revenue,
        projected_revenue=projected_revenue,
        revenue_uplift=revenue_uplift,
        revenue_uplift_ratio=None if ratio is None else float(ratio),
        gross_margin=request.gross_margin,
        monthly_gain=monthly_gain,
        steps=steps,
    )


def _ratio(counts: list[Decimal], i: int) -> float | None:
    """Conversion into stage i: counts[i] / counts[i - 1]; null for the top stage or from zero."""
    if i == 0 or not counts[i - 1]:
        return None
    return float(counts[i] / counts[i - 1])


def _percent(uplift: float) -> str:
    return f"{show(exact(uplift) * 100)} %" if uplift < 0 else f"+{show(exact(uplift) * 100)} %"
