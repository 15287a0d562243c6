"""The funnel effect (roi-model.md, "Evaluate: the funnel effect"), its scenarios and its
sensitivity table. Everything here runs in THOUSAND_DIGITS, where the funnel is exact."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext

from msgspec import UNSET, Struct
from msgspec.structs import replace

from .answers import EvaluateResponse, EvaluateScenario, SensitivityRow, StageResult, Step
from .errors import ModelError
from .labels import LABELS
from .money import ONE, THOUSAND_DIGITS, ZERO, exact, ratio, round_count, round_money, show
from .types import EvaluateRequest, SalesFunnel
from .validate import evaluate_violations
from .version import MODEL_VERSION


class Funnel(Struct, frozen=True):
    """The model's inputs as exact decimals; scenarios and sensitivity vary them."""

    counts: list[Decimal]  # c_i
    uplifts: list[Decimal]  # u_i
    deal_value: Decimal  # A
    deal_uplift: Decimal  # u_A
    margin: Decimal  # m
    whole_units: bool


class Projection(Struct, frozen=True):
    """What the funnel formulas give."""

    volumes: list[Decimal]  # volume_i (the top stage's is c_0)
    projected: list[Decimal]  # p_i
    baseline_revenue: Decimal
    projected_revenue: Decimal
    revenue_uplift: Decimal
    revenue_uplift_ratio: float | None
    monthly_gain: Decimal


def evaluate(request: EvaluateRequest, minor_unit: int, language: str = "en") -> EvaluateResponse:
    """The answer to /evaluate. ``minor_unit`` is the currency's number of decimals;
    ``language`` ("en" or "uk") words the steps. Raises ModelError for a funnel the model
    rejects (validate.evaluate_violations)."""
    violations = evaluate_violations(request)
    if violations:
        raise ModelError(violations)
    return evaluation(request, minor_unit, language)


def monthly_gain(request: SalesFunnel, scale: Decimal, minor_unit: int) -> Decimal:
    """The monthly gain of a validated funnel with its effects times ``scale``."""
    with localcontext(THOUSAND_DIGITS):
        return project(scaled(funnel_of(request), scale), minor_unit).monthly_gain


def evaluation(request: EvaluateRequest, minor_unit: int, language: str) -> EvaluateResponse:
    """evaluate() of a validated request."""
    with localcontext(THOUSAND_DIGITS):
        return _evaluation(request, minor_unit, language)


def _evaluation(request: EvaluateRequest, minor_unit: int, language: str) -> EvaluateResponse:
    given = funnel_of(request)
    main = project(given, minor_unit)
    labels = LABELS[language]
    return EvaluateResponse(
        currency=request.currency,
        rounding=request.rounding,
        stages=stage_results(request, given, main),
        baseline_revenue=main.baseline_revenue,
        projected_revenue=main.projected_revenue,
        revenue_uplift=main.revenue_uplift,
        revenue_uplift_ratio=main.revenue_uplift_ratio,
        gross_margin=request.gross_margin,
        monthly_gain=main.monthly_gain,
        steps=steps(request, given, main, minor_unit, labels),
        scenarios=[
            scenario(
                name=s.name,
                scale=s.effect_scale,
                result=project(scaled(given, exact(s.effect_scale)), minor_unit),
            )
            for s in request.scenarios
        ],
        sensitivity=(
            []
            if request.sensitivity_swing is UNSET
            else sensitivity(request, given, exact(request.sensitivity_swing), minor_unit, labels)
        ),
        model_version=MODEL_VERSION,
    )


def funnel_of(request: SalesFunnel) -> Funnel:
    return Funnel(
        counts=[exact(stage.count) for stage in request.stages],
        uplifts=[exact(stage.uplift) for stage in request.stages],
        deal_value=exact(request.average_deal_value),
        deal_uplift=exact(request.average_deal_value_uplift),
        margin=exact(request.gross_margin),
        whole_units=request.rounding == "whole_units",
    )


def scaled(given: Funnel, scale: Decimal) -> Funnel:
    """The CRM's effects (every stage uplift and the deal-value uplift) times ``scale``."""
    if scale == ONE:
        return given
    return replace(
        given,
        uplifts=[uplift * scale for uplift in given.uplifts],
        deal_uplift=given.deal_uplift * scale,
    )


