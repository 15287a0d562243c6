"""The funnel effect (roi-model.md, "Evaluate: the funnel effect"), its scenarios and its
sensitivity table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, getcontext, localcontext, setcontext

from msgspec import UNSET, Struct
from msgspec.structs import replace

from .answers import EvaluateResponse, EvaluateScenario, SensitivityRow, StageResult, Step
from .errors import ModelError, Violation
from .labels import LABELS, WORDING, Wording
from .money import (
    _EXACT,
    _SHOWN,
    CONTEXT,
    EXACT,
    ONE,
    ZERO,
    exact,
    money_quantum,
    round_money,
    show,
    show_digits,
    show_input,
)
from .types import MAX_STAGES, EvaluateRequest
from .version import MODEL_VERSION

# The context evaluate() computes in: EXACT's settings. It is made current with setcontext(),
# which takes it as it is, not with localcontext(), which copies its context on every call (a
# tenth of the whole evaluation). Its flags are never read.
_WORKING = EXACT.copy()

# Integers below this are exactly floats.
_FLOAT_INTEGERS = float(2**53)

# The keys of the trace's per-stage steps.
_VOLUME_KEYS = tuple(f"stages[{i}].volume" for i in range(MAX_STAGES))
_PROJECTED_KEYS = tuple(f"stages[{i}].projected" for i in range(MAX_STAGES))


# Assumptions and Projection are Structs rather than NamedTuples: built and read several times
# per request, and a Struct is built without a Python-level __new__ and its fields read as
# slots. gc=False: they hold lists of decimals, never a cycle.


class Assumptions(Struct, frozen=True, gc=False):
    """The model's inputs as exact decimals; scenarios and sensitivity vary them."""

    counts: list[Decimal]
    uplifts: list[Decimal]
    deal_value: Decimal
    deal_uplift: Decimal
    margin: Decimal


class Projection(Struct, frozen=True, gc=False):
    """The funnel formulas' results (project)."""

    volumes: list[Decimal]  # each stage after the volume effect, before its own uplift
    projected: list[Decimal]
    baseline_revenue: Decimal
    projected_revenue: Decimal
    revenue_uplift: Decimal
    ratio: Decimal | None
    monthly_gain: Decimal


def assumptions(request: EvaluateRequest) -> Assumptions:
    """The request's numbers as the decimals the client wrote (exact()), its memo read
    inline: a miss, or a zero (whose decimal is falsy), goes through exact() itself."""
    get = _EXACT.get
    counts: list[Decimal] = []
    uplifts: list[Decimal] = []
    for stage in request.stages:
        count, uplift = stage.count, stage.uplift
        counts.append(get(count) or exact(count))
        uplifts.append(get(uplift) or exact(uplift))
    return Assumptions(
        counts,
        uplifts,
        exact(request.average_deal_value),
        exact(request.average_deal_value_uplift),
        exact(request.gross_margin),
    )


