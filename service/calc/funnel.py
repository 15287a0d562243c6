"""The funnel effect (roi-model.md, "Evaluate: the funnel effect"), its scenarios and its
sensitivity table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from typing import Literal, NamedTuple

from msgspec import UNSET

from .answers import EvaluateResponse, EvaluateScenario, SensitivityRow, StageResult, Step
from .errors import ModelError, Violation
from .labels import LABELS
from .money import CONTEXT, EXACT, ONE, ZERO, exact, round_count, round_money, show
from .types import EvaluateRequest


class Assumptions(NamedTuple):
    """The model's inputs as exact decimals; scenarios and sensitivity vary them."""

    counts: list[Decimal]
    uplifts: list[Decimal]
    deal_value: Decimal
    deal_uplift: Decimal
    margin: Decimal


class Projection(NamedTuple):
    volumes: list[Decimal]  # each stage after the volume effect, before its own uplift
    projected: list[Decimal]
    baseline_revenue: Decimal
    projected_revenue: Decimal
    revenue_uplift: Decimal
    ratio: Decimal | None
    monthly_gain: Decimal


def assumptions(request: EvaluateRequest) -> Assumptions:
    return Assumptions(
        counts=[exact(stage.count) for stage in request.stages],
        uplifts=[exact(stage.uplift) for stage in request.stages],
        deal_value=exact(request.average_deal_value),
        deal_uplift=exact(request.average_deal_value_uplift),
        margin=exact(request.gross_margin),
    )


def scaled(given: Assumptions, scale: Decimal) -> Assumptions:
    """The CRM's effects (every stage uplift and the deal-value uplift) times ``scale``."""
    return given._replace(
        uplifts=[uplift * scale for uplift in given.uplifts], deal_uplift=given.deal_uplift * scale
    )


def too_much_uplift(counts: Sequence[Decimal], uplifts: Sequence[Decimal]) -> int | None:
    """The first stage whose uplift is below -100 % or lifts its conversion above 100 %."""
    for i, uplift in enumerate(uplifts):
        if uplift < -1 or (i and counts[i - 1] > 0 and counts[i] * (ONE + uplift) > counts[i - 1]):
            return i
    return None


def check_funnel(
    request: EvaluateRequest, pointer: str = "", given: Assumptions | None = None
) -> list[Violation]:
    """What the model rejects in a funnel: counts that grow down the funnel (c_i > c_{i-1}), and
    a projected conversion above 100 % (c_i / c_{i-1} × (1 + u_i) > 1), checked exactly; and
    scenarios whose scaled uplifts do either."""
    with localcontext(EXACT):
        return _check_funnel(request, pointer, given or assumptions(request))


def _check_funnel(request: EvaluateRequest, pointer: str, given: Assumptions) -> list[Violation]:
    violations = []
    stages, counts = request.stages, given.counts
    for i in range(1, len(stages)):
        above, stage = counts[i - 1], counts[i]
        if stage > above:
            violations.append(
                Violation(
                    f"{pointer}/stages/{i}/count",
                    f"{show(stage)} {stages[i].name!r} is more than the {show(above)} "
                    f"{stages[i - 1].name!r} above it; counts may not grow down the funnel",
                )
            )
        elif above > 0 and stage * (ONE + given.uplifts[i]) > above:
            violations.append(
                Violation(
                    f"{pointer}/stages/{i}/uplift",
                    f"the projected conversion into {stages[i].name!r} would exceed 100 %; "
                    f"with this baseline the uplift may be at most {show(above / stage - ONE)}",
                )
            )
    if violations:
        return violations
    for index, scenario in enumerate(request.scenarios):
        scaled_uplifts = scaled(given, exact(scenario.effect_scale)).uplifts
        stage_index = too_much_uplift(counts, scaled_uplifts)
        if stage_index is not None:
            violations.append(
                Violation(
                    f"{pointer}/scenarios/{index}/effect_scale",
                    f"scaled by {scenario.effect_scale:g}, the uplift of "
                    f"{stages[stage_index].name!r} becomes {show(scaled_uplifts[stage_index])}, "
                    "below -100 % or past a 100 % conversion",
                )
            )
    return violations


def evaluate(request: EvaluateRequest, minor_unit: int, language: str = "en") -> EvaluateResponse:
    """The funnel before and after the CRM:

    p_0 = R(c_0 (1 + u_0)); volume_i = R(c_i p_{i-1} / c_{i-1}); p_i = R(volume_i (1 + u_i));
    baseline_revenue = M(c_last A); projected_revenue = M(p_last A (1 + u_A));
    revenue_uplift = projected - baseline; monthly_gain = M(revenue_uplift m).

    ``minor_unit`` is the currency's number of decimals; ``language`` ("en" or "uk") words the
    steps. Raises ModelError for a funnel the model rejects (see check_funnel).
    """
    with localcontext(EXACT):
        given = assumptions(request)
        violations = _check_funnel(request, "", given)
        if violations:
            raise ModelError(violations)
        return checked_evaluate(request, given, minor_unit, language)


