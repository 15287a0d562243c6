"""The business case as the document's template reads it: every word in the language, every
figure the JSON answer's, formatted (figures.py); chart coordinates normalized to 0..1.

Long lists are capped so that the heaviest valid request still fits two pages: lines beyond
``max_lines`` are summed into one "other lines" row (exact money: the lines add up exactly to
the totals), steps beyond ``max_steps`` are left to the JSON answer; the document says so.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from msgspec import UNSET

from service import calc
from service.calc.answers import Band, CurvePoint, UncertaintyResult
from service.calc.normal import NormalLine, lines_of

from . import figures
from .figures import money, percent
from .words import WORDS

Json = dict[str, Any]
ACCENT, ACCENT_2 = "#1f5fa8", "#d9822b"


def case_data(
    request: calc.PaybackRequest,
    answer: calc.PaybackResponse,
    language: str,
    *,
    max_lines: int = 14,
    max_steps: int = 26,
) -> Json:
    """Everything the template prints, as JSON-ready values."""
    words = WORDS[language]
    return {
        "lang": language,
        "words": words,
        "title": words["title"],
        "subtitle": _subtitle(request, answer, language),
        "headline": _headline(answer, language),
        "chart": _cash_chart(answer, language),
        "years": _years(answer, language),
        "scenarios": _scenarios(answer, language),
        "break_even": _break_even(answer, language),
        "lines": _lines(request, answer, language, max_lines),
        "steps": _steps(answer, language, max_steps),
        "solution": _solution(answer, language),
        "uncertainty": _uncertainty(answer, language),
        "footer": words["footer"].format(version=answer.model_version, id=answer.calculation_id),
    }


def _subtitle(request: calc.PaybackRequest, answer: calc.PaybackResponse, language: str) -> str:
    words = WORDS[language]
    rate = percent(request.annual_discount_rate, language)
    if answer.period == "year" or request.schedule is not UNSET:
        return words["subtitle_schedule"].format(
            currency=answer.currency, periods=len(answer.cash_flows),
            unit=words[answer.period], rate=rate,
        )  # fmt: skip
    return words["subtitle"].format(
        currency=answer.currency, horizon=answer.horizon_months, rate=rate,
        ramp=answer.ramp_up_months,
    )  # fmt: skip


def _months_text(value: float | None, language: str) -> str:
    words = WORDS[language]
    if value is None:
        return words["never"]
    return words["months_unit"].format(value=figures.months(value, language))


def _ratio(value: float | None, language: str) -> str:
    return WORDS[language]["none"] if value is None else percent(value, language)


def _headline(answer: calc.PaybackResponse, language: str) -> list[list[Any]]:
    words = WORDS[language]
    cur = answer.currency
    cards = [
        [words["payback"], _months_text(answer.payback_months, language)],
        [words["discounted_payback"], _months_text(answer.discounted_payback_months, language)],
        [words["npv"], f"{money(answer.npv, language)} {cur}"],
        [words["roi"], _ratio(answer.roi, language)],
        [words["total_benefits"], f"{money(answer.total_benefits, language)} {cur}"],
        [words["total_costs"], f"{money(answer.total_costs, language)} {cur}"],
        [words["pv_benefits"], f"{money(answer.pv_benefits, language)} {cur}"],
        [words["pv_costs"], f"{money(answer.pv_costs, language)} {cur}"],
    ]
    if answer.irr_annual is not None:
        cards.insert(4, [words["irr"], percent(answer.irr_annual, language)])
    if answer.risk_adjusted_monthly_benefit is not None:
        benefit = money(answer.risk_adjusted_monthly_benefit, language)
        cards.insert(4, [words["monthly_benefit"], f"{benefit} {cur}"])
    return [[label, value, fitted([["", value]], 118, 11.5)] for label, value in cards[:8]]


# ---- charts ----------------------------------------------------------------------------------


def _nice_step(span: float, ticks: int) -> float:
    """A 1-2-2.5-5 × 10^k step giving about ``ticks`` intervals over ``span``."""
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)


def _y_axis(values: list[float], language: str) -> tuple[float, float, list[list[Any]]]:
    lo, hi = min([*values, 0.0]), max([*values, 0.0])
    if hi - lo < 1e-9:
        hi = lo + 1
    step = _nice_step(hi - lo, 4)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    count = round((hi - lo) / step)
    ticks = [lo + i * step for i in range(count + 1)]
    return lo, hi, [[(t - lo) / (hi - lo), _short(t, language), abs(t) < step / 2] for t in ticks]


def _short(value: float, language: str) -> str:
    """A tick label: 1.2M, 350k (en); 1,2 млн, 350 тис. (uk)."""
    units = {"en": ((1e9, "B"), (1e6, "M"), (1e3, "k")),
             "uk": ((1e9, "\u00a0млрд"), (1e6, "\u00a0млн"), (1e3, "\u00a0тис."))}  # fmt: skip
    for size, suffix in units[language]:
        if abs(value) >= size:
            scaled = value / size
            places = 0 if scaled == int(scaled) else 1
            return figures.number(scaled, places, language) + suffix
    return figures.number(value, 0, language)


def _x_ticks(last_month: int, language: str) -> list[list[Any]]:
    step = next(s for s in (1, 3, 6, 12, 24) if last_month / s <= 10)
    return [[m / last_month, str(m)] for m in range(0, last_month + 1, step)]


def _cash_chart(answer: calc.PaybackResponse, language: str) -> Json:
    words = WORDS[language]
    flows = answer.cash_flows
    last = max(flows[-1].month, 1)
    cumulative = [float(f.cumulative) for f in flows]
    discounted = [float(f.discounted_cumulative) for f in flows]
    bands: list[Band] = answer.uncertainty.cumulative_bands if answer.uncertainty else []
    band_values = [float(v) for b in bands for v in (b.p10, b.p90)]
    lo, hi, yticks = _y_axis(cumulative + discounted + band_values, language)

    def y(value: float) -> float:
        return (value - lo) / (hi - lo)

    legend = [[ACCENT, words["cumulative"], "line"], [ACCENT, words["discounted_cumulative"],
              "dashed"]]  # fmt: skip
    band = None
    if bands:
        band = [[b.month / last, y(float(b.p10)), y(float(b.p90))] for b in bands]
        legend.append([ACCENT, words["band"], "band"])
    marker = None
    if answer.payback_months is not None:
        marker = [answer.payback_months / last, words["payback"]]
    return {
        "title": f"{words['chart']}, {answer.currency}",
        "series": [
            {"points": [[f.month / last, y(v)] for f, v in zip(flows, cumulative, strict=True)],
             "color": ACCENT, "width": 1.4, "dash": None},
            {"points": [[f.month / last, y(v)] for f, v in zip(flows, discounted, strict=True)],
             "color": ACCENT, "width": 0.9, "dash": "dashed"},
        ],
        "band": band,
        "marker": marker,
        "yticks": yticks,
        "xticks": _x_ticks(last, language),
        "legend": legend,
    }  # fmt: skip


def _s_curve(curve: list[CurvePoint], language: str) -> Json:
    last = max(curve[-1].month, 1) if curve else 1
    points = [[p.month / last, p.probability] for p in curve] or [[0.0, 0.0], [1.0, 0.0]]
    return {
        "title": WORDS[language]["s_curve"],
        "series": [{"points": points, "color": ACCENT, "width": 1.4, "dash": None}],
        "band": None,
        "marker": None,
        "yticks": [[q, percent(q, language, 0), q == 0] for q in (0, 0.25, 0.5, 0.75, 1)],
        "xticks": _x_ticks(last, language),
    }


# ---- tables ----------------------------------------------------------------------------------


def fitted(rows: list[list[str]], column_pt: float, largest: float = 8.2) -> float:
    """The font size (pt) at which the longest figure of ``rows`` (their columns after the
    first) fits ``column_pt``: a digit of Libertinus Serif's tabular figures is half an em."""
    longest = max((len(cell) for row in rows for cell in row[1:]), default=1)
    return round(max(5.5, min(largest, column_pt / (0.5 * longest + 1))), 2)