def project(given: Funnel, minor_unit: int) -> Projection:
    """p_0 = R(c_0 (1 + u_0)); volume_i = R(c_i p_{i-1} / c_{i-1}) (0 when c_{i-1} = 0);
    p_i = R(volume_i (1 + u_i)); baseline_revenue = M(c_last A);
    projected_revenue = M(p_last A (1 + u_A)); revenue_uplift = projected - baseline;
    revenue_uplift_ratio = revenue_uplift / baseline_revenue; monthly_gain = M(revenue_uplift m).
    """

    def R(count: Decimal) -> Decimal:
        return round_count(count) if given.whole_units else count

    c, u = given.counts, given.uplifts
    volumes = [c[0]]
    projected = [R(c[0] * (ONE + u[0]))]
    for i in range(1, len(c)):
        volume = R(c[i] * projected[i - 1] / c[i - 1]) if c[i - 1] else ZERO
        volumes.append(volume)
        projected.append(R(volume * (ONE + u[i])))
    baseline_revenue = round_money(c[-1] * given.deal_value, minor_unit)
    projected_revenue = round_money(
        projected[-1] * given.deal_value * (ONE + given.deal_uplift), minor_unit
    )
    revenue_uplift = projected_revenue - baseline_revenue
    return Projection(
        volumes=volumes,
        projected=projected,
        baseline_revenue=baseline_revenue,
        projected_revenue=projected_revenue,
        revenue_uplift=revenue_uplift,
        revenue_uplift_ratio=ratio(revenue_uplift, baseline_revenue),
        monthly_gain=round_money(revenue_uplift * given.margin, minor_unit),
    )


def stage_results(request: EvaluateRequest, given: Funnel, result: Projection) -> list[StageResult]:
    """Each stage before and after, with its conversion from the stage above (null at the top
    or from an empty stage)."""
    c, p = given.counts, result.projected
    return [
        StageResult(
            name=stage.name,
            baseline=stage.count or 0.0,  # -0.0 is 0
            projected=float(p[i]),
            baseline_conversion=ratio(c[i], c[i - 1]) if i else None,
            projected_conversion=ratio(p[i], p[i - 1]) if i else None,
        )
        for i, stage in enumerate(request.stages)
    ]


def steps(
    request: EvaluateRequest,
    given: Funnel,
    result: Projection,
    minor_unit: int,
    labels: dict[str, str],
) -> list[Step]:
    """The trace in the post's order, each step with its formula and operands: per stage
    volume_i = c_i × p_{i-1} / c_{i-1} (below the top) and p_i = volume_i × (1 + u_i); then the
    revenue at the old deal value, with its uplift, the baseline, the uplift, its ratio and the
    gain at the margin."""
    trace = []
    names = [stage.name for stage in request.stages]
    counts = [show(count) for count in given.counts]  # each operand printed once
    projected = [show(count) for count in result.projected]
    for i, name in enumerate(names):
        volume = counts[0]
        if i:
            volume = show(result.volumes[i])
            trace.append(
                Step(
                    key=f"stages[{i}].volume",
                    label=labels["volume"].format(name=name, above=names[i - 1]),
                    formula=f"{counts[i]} × {projected[i - 1]} / {counts[i - 1]}",
                    value=float(result.volumes[i]),
                    unit="count",
                )
            )
        uplift = given.uplifts[i]
        label = labels["conversion" if i else "top"].format(name=name, change=percent(uplift))
        trace.append(
            Step(
                key=f"stages[{i}].projected",
                label=label,
                formula=f"{volume} × (1 + {show(uplift)})",
                value=float(result.projected[i]),
                unit="count",
            )
        )
    at_old_deal = round_money(result.projected[-1] * given.deal_value, minor_unit)
    deal_value, baseline = show(given.deal_value), show(result.baseline_revenue)
    extra = show(result.revenue_uplift)
    trace += [
        Step(
            key="revenue_at_baseline_deal_value",
            label=labels["revenue_at_baseline_deal_value"],
            formula=f"{projected[-1]} × {deal_value}",
            value=float(at_old_deal),
            unit="money",
        ),
        Step(
            key="projected_revenue",
            label=labels["projected_revenue"].format(change=percent(given.deal_uplift)),
            formula=f"{show(at_old_deal)} × (1 + {show(given.deal_uplift)})",
            value=float(result.projected_revenue),
            unit="money",
        ),
        Step(
            key="baseline_revenue",
            label=labels["baseline_revenue"],
            formula=f"{counts[-1]} × {deal_value}",
            value=float(result.baseline_revenue),
            unit="money",
        ),
        Step(
            key="revenue_uplift",
            label=labels["revenue_uplift"],
            formula=f"{show(result.projected_revenue)} − {baseline}",
            value=float(result.revenue_uplift),
            unit="money",
        ),
    ]
    if result.revenue_uplift_ratio is not None:
        trace.append(
            Step(
                key="revenue_uplift_ratio",
                label=labels["revenue_uplift_ratio"],
                formula=f"{extra} / {baseline}",
                value=result.revenue_uplift_ratio,
                unit="ratio",
            )
        )
    trace.append(
        Step(
            key="monthly_gain",
            label=labels["monthly_gain"],
            formula=f"{extra} × {show(given.margin)}",
            value=float(result.monthly_gain),
            unit="money",
        )
    )
    return trace