def checked_evaluate(
    request: EvaluateRequest, given: Assumptions, minor_unit: int, language: str
) -> EvaluateResponse:
    """evaluate() for a funnel its caller has already checked (check_funnel), in EXACT."""
    with localcontext(EXACT):
        whole = request.rounding == "whole_units"
        main = project(given, minor_unit, whole)
        return EvaluateResponse(
            currency=request.currency,
            rounding=request.rounding,
            stages=[
                StageResult(
                    name=stage.name,
                    baseline=float(given.counts[i]),
                    projected=float(main.projected[i]),
                    baseline_conversion=_conversion(given.counts, i),
                    projected_conversion=_conversion(main.projected, i),
                )
                for i, stage in enumerate(request.stages)
            ],
            baseline_revenue=main.baseline_revenue,
            projected_revenue=main.projected_revenue,
            revenue_uplift=main.revenue_uplift,
            revenue_uplift_ratio=None if main.ratio is None else float(main.ratio),
            gross_margin=request.gross_margin,
            monthly_gain=main.monthly_gain,
            steps=trace(request, given, main, minor_unit, LABELS[language]),
            scenarios=[
                _scenario(
                    scenario.name,
                    scenario.effect_scale,
                    project(scaled(given, exact(scenario.effect_scale)), minor_unit, whole),
                )
                for scenario in request.scenarios
            ],
            sensitivity=(
                []
                if request.sensitivity_swing is UNSET
                else _sensitivity(request, given, minor_unit, LABELS[language])
            ),
        )


def project(given: Assumptions, minor_unit: int, whole: bool) -> Projection:
    """The funnel formulas on exact decimals (R rounds counts only when ``whole``)."""
    counts, volumes = given.counts, [given.counts[0]]
    projected: list[Decimal] = []
    for i, growth in enumerate(given.uplifts):
        if i:
            above = counts[i - 1]
            volume = counts[i] * projected[i - 1] / above if above else ZERO
            volumes.append(round_count(volume) if whole else volume)
        after = volumes[i] * (ONE + growth)
        projected.append(round_count(after) if whole else after)
    won, won_projected = counts[-1], projected[-1]
    baseline_revenue = round_money(won * given.deal_value, minor_unit)
    projected_revenue = round_money(
        won_projected * given.deal_value * (ONE + given.deal_uplift), minor_unit
    )
    revenue_uplift = projected_revenue - baseline_revenue
    return Projection(
        volumes=volumes,
        projected=projected,
        baseline_revenue=baseline_revenue,
        projected_revenue=projected_revenue,
        revenue_uplift=revenue_uplift,
        ratio=CONTEXT.divide(revenue_uplift, baseline_revenue) if baseline_revenue else None,
        monthly_gain=round_money(revenue_uplift * given.margin, minor_unit),
    )


def trace(
    request: EvaluateRequest,
    given: Assumptions,
    result: Projection,
    minor_unit: int,
    labels: dict[str, str],
) -> list[Step]:
    """The steps of the computation, in the post's order, with their operands."""
    steps = []
    counts, names = given.counts, [stage.name for stage in request.stages]
    for i, growth in enumerate(given.uplifts):
        if i:
            steps.append(Step(
                key=f"stages[{i}].volume",
                label=labels["volume"].format(name=names[i], above=names[i - 1]),
                formula=(
                    f"{show(counts[i])} × {show(result.projected[i - 1])} / {show(counts[i - 1])}"
                ),
                value=float(result.volumes[i]),
                unit="count",
            ))  # fmt: skip
        steps.append(Step(
            key=f"stages[{i}].projected",
            label=labels["conversion" if i else "top"].format(
                name=names[i], change=_change(growth)
            ),
            formula=f"{show(result.volumes[i])} × (1 + {show(growth)})",
            value=float(result.projected[i]),
            unit="count",
        ))  # fmt: skip
    won_projected = result.projected[-1]
    at_old_deal = round_money(won_projected * given.deal_value, minor_unit)
    lines: list[tuple[str, str, str, Decimal, Literal["money", "ratio"]]] = [
        ("revenue_at_baseline_deal_value", labels["revenue_at_baseline_deal_value"],
         f"{show(won_projected)} × {show(given.deal_value)}", at_old_deal, "money"),
        ("projected_revenue",
         labels["projected_revenue"].format(change=_change(given.deal_uplift)),
         f"{show(at_old_deal)} × (1 + {show(given.deal_uplift)})",
         result.projected_revenue, "money"),
        ("baseline_revenue", labels["baseline_revenue"],
         f"{show(counts[-1])} × {show(given.deal_value)}", result.baseline_revenue, "money"),
        ("revenue_uplift", labels["revenue_uplift"],
         f"{show(result.projected_revenue)} − {show(result.baseline_revenue)}",
         result.revenue_uplift, "money"),
    ]  # fmt: skip
    if result.ratio is not None:
        lines.append(("revenue_uplift_ratio", labels["revenue_uplift_ratio"],
                      f"{show(result.revenue_uplift)} / {show(result.baseline_revenue)}",
                      result.ratio, "ratio"))  # fmt: skip
    lines.append(("monthly_gain", labels["monthly_gain"],
                  f"{show(result.revenue_uplift)} × {show(given.margin)}",
                  result.monthly_gain, "money"))  # fmt: skip
    steps.extend(
        Step(key=key, label=label, formula=formula, value=float(value), unit=unit)
        for key, label, formula, value, unit in lines
    )
    return steps