def scaled(given: Assumptions, scale: Decimal) -> Assumptions:
    """The CRM's effects (every stage uplift and the deal-value uplift) times ``scale``."""
    return replace(
        given,
        uplifts=[uplift * scale for uplift in given.uplifts],
        deal_uplift=given.deal_uplift * scale,
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
        return _check_funnel(request, pointer, assumptions(request) if given is None else given)


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
        elif above > ZERO and stage * (ONE + given.uplifts[i]) > above:
            violations.append(
                Violation(
                    f"{pointer}/stages/{i}/uplift",
                    f"the projected conversion into {stages[i].name!r} would exceed 100 %; "
                    f"with this baseline the uplift may be at most {show(above / stage - ONE)}",
                )
            )
    if violations or not request.scenarios:
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
    previous = getcontext()
    setcontext(_WORKING)
    try:
        given = assumptions(request)
        violations = _check_funnel(request, "", given)
        if violations:
            raise ModelError(violations)
        return _evaluate(request, given, minor_unit, language)
    finally:
        setcontext(previous)


def checked_evaluate(
    request: EvaluateRequest, given: Assumptions, minor_unit: int, language: str
) -> EvaluateResponse:
    """evaluate() for a funnel its caller has already checked (check_funnel); ``given`` is
    assumptions(request)."""
    previous = getcontext()
    setcontext(_WORKING)
    try:
        return _evaluate(request, given, minor_unit, language)
    finally:
        setcontext(previous)


def _evaluate(
    request: EvaluateRequest, given: Assumptions, minor_unit: int, language: str
) -> EvaluateResponse:
    """checked_evaluate() in the working context (EXACT)."""
    whole = request.rounding == "whole_units"
    main = project(given, minor_unit, whole)
    stages: list[StageResult] = []
    steps: list[Step] = []
    ratio = None if main.ratio is None else float(main.ratio)
    trace(
        request, given, main, minor_unit, WORDING[language], ratio=ratio, stages=stages, steps=steps
    )
    return EvaluateResponse(
        currency=request.currency,
        rounding=request.rounding,
        stages=stages,
        baseline_revenue=main.baseline_revenue,
        projected_revenue=main.projected_revenue,
        revenue_uplift=main.revenue_uplift,
        revenue_uplift_ratio=ratio,
        gross_margin=request.gross_margin,
        monthly_gain=main.monthly_gain,
        steps=steps,
        scenarios=[
            _scenario(
                scenario.name,
                scenario.effect_scale,
                project(scaled(given, exact(scenario.effect_scale)), minor_unit, whole),
            )
            for scenario in request.scenarios
        ]
        if request.scenarios
        else [],
        sensitivity=(
            []
            if request.sensitivity_swing is UNSET
            else _sensitivity(request, given, minor_unit, LABELS[language])
        ),
        model_version=MODEL_VERSION,
    )


def project(given: Assumptions, minor_unit: int, whole: bool) -> Projection:
    """The funnel formulas on exact decimals (R rounds counts only when ``whole``), in the
    current context (its callers make it EXACT).

    R (round_count) and M (round_money) are inlined: the same calls with positional arguments,
    without a Python call each (project runs once per scenario and twice per sensitivity row).
    """
    counts, uplifts = given.counts, given.uplifts
    quantize = Decimal.quantize
    above = counts[0]
    after = above * (ONE + uplifts[0])  # p_0 = R(c_0 (1 + u_0))
    if whole:
        after = quantize(after, ONE, ROUND_HALF_UP, CONTEXT)  # round_count()
    volumes, projected = [above], [after]
    for i in range(1, len(counts)):
        count = counts[i]
        if not above:
            volume = ZERO
        elif whole:
            volume = _whole_volume(count * after, above)
        else:
            volume = count * after / above  # volume_i = c_i p_{i-1} / c_{i-1}
        after = volume * (ONE + uplifts[i])  # p_i = R(volume_i (1 + u_i))
        if whole:
            after = quantize(after, ONE, ROUND_HALF_UP, CONTEXT)
        volumes.append(volume)
        projected.append(after)
        above = count
    quantum, zero = money_quantum(minor_unit)  # M(x) is quantize(x, quantum, ...) or zero
    deal_value = given.deal_value
    baseline_revenue = quantize(above * deal_value, quantum, ROUND_HALF_UP, CONTEXT) or zero
    projected_revenue = (
        quantize(after * deal_value * (ONE + given.deal_uplift), quantum, ROUND_HALF_UP, CONTEXT)
        or zero
    )
    revenue_uplift = projected_revenue - baseline_revenue
    return Projection(
        volumes,
        projected,
        baseline_revenue,
        projected_revenue,
        revenue_uplift,
        CONTEXT.divide(revenue_uplift, baseline_revenue) if baseline_revenue else None,
        quantize(revenue_uplift * given.margin, quantum, ROUND_HALF_UP, CONTEXT) or zero,
    )


def _whole_volume(dividend: Decimal, divisor: Decimal) -> Decimal:
    """R(dividend / divisor) for whole_units' volume_i = R(c_i p_{i-1} / c_{i-1}): the quotient
    half-up to an integer, from the integer quotient and the exact remainder.

    Equal to what R(x / y) does in EXACT, rounding the quotient to 1000 digits and then to an
    integer, at half its cost, because both roundings fall on the same side of every half. The
    quotient is below 1e11 (c_i ≤ c_{i-1}, so it is at most p_{i-1}), so 1000 digits put it
    within 1e-989 of the true one. The true one is a fraction n / (m 10^k) with m < 10^17 (the
    digits of c_{i-1}) and k ≤ 324 (the exponent of c_{i-1}, at most 0 for a count up to 1e9,
    less that of c_i, at least -324 for a float): either exactly a half past an integer, or
    more than 1e-342 from one. Both results are integers with exponent 0 (divmod's quotient is).
    Needs EXACT's precision: the remainder keeps every digit of c_i.
    """
    quotient, remainder = divmod(dividend, divisor)
    return quotient + ONE if remainder + remainder >= divisor else quotient


def trace(
    request: EvaluateRequest,
    given: Assumptions,
    result: Projection,
    minor_unit: int,
    words: Wording,
    *,
    ratio: float | None,
    stages: list[StageResult],
    steps: list[Step],
) -> None:
    """Each stage before and after (into ``stages``), and the steps of the computation in the
    post's order with their operands (into ``steps``): per stage volume_i = c_i × p_{i-1} /
    c_{i-1} (below the top) and p_i = volume_i × (1 + u_i); then the revenue.

    Every operand is printed once (see show): the client's own numbers through show_input(),
    counts and money already rounded from their str(); only the exact mode's fractional counts
    need the whole of show(). ``ratio`` is result.ratio as a float.
    """
    counts, uplifts = given.counts, given.uplifts
    volumes, projected = result.volumes, result.projected
    whole = request.rounding == "whole_units"
    top, volume_words, conversion = words.top, words.volume, words.conversion  # Phrase.fill inlined
    shown, uplift_texts = _SHOWN.get, _UPLIFT_TEXTS.get  # memo hits inline, misses call
    above_name = above_text = above_projected_text = ""  # stage i - 1's, for the next stage
    above_baseline = above_value = 0.0
    for i, stage in enumerate(request.stages):
        count, growth, after = counts[i], uplifts[i], projected[i]
        name = stage.name
        count_text = shown(count) or show_input(count)
        growth_text, change_text = uplift_texts(growth) or _uplift_texts(growth)
        baseline = float(stage.count) or 0.0  # float(exact(x)) is x, and -0.0 is 0
        # In whole_units mode R made every count but the top's baseline an integer, which
        # show() prints as str() does (never "-0": counts are not negative); float(str(x)) is
        # how float(x) converts a decimal.
        if whole:
            projected_text = str(after)
            value = float(projected_text)
        else:
            projected_text, value = show(after), float(after)
        if i:
            volume = volumes[i]
            if whole:
                volume_text = str(volume)
                volume_value = float(volume_text)
            else:
                volume_text, volume_value = show(volume), float(volume)
            steps.append(Step(
                key=_VOLUME_KEYS[i],
                label=f"{volume_words.head}{name}{volume_words.middle}{above_name}{volume_words.tail}",
                formula=f"{count_text} × {above_projected_text} / {above_text}",
                value=volume_value,
                unit="count",
            ))  # fmt: skip
            label = f"{conversion.head}{name}{conversion.middle}{change_text}{conversion.tail}"
            baseline_conversion = _conversion(count, counts[i - 1], baseline, above_baseline)
            # whole_units: R made p_i and p_{i-1} integers, whose floats are them below 2^53
            # (and zero exactly when they are). Fractional counts: their floats are not them
            # (a tiny one's may even be 0.0), so the decimals decide.
            above_after = projected[i - 1]
            projected_conversion = (
                _conversion(after, above_after, value, above_value)
                if whole
                else float(CONTEXT.divide(after, above_after))
                if above_after
                else None
            )
        else:
            volume_text = count_text
            label = f"{top.head}{name}{top.middle}{change_text}{top.tail}"
            baseline_conversion = projected_conversion = None
        steps.append(Step(
            key=_PROJECTED_KEYS[i],
            label=label,
            formula=f"{volume_text} × (1 + {growth_text})",
            value=value,
            unit="count",
        ))  # fmt: skip
        stages.append(StageResult(
            name=name,
            baseline=baseline,
            projected=value,
            baseline_conversion=baseline_conversion,
            projected_conversion=projected_conversion,
        ))  # fmt: skip
        above_name, above_text, above_projected_text = name, count_text, projected_text
        above_baseline, above_value = baseline, value
    _revenue_trace(
        given,
        result,
        minor_unit,
        words,
        won_text=above_projected_text,
        won_baseline_text=above_text,
        ratio=ratio,
        steps=steps,
    )


def _revenue_trace(
    given: Assumptions,
    result: Projection,
    minor_unit: int,
    words: Wording,
    *,
    won_text: str,
    won_baseline_text: str,
    ratio: float | None,
    steps: list[Step],
) -> None:
    """The revenue steps of the trace: M(p_last A), then × (1 + u_A) (the post's order), the
    baseline M(c_last A), the uplift, its ratio to the baseline and the gain at the margin.
    ``won_text`` shows p_last, ``won_baseline_text`` c_last; ``ratio`` is result.ratio as a
    float.

    Money is printed from its str() (show_digits), which also gives its float: float(x)
    converts a decimal through str(x)."""
    show_money = show_digits if minor_unit <= 6 else _show_any_digits
    at_old_deal = str(round_money(result.projected[-1] * given.deal_value, minor_unit))
    projected_revenue = str(result.projected_revenue)
    baseline_revenue = str(result.baseline_revenue)
    revenue_uplift = str(result.revenue_uplift)
    baseline_text, uplift_text = show_money(baseline_revenue), show_money(revenue_uplift)
    deal_value_text = show_input(given.deal_value)
    deal_uplift_text, deal_change_text = _uplift_texts(given.deal_uplift)
    steps.append(Step(
        key="revenue_at_baseline_deal_value",
        label=words.revenue_at_baseline_deal_value,
        formula=f"{won_text} × {deal_value_text}",
        value=float(at_old_deal),
        unit="money",
    ))  # fmt: skip
    steps.append(Step(
        key="projected_revenue",
        label=words.projected_revenue.fill(deal_change_text),
        formula=f"{show_money(at_old_deal)} × (1 + {deal_uplift_text})",
        value=float(projected_revenue),
        unit="money",
    ))  # fmt: skip
    steps.append(Step(
        key="baseline_revenue",
        label=words.baseline_revenue,
        formula=f"{won_baseline_text} × {deal_value_text}",
        value=float(baseline_revenue),
        unit="money",
    ))  # fmt: skip
    steps.append(Step(
        key="revenue_uplift",
        label=words.revenue_uplift,
        formula=f"{show_money(projected_revenue)} − {baseline_text}",
        value=float(revenue_uplift),
        unit="money",
    ))  # fmt: skip
    if ratio is not None:
        steps.append(Step(
            key="revenue_uplift_ratio",
            label=words.revenue_uplift_ratio,
            formula=f"{uplift_text} / {baseline_text}",
            value=ratio,
            unit="ratio",
        ))  # fmt: skip
    steps.append(Step(
        key="monthly_gain",
        label=words.monthly_gain,
        formula=f"{uplift_text} × {show_input(given.margin)}",
        value=float(result.monthly_gain),
        unit="money",
    ))  # fmt: skip


def _conversion(value: Decimal, above: Decimal, number: float, above_number: float) -> float | None:
    """Conversion into a stage, value / above: its 50-digit quotient (CONTEXT) as a float; null
    from zero. ``number`` and ``above_number`` are the two as floats, exact whenever they are
    integers (so for the client's counts, whose decimals are their repr(), and for whole_units'
    projections, which are integers).

    Integers below 2^53 divide as floats instead, at a third of the cost and to the same float:
    a / b is correctly rounded from the true quotient, and float() of the 50-digit quotient
    (within 1e-49 of it, relatively) is too, because a quotient of such integers is never a
    midpoint between two floats (that would take b ≥ 2^53) nor nearer to one than 2^-107.
    """
    if not above:
        return None
    if (
        number.is_integer()
        and above_number.is_integer()
        and number < _FLOAT_INTEGERS
        and above_number < _FLOAT_INTEGERS
    ):
        return number / above_number
    return float(CONTEXT.divide(value, above))


def _show_any_digits(digits: str) -> str:
    """show() of a decimal given as its str(), whatever its number of decimals."""
    return show(Decimal(digits))


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
            return replace(given, uplifts=uplifts)

        add(f"stages[{i}].uplift", labels["stage_uplift"].format(name=stage.name),
            value=uplift, low=low, high=high, vary=vary_stage)  # fmt: skip
    value = given.deal_value
    add("average_deal_value", labels["average_deal_value"], value=value,
        low=value * (ONE - swing), high=value * (ONE + swing),
        vary=lambda moved: replace(given, deal_value=moved))  # fmt: skip
    value = given.deal_uplift
    add("average_deal_value_uplift", labels["average_deal_value_uplift"], value=value,
        low=max(-ONE, value - abs(value) * swing), high=value + abs(value) * swing,
        vary=lambda moved: replace(given, deal_uplift=moved))  # fmt: skip
    value = given.margin
    add("gross_margin", labels["gross_margin"], value=value,
        low=value * (ONE - swing), high=min(ONE, value * (ONE + swing)),
        vary=lambda moved: replace(given, margin=moved))  # fmt: skip
    rows.sort(key=lambda row: (-row[0], row[1]))
    return [row for _, _, row in rows]


_UPLIFT_TEXTS: dict[Decimal, tuple[str, str]] = {}
_UPLIFT_TEXTS_SIZE = 4096


def _uplift_texts(uplift: Decimal) -> tuple[str, str]:
    """An uplift as a formula prints it, show(uplift), and as a label does, show(uplift × 100)
    as a signed percentage ("+3 %", "-10 %"). Memoised (bounded): uplifts are the client's own
    numbers, which requests repeat."""
    texts = _UPLIFT_TEXTS.get(uplift)
    if texts is None:
        if len(_UPLIFT_TEXTS) >= _UPLIFT_TEXTS_SIZE:
            _UPLIFT_TEXTS.clear()
        percent = show(uplift * 100)
        change = f"{percent} %" if uplift < 0 else f"+{percent} %"
        texts = _UPLIFT_TEXTS[uplift] = (show(uplift), change)
    return texts