def scenario(*, name: str, scale: float, result: Projection) -> EvaluateScenario:
    return EvaluateScenario(
        name=name,
        effect_scale=scale,
        baseline_revenue=result.baseline_revenue,
        projected_revenue=result.projected_revenue,
        revenue_uplift=result.revenue_uplift,
        revenue_uplift_ratio=result.revenue_uplift_ratio,
        monthly_gain=result.monthly_gain,
    )


def sensitivity(
    request: EvaluateRequest,
    given: Funnel,
    swing: Decimal,
    minor_unit: int,
    labels: dict[str, str],
) -> list[SensitivityRow]:
    """Each assumption alone moved down and up by the swing (relative to its value), within its
    valid range; rows sorted by the spread of the monthly gain, largest first (ties in order)."""
    rows: list[SensitivityRow] = []

    def add(  # noqa: PLR0917  a row's six values
        key: str, label: str, value: Decimal, low: Decimal, high: Decimal,
        vary: Callable[[Decimal], Funnel],
    ) -> None:  # fmt: skip
        low_gain = project(vary(low), minor_unit).monthly_gain
        high_gain = project(vary(high), minor_unit).monthly_gain
        rows.append(SensitivityRow(
            assumption=key, label=label, base_value=float(value), low_value=float(low),
            high_value=float(high), low_monthly_gain=low_gain, high_monthly_gain=high_gain,
            impact=abs(high_gain - low_gain),
        ))  # fmt: skip

    def with_uplift(i: int) -> Callable[[Decimal], Funnel]:
        def vary(moved: Decimal) -> Funnel:
            return replace(given, uplifts=[*given.uplifts[:i], moved, *given.uplifts[i + 1 :]])

        return vary

    c = given.counts
    for i, stage in enumerate(request.stages):
        uplift = given.uplifts[i]
        high = uplift + abs(uplift) * swing
        if i and c[i] and c[i - 1]:  # at most a 100 % conversion
            high = min(high, c[i - 1] / c[i] - ONE)
        low = max(-ONE, uplift - abs(uplift) * swing)
        key, label = f"stages[{i}].uplift", labels["stage_uplift"].format(name=stage.name)
        add(key, label, uplift, low, high, with_uplift(i))
    a = given.deal_value
    add("average_deal_value", labels["average_deal_value"], a, a * (ONE - swing),
        a * (ONE + swing), lambda moved: replace(given, deal_value=moved))  # fmt: skip
    u = given.deal_uplift
    add("average_deal_value_uplift", labels["average_deal_value_uplift"], u,
        max(-ONE, u - abs(u) * swing), u + abs(u) * swing,
        lambda moved: replace(given, deal_uplift=moved))  # fmt: skip
    m = given.margin
    add("gross_margin", labels["gross_margin"], m, m * (ONE - swing), min(ONE, m * (ONE + swing)),
        lambda moved: replace(given, margin=moved))  # fmt: skip
    return sorted(rows, key=lambda row: -row.impact)  # sorted() is stable: ties keep their order


def percent(uplift: Decimal) -> str:
    """An uplift as a label prints it: "+3 %", "-10 %"."""
    text = f"{show(uplift * 100)} %"
    return text if uplift < 0 else f"+{text}"