def _scenario(name: str, scale: float, result: Projection) -> EvaluateScenario:
    return EvaluateScenario(
        name=name,
        effect_scale=scale,
        baseline_revenue=result.baseline_revenue,
        projected_revenue=result.projected_revenue,
        revenue_uplift=result.revenue_uplift,
        revenue_uplift_ratio=None if result.ratio is None else float(result.ratio),
        monthly_gain=result.monthly_gain,
    )


def _sensitivity(
    request: EvaluateRequest, given: Assumptions, minor_unit: int, labels: dict[str, str]
) -> list[SensitivityRow]:
    """Each assumption alone moved down and up by the swing (relative to its value), within its
    valid range; rows sorted by the spread of the monthly gain, largest first."""
    assert request.sensitivity_swing is not UNSET  # the caller checks  # noqa: S101
    swing = exact(request.sensitivity_swing)
    whole = request.rounding == "whole_units"
    counts = given.counts
    rows: list[tuple[Decimal, int, SensitivityRow]] = []

    def add(
        key: str,
        label: str,
        *,
        value: Decimal,
        low: Decimal,
        high: Decimal,
        vary: Callable[[Decimal], Assumptions],
    ) -> None:
        gains = [project(vary(moved), minor_unit, whole).monthly_gain for moved in (low, high)]
        impact = abs(gains[1] - gains[0])
        rows.append((impact, len(rows), SensitivityRow(
            assumption=key, label=label, base_value=float(value), low_value=float(low),
            high_value=float(high), low_monthly_gain=gains[0], high_monthly_gain=gains[1],
            impact=impact,
        )))  # fmt: skip

    for i, (stage, uplift) in enumerate(zip(request.stages, given.uplifts, strict=True)):
        most = counts[i - 1] / counts[i] - ONE if i and counts[i] and counts[i - 1] else None
        low = max(-ONE, uplift - abs(uplift) * swing)
        high = uplift + abs(uplift) * swing
        high = high if most is None else min(high, most)

        def vary_stage(moved: Decimal, i: int = i) -> Assumptions:
            uplifts = list(given.uplifts)
            uplifts[i] = moved
            return given._replace(uplifts=uplifts)

        add(f"stages[{i}].uplift", labels["stage_uplift"].format(name=stage.name),
            value=uplift, low=low, high=high, vary=vary_stage)  # fmt: skip
    value = given.deal_value
    add("average_deal_value", labels["average_deal_value"], value=value,
        low=value * (ONE - swing), high=value * (ONE + swing),
        vary=lambda moved: given._replace(deal_value=moved))  # fmt: skip
    value = given.deal_uplift
    add("average_deal_value_uplift", labels["average_deal_value_uplift"], value=value,
        low=max(-ONE, value - abs(value) * swing), high=value + abs(value) * swing,
        vary=lambda moved: given._replace(deal_uplift=moved))  # fmt: skip
    value = given.margin
    add("gross_margin", labels["gross_margin"], value=value,
        low=value * (ONE - swing), high=min(ONE, value * (ONE + swing)),
        vary=lambda moved: given._replace(margin=moved))  # fmt: skip
    rows.sort(key=lambda row: (-row[0], row[1]))
    return [row for _, _, row in rows]


def _conversion(counts: list[Decimal], i: int) -> float | None:
    """Conversion into stage i: counts[i] / counts[i - 1]; null for the top stage or from zero.
    A ratio, not money: 50 digits are plenty before it becomes a float."""
    if i == 0 or not counts[i - 1]:
        return None
    return float(CONTEXT.divide(counts[i], counts[i - 1]))


def _change(uplift: Decimal) -> str:
    percent = show(uplift * 100)
    return f"{percent} %" if uplift < 0 else f"+{percent} %"