def _years(answer: calc.PaybackResponse, language: str) -> Json:
    words = WORDS[language]
    head = [words[k] for k in ("col_year", "col_months", "col_benefits", "col_costs", "col_net",
                               "col_pv_benefits", "col_pv_costs")]  # fmt: skip
    rows = [
        [str(r.year), str(r.months), *(money(v, language) for v in
         (r.benefits, r.costs, r.net, r.pv_benefits, r.pv_costs))]
        for r in answer.years
    ]  # fmt: skip
    total = [words["total"], "", *(money(v, language) for v in (
        answer.total_benefits, answer.total_costs, answer.total_benefits - answer.total_costs,
        answer.pv_benefits, answer.pv_costs))]  # fmt: skip
    return {"head": head, "rows": rows, "total": total, "size": fitted([*rows, total], 74)}


def _scenarios(answer: calc.PaybackResponse, language: str) -> Json:
    words = WORDS[language]
    head = [words["col_scenario"], words["col_scale"], words["col_payback"], words["npv"],
            words["roi"], words["irr"]]  # fmt: skip
    base = calc.PaybackScenario(
        name=words["base"],
        effect_scale=1.0,
        monthly_benefit=answer.monthly_benefit,
        payback_months=answer.payback_months,
        discounted_payback_months=answer.discounted_payback_months,
        total_benefits=answer.total_benefits,
        total_costs=answer.total_costs,
        pv_benefits=answer.pv_benefits,
        pv_costs=answer.pv_costs,
        npv=answer.npv,
        roi=answer.roi,
        irr_monthly=answer.irr_monthly,
        irr_annual=answer.irr_annual,
    )  # the answer as entered, beside its scenarios
    rows = [
        [s.name, "×" + figures.number(s.effect_scale, 2, language),
         words["none"] if s.payback_months is None else figures.months(s.payback_months, language),
         money(s.npv, language), _ratio(s.roi, language), _ratio(s.irr_annual, language)]
        for s in [base, *answer.scenarios]
    ]  # fmt: skip
    return {"head": head, "rows": rows, "size": fitted(rows, 62)}


