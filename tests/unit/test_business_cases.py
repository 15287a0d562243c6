"""Partners' business cases: schedules (Forrester TEI), the yearly table, productivity,
scenarios, sensitivity and languages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from service.calc import (
    MODEL_VERSION,
    EvaluateRequest,
    ModelError,
    PaybackRequest,
    Scenario,
    evaluate,
    payback,
)
from service.examples import SEED_EVALUATE, SEED_PAYBACK, SEED_PAYBACK_WITH_EVALUATION

# A published Forrester TEI three-year table (initial year, years 1-3), risk-adjusted, at 10 %:
# PV costs 1,672,201; PV benefits 7,168,371; NPV 5,496,170; ROI 329 %.
TEI = {
    "schedule": {
        "period": "year",
        "costs": [53150, 666715, 636772, 647783],
        "benefits": [0, 1606511, 3061331, 4229760],
    },
    "annual_discount_rate": 0.10,
    "currency": "USD",
}


def run(body: dict[str, Any], minor_unit: int = 2) -> Any:
    return payback(msgspec.convert(body, PaybackRequest), minor_unit)


def test_a_yearly_schedule_reproduces_the_published_tei_figures() -> None:
    answer = run(TEI)
    assert round(answer.pv_costs) == 1672201
    assert round(answer.pv_benefits) == 7168371
    assert round(answer.npv) == 5496170
    assert round(answer.roi * 100) == 329
    assert answer.total_costs == Decimal(53150 + 666715 + 636772 + 647783)
    assert answer.period == "year"
    assert answer.horizon_months == 36
    # cumulative: -53150, 886646, ... -> paid back within year 1: 53150 / (1606511 - 666715)
    assert answer.payback_periods == pytest.approx(53150 / (1606511 - 666715))
    assert answer.payback_months == pytest.approx(12 * answer.payback_periods)
    assert answer.monthly_benefit is None
    assert answer.irr_annual == pytest.approx(answer.irr_period)


def test_a_monthly_schedule_discounts_by_the_twelfth_root() -> None:
    answer = run({"schedule": {"period": "month", "costs": [1000, 0, 0], "benefits": [0, 0, 1210]},
                  "annual_discount_rate": 0.21})  # fmt: skip
    # 1210 / 1.21^(2/12) = 1210 / 1.0322801... -> 1172.16
    assert answer.pv_benefits == Decimal("1172.16")
    assert answer.payback_months == pytest.approx(1 + 1000 / 1210)


def test_the_schedule_rows_must_be_equally_long() -> None:
    body = {"schedule": {"period": "year", "costs": [1, 2], "benefits": [1]}}
    with pytest.raises(ModelError) as raised:
        run(body)
    assert raised.value.violations[0].pointer == "/schedule/benefits"


@pytest.mark.parametrize(
    "body",
    [
        {**SEED_PAYBACK, "horizon_months": 30, "ramp_up_months": 5, "annual_discount_rate": 0.12,
         "costs": {"one_time": [{"name": "a", "amount": 15000.01}],
                   "monthly": [{"name": "b", "amount": 333.33}]}},
        {**SEED_PAYBACK, "horizon_months": 12},
        {**SEED_PAYBACK, "horizon_months": 7, "annual_discount_rate": 0.3},
        TEI,
        {"schedule": {"period": "month", "costs": [5.555] * 30, "benefits": [7.777] * 30},
         "annual_discount_rate": 0.07},
    ],
)  # fmt: skip
def test_the_yearly_table_adds_up_exactly_to_the_totals(body: dict[str, Any]) -> None:
    answer = run(body)
    years = answer.years
    assert years[0].year == 0 and years[0].months == 0
    assert sum(row.months for row in years) == answer.horizon_months
    assert sum(row.benefits for row in years) == answer.total_benefits
    assert sum(row.costs for row in years) == answer.total_costs
    assert sum(row.pv_benefits for row in years) == answer.pv_benefits
    assert sum(row.pv_costs for row in years) == answer.pv_costs
    assert sum(row.net for row in years) == answer.total_benefits - answer.total_costs
    if body.get("horizon_months") == 30:
        assert [row.months for row in years] == [0, 12, 12, 6]  # a partial last year


def test_productivity_alone_pays_back() -> None:
    # 10 users × 5 h × 300 UAH × 0.8 = 12,000 UAH a month; 15,000 once -> 1.25 months
    body = {
        "costs": SEED_PAYBACK["costs"],
        "productivity": {"users": 10, "hours_saved_per_user_per_month": 5,
                         "loaded_hourly_cost": 300, "realization": 0.8},
    }  # fmt: skip
    answer = run(body)
    assert answer.productivity_monthly_benefit == Decimal("12000.00")
    assert answer.monthly_benefit == Decimal("12000.00")
    assert answer.payback_months == pytest.approx(1.25)


def test_productivity_adds_to_the_benefit_and_is_ramped_and_risk_adjusted_like_it() -> None:
    body = {
        **SEED_PAYBACK,
        "ramp_up_months": 2,
        "risk_adjustment": {"benefits": 0.5},
        "productivity": {
            "users": 1,
            "hours_saved_per_user_per_month": 10,
            "loaded_hourly_cost": 91.8,
        },
    }
    answer = run(body)
    assert answer.monthly_benefit == Decimal("20000.00")  # 19,082 + 918
    assert answer.risk_adjusted_monthly_benefit == Decimal("10000.00")
    assert answer.cash_flows[1].benefit == Decimal("5000.00")  # half of it in month 1 of 2


def test_a_scenario_at_scale_1_is_the_plain_answer() -> None:
    scenarios = [{"name": "expected", "effect_scale": 1}]
    plain = evaluate(msgspec.convert(SEED_EVALUATE, EvaluateRequest), 2)
    evaluated = evaluate(
        msgspec.convert({**SEED_EVALUATE, "scenarios": scenarios}, EvaluateRequest), 2
    )
    assert evaluated.scenarios[0].monthly_gain == plain.monthly_gain
    assert evaluated.scenarios[0].projected_revenue == plain.projected_revenue
    direct = run({**SEED_PAYBACK, "scenarios": scenarios})
    embedded = run({**SEED_PAYBACK_WITH_EVALUATION, "scenarios": scenarios})
    for answer in (direct, embedded):
        scenario = answer.scenarios[0]
        assert scenario.npv == answer.npv
        assert scenario.payback_months == answer.payback_months
        assert scenario.irr_monthly == answer.irr_monthly
        assert scenario.total_benefits == answer.total_benefits


@pytest.mark.parametrize("base", [SEED_PAYBACK, SEED_PAYBACK_WITH_EVALUATION])
def test_conservative_expected_and_optimistic_are_ordered(base: dict[str, Any]) -> None:
    scenarios = [
        {"name": "conservative", "effect_scale": 0.5},
        {"name": "expected", "effect_scale": 1},
        {"name": "optimistic", "effect_scale": 1.5},
    ]
    answer = run({**base, "scenarios": scenarios})
    low, mid, high = answer.scenarios
    assert [s.name for s in answer.scenarios] == ["conservative", "expected", "optimistic"]
    assert low.npv < mid.npv < high.npv
    assert low.payback_months > mid.payback_months > high.payback_months  # type: ignore[operator]
    assert low.monthly_benefit < mid.monthly_benefit < high.monthly_benefit  # type: ignore[operator]


def test_evaluation_scenarios_scale_every_uplift() -> None:
    body = {**SEED_EVALUATE, "scenarios": [{"name": "none", "effect_scale": 0}]}
    answer = evaluate(msgspec.convert(body, EvaluateRequest), 2)
    assert answer.scenarios[0].monthly_gain == 0  # no effect, no gain
    assert answer.scenarios[0].projected_revenue == answer.baseline_revenue


def test_a_scenario_that_breaks_the_funnel_is_rejected_at_its_scale() -> None:
    stages = [{"name": "a", "count": 100}, {"name": "b", "count": 80, "uplift": 0.2}]
    body = {
        "stages": stages,
        "average_deal_value": 1,
        "scenarios": [{"name": "x", "effect_scale": 2}],
    }
    with pytest.raises(ModelError) as raised:
        evaluate(msgspec.convert(body, EvaluateRequest), 2)
    assert raised.value.violations[0].pointer == "/scenarios/0/effect_scale"


def test_sensitivity_rows_are_sorted_by_impact_for_a_tornado_chart() -> None:
    body = {**SEED_EVALUATE, "sensitivity_swing": 0.2}
    answer = evaluate(msgspec.convert(body, EvaluateRequest), 2)
    rows = answer.sensitivity
    assert {row.assumption for row in rows} == {
        "stages[0].uplift", "stages[1].uplift", "stages[2].uplift",
        "average_deal_value", "average_deal_value_uplift", "gross_margin",
    }  # fmt: skip
    impacts = [row.impact for row in rows]
    assert impacts == sorted(impacts, reverse=True)
    deal = next(row for row in rows if row.assumption == "average_deal_value")
    assert (deal.low_value, deal.high_value) == (160, 240)
    # 463 deals × 160 × 1.07 - 400 × 160 = 15,265.60; at 240: 22,898.40
    assert deal.low_monthly_gain == Decimal("15265.60")
    assert deal.high_monthly_gain == Decimal("22898.40")
    margin = next(row for row in rows if row.assumption == "gross_margin")
    assert margin.high_value == 1  # clamped to its range
    for row in rows:
        assert (
            row.low_monthly_gain <= answer.monthly_gain <= row.high_monthly_gain or row.impact == 0
        )


@pytest.mark.parametrize(
    ("language", "word"), [("en", "leads: more volume"), ("uk", "більший обсяг")]
)
def test_steps_are_worded_in_the_requested_language(language: str, word: str) -> None:
    answer = evaluate(msgspec.convert(SEED_EVALUATE, EvaluateRequest), 2, language)
    assert word in answer.steps[0].label
    english = evaluate(msgspec.convert(SEED_EVALUATE, EvaluateRequest), 2, "en")
    assert [s.value for s in answer.steps] == [s.value for s in english.steps]
    assert [s.key for s in answer.steps] == [s.key for s in english.steps]


def test_roi_is_null_when_the_pv_of_costs_shown_is_zero() -> None:
    """0.4 JPY of costs rounds to a shown pv_costs of 0: a ROI of 29999 beside it would be a
    ratio of figures the answer shows as zero."""
    request = msgspec.convert(
        {"currency": "JPY", "monthly_benefit": 1000,
         "costs": {"one_time": [{"name": "a", "amount": 0.4}]}},
        PaybackRequest,
    )  # fmt: skip
    answer = payback(request, 0)
    assert answer.pv_costs == 0
    assert answer.roi is None
    for scenario in payback(msgspec.structs.replace(request, scenarios=[
        msgspec.convert({"name": "x", "effect_scale": 1}, Scenario)]), 0).scenarios:  # fmt: skip
        assert scenario.pv_costs == 0 and scenario.roi is None


def test_break_even_of_the_seed() -> None:
    """15,000 pays for itself if 15,000 / 228,984 of the benefits materialise, and the NPV would
    be zero with 15,000 + 213,984 paid up front (roi-model.md, "What the answer adds")."""
    answer = payback(msgspec.convert(SEED_PAYBACK, PaybackRequest), 2)
    assert answer.break_even.benefit_realization == pytest.approx(15000 / 228984, rel=1e-15)
    assert answer.break_even.max_upfront_cost == Decimal("228984.00")


def test_break_even_of_the_published_tei_table() -> None:
    """The TEI study's totals (README): PV costs 1,672,201 and PV benefits 7,168,371 at 10 %,
    the initial outlay 53,150, NPV 5,496,170."""
    body = {
        "currency": "USD",
        "annual_discount_rate": 0.1,
        "schedule": {
            "period": "year",
            "costs": [53150, 666715, 636772, 647783],
            "benefits": [0, 1606511, 3061331, 4229760],
        },
    }
    answer = payback(msgspec.convert(body, PaybackRequest), 2)
    assert round(answer.pv_costs) == 1672201 and round(answer.npv) == 5496170
    assert answer.break_even.benefit_realization == pytest.approx(
        float(answer.pv_costs / answer.pv_benefits), rel=1e-6
    )
    assert round(answer.break_even.max_upfront_cost) == 53150 + 5496170


def test_the_calculation_id_is_the_same_for_the_same_request_written_differently() -> None:
    def calculation_id(body: dict[str, Any]) -> str:
        return payback(msgspec.convert(body, PaybackRequest), 2).calculation_id

    seed = calculation_id(SEED_PAYBACK)
    reordered = dict(reversed(list(SEED_PAYBACK.items())))
    spelled_out = {**SEED_PAYBACK, "horizon_months": 12.0, "annual_discount_rate": 0,
                   "risk_adjustment": {"benefits": 0, "costs": 0.0}, "scenarios": []}  # fmt: skip
    assert calculation_id(reordered) == seed
    assert calculation_id(spelled_out) == seed
    # what the model reads the same way: an omitted ramp is 0, omitted costs are none, -0.0 is 0
    assert calculation_id({**SEED_PAYBACK, "ramp_up_months": 0}) == seed
    assert calculation_id({**SEED_PAYBACK, "annual_discount_rate": -0.0}) == seed
    no_costs = {k: v for k, v in SEED_PAYBACK.items() if k != "costs"}
    assert calculation_id(no_costs) == calculation_id({**no_costs, "costs": {}})
    schedule = {"schedule": {"period": "year", "costs": [1], "benefits": [2]}}
    assert calculation_id(schedule) == calculation_id({**schedule, "horizon_months": 60})
    assert len(seed) == 32 and int(seed, 16) >= 0
    for changed in ({**SEED_PAYBACK, "monthly_benefit": 19082.01},
                    {**SEED_PAYBACK, "horizon_months": 13},
                    {**SEED_PAYBACK, "currency": "USD"}):  # fmt: skip
        assert calculation_id(changed) != seed


def test_every_answer_names_the_model_version() -> None:
    evaluate_answer = evaluate(msgspec.convert(SEED_EVALUATE, EvaluateRequest), 2)
    payback_answer = payback(msgspec.convert(SEED_PAYBACK_WITH_EVALUATION, PaybackRequest), 2)
    assert evaluate_answer.model_version == payback_answer.model_version == MODEL_VERSION
    changelog = (Path(__file__).resolve().parents[2] / "docs" / "model-changelog.md").read_text()
    assert f"## {MODEL_VERSION}" in changelog