def _break_even(answer: calc.PaybackResponse, language: str) -> list[list[str]]:
    words = WORDS[language]
    even = answer.break_even
    upfront = f"{money(even.max_upfront_cost, language)} {answer.currency}"
    return [
        [words["benefit_realization"], _ratio(even.benefit_realization, language)],
        [words["max_upfront_cost"], upfront],
    ]


def _start(line: NormalLine) -> str:
    item = line.item
    start = getattr(item, "start_month", getattr(item, "month", None))
    return "—" if start is None else str(int(start))


def _lines(
    request: calc.PaybackRequest, answer: calc.PaybackResponse, language: str, max_lines: int
) -> Json:
    words = WORDS[language]
    head = [words[k] for k in ("col_line", "col_kind", "col_risk", "col_ramp", "col_start",
                               "col_total", "col_pv")]  # fmt: skip
    inputs = [line for line, _ in lines_of(request)]
    rows = []
    shown = answer.lines if len(answer.lines) <= max_lines else answer.lines[: max_lines - 1]
    for result, line in zip(shown, inputs, strict=False):
        ramp = str(line.ramp_up_months) if result.side == "benefit" else "—"
        figures_ = [money(result.total, language), money(result.pv, language)]
        rows.append(
            [result.name, words[result.kind], percent(line.risk, language), ramp, _start(line),
             *figures_]
        )  # fmt: skip
    note = None
    rest = answer.lines[len(shown) :]
    if rest:
        total = sum((r.total if r.side == "benefit" else -r.total for r in rest), Decimal(0))
        pv = sum((r.pv if r.side == "benefit" else -r.pv for r in rest), Decimal(0))
        rows.append([words["other_lines"].format(count=len(rest)), "", "", "", "",
                     money(total, language), money(pv, language)])  # fmt: skip
        note = words["other_lines_note"].format(count=len(rest), shown=len(shown))
    return {
        "head": head,
        "rows": rows,
        "total": None,
        "note": note,
        "size": fitted([row[1:] for row in rows], 58),
    }


def _step_value(value: float, unit: str, language: str) -> str:
    if unit == "money":
        return figures.number(value, 2, language)
    if unit == "ratio":
        return percent(value, language, 2)
    return figures.count(value, language)


def _steps(answer: calc.PaybackResponse, language: str, max_steps: int) -> Json | None:
    if answer.evaluation is None:
        return None
    words = WORDS[language]
    steps = answer.evaluation.steps
    rows = [[s.label, s.formula, _step_value(s.value, s.unit, language)]
            for s in steps[:max_steps]]  # fmt: skip
    note = None
    if len(steps) > max_steps:
        note = words["other_lines_note"].format(count=len(steps) - max_steps, shown=max_steps)
    head = [words["col_step"], words["col_formula"], words["col_value"]]
    return {"head": head, "rows": rows, "note": note, "size": 7.6}


def _solution(answer: calc.PaybackResponse, language: str) -> str | None:
    solution = answer.solution
    if solution is None:
        return None
    words = WORDS[language]
    parts = [
        f"{solution.pointer} = {figures.number(solution.value, 2, language)}",
        f"{words['npv']} {money(solution.npv, language)} {answer.currency}",
        f"{words['roi']} {_ratio(solution.roi, language)}",
        f"{words['payback']} {_months_text(solution.payback_months, language)}",
    ]
    return " · ".join(parts)


def _uncertainty(answer: calc.PaybackResponse, language: str) -> Json | None:
    sure: UncertaintyResult | None = answer.uncertainty
    if sure is None:
        return None
    words = WORDS[language]
    facts = []
    if sure.probability_payback_within is not None and sure.payback_within_months is not None:
        label = words["p_within"].format(months=sure.payback_within_months)
        facts.append([label, percent(sure.probability_payback_within.value, language)])
    facts.append([words["p_no_payback"], percent(sure.probability_no_payback.value, language)])
    facts.append([words["p_loss"], percent(sure.probability_npv_negative.value, language)])
    npv, roi, pay = sure.npv, sure.roi, sure.payback_months

    def months_or_none(value: float | None) -> str:
        return words["none"] if value is None else figures.months(value, language)

    rows = [
        [f"{words['npv_money']}, {answer.currency}",
         *(money(v, language) for v in (npv.p10, npv.p50, npv.p90))],
        [words["roi_ratio"], *(_ratio(v, language) for v in (roi.p10, roi.p50, roi.p90))],
        [words["payback_months"], *(months_or_none(v) for v in (pay.p10, pay.p50, pay.p90))],
    ]  # fmt: skip
    head = [words["col_figure"], "P10", "P50", "P90"]
    percentiles = {"head": head, "rows": rows, "size": fitted(rows, 50)}
    method = words["uncertainty_method"].format(
        samples=figures.count(sure.samples, language), method=sure.method, seed=sure.seed
    )
    return {
        "method": method,
        "facts": facts,
        "percentiles": percentiles,
        "curve": _s_curve(sure.payback_curve, language),
    }
