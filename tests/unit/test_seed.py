"""The seed's worked example (roi-model.md, "The seed, as requests"), figure by figure, and the
model's rules at their edges: rounding, the funnels and ramps it refuses, nothing owed.

Payback cases worked by hand, and the financial libraries as oracles, are in test_oracles.py.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from service.calc import (
    EvaluateRequest,
    ModelError,
    PaybackRequest,
    evaluate,
    payback,
)
from service.examples import SEED_EVALUATE, SEED_PAYBACK, SEED_PAYBACK_WITH_EVALUATION

UAH = 2


def evaluate_seed() -> EvaluateRequest:
    return msgspec.convert(SEED_EVALUATE, EvaluateRequest)


def payback_of(body: dict[str, object]) -> PaybackRequest:
    return msgspec.convert(body, PaybackRequest)


def test_seed_funnel_projects_the_posts_counts() -> None:
    answer = evaluate(evaluate_seed(), UAH)
    assert [s.projected for s in answer.stages] == [10300, 661, 463]
    assert [s.baseline for s in answer.stages] == [10000, 600, 400]
    assert answer.stages[0].baseline_conversion is None
    assert answer.stages[1].baseline_conversion == pytest.approx(0.06)
    assert answer.stages[2].baseline_conversion == pytest.approx(400 / 600)
    assert answer.stages[2].projected_conversion == pytest.approx(463 / 661)


def test_seed_revenue_and_gain_are_the_posts() -> None:
    answer = evaluate(evaluate_seed(), UAH)
    assert answer.baseline_revenue == Decimal("80000.00")
    assert answer.projected_revenue == Decimal("99082.00")
    assert answer.revenue_uplift == Decimal("19082.00")
    assert answer.revenue_uplift_ratio == 0.238525
    assert answer.monthly_gain == Decimal("19082.00")
    assert answer.currency == "UAH"


def test_seed_steps_follow_the_post_in_order() -> None:
    steps = evaluate(evaluate_seed(), UAH).steps
    # 10,300 leads; 618 and 661 potential deals; 441 and 463 deals; 92,600 and 99,082 UAH.
    assert [step.value for step in steps[:7]] == [10300, 618, 661, 441, 463, 92600, 99082]
    assert [step.unit for step in steps[:7]] == ["count"] * 5 + ["money"] * 2
    assert steps[1].formula == "600 × 10300 / 10000"
    assert steps[3].formula == "400 × 661 / 600"
    assert steps[-1].key == "monthly_gain"
    assert steps[-1].value == 19082
    assert len({step.key for step in steps}) == len(steps)


def test_seed_payback_is_under_one_month() -> None:
    answer = payback(payback_of(SEED_PAYBACK), UAH)
    assert answer.payback_months == pytest.approx(15000 / 19082, abs=1e-12)
    assert round(answer.payback_months or 0, 3) == 0.786
    assert answer.discounted_payback_months == answer.payback_months
    assert answer.total_benefits == Decimal("228984.00")
    assert answer.total_costs == Decimal("15000.00")
    assert answer.npv == Decimal("213984.00")
    assert answer.roi == pytest.approx(14.2656, abs=1e-12)  # 213,984 / 15,000
    assert answer.irr_monthly == pytest.approx(1.27207, abs=5e-6)
    assert answer.irr_annual == pytest.approx((1 + answer.irr_monthly) ** 12 - 1, rel=1e-12)
    assert len(answer.cash_flows) == 13
    assert answer.cash_flows[0].net == Decimal("-15000.00")
    assert answer.cash_flows[-1].cumulative == Decimal("213984.00")


def test_seed_payback_with_the_evaluation_embedded_answers_the_same() -> None:
    direct = payback(payback_of(SEED_PAYBACK), UAH)
    embedded = payback(payback_of(SEED_PAYBACK_WITH_EVALUATION), UAH)
    assert embedded.evaluation is not None
    assert embedded.evaluation.monthly_gain == Decimal("19082.00")
    embedded.evaluation = None
    # two different requests, so two calculation ids; every figure is the same
    assert embedded.calculation_id != direct.calculation_id
    embedded.calculation_id = direct.calculation_id
    # the benefit line is named and kinded after its field; its figures are the same
    assert [(line.name, line.kind) for line in embedded.lines[:1]] == [("evaluation", "funnel")]
    assert [(line.name, line.kind) for line in direct.lines[:1]] == [("monthly_benefit", "fixed")]
    figures = [[(line.total, line.pv, line.years) for line in a.lines] for a in (embedded, direct)]
    assert figures[0] == figures[1]
    embedded.lines = direct.lines
    assert msgspec.structs.asdict(embedded) == msgspec.structs.asdict(direct)


def test_exact_rounding_keeps_fractional_counts() -> None:
    answer = evaluate(msgspec.convert({**SEED_EVALUATE, "rounding": "exact"}, EvaluateRequest), 2)
    # 618 × 1.07 = 661.26; 400 × 661.26 / 600 = 440.84; × 1.05 = 462.882
    assert [s.projected for s in answer.stages] == [10300, pytest.approx(661.26), 462.882]
    # 462.882 × 200 × 1.07 = 99056.748 -> 99056.75
    assert answer.projected_revenue == Decimal("99056.75")


@pytest.mark.parametrize(
    ("minor_unit", "expected"), [(0, Decimal("3")), (2, Decimal("2.68")), (3, Decimal("2.675"))]
)
def test_money_rounds_half_up_from_the_exact_value(minor_unit: int, expected: Decimal) -> None:
    # 2.675 is 2.67499999... as a binary float; the model reads the decimal the client wrote.
    body = {
        "stages": [{"name": "a", "count": 1}, {"name": "b", "count": 1}],
        "average_deal_value": 2.675,
    }
    answer = evaluate(msgspec.convert(body, EvaluateRequest), minor_unit)
    assert answer.baseline_revenue == expected


def test_counts_that_grow_down_the_funnel_are_rejected_at_their_field() -> None:
    body = {**SEED_EVALUATE, "stages": [*SEED_EVALUATE["stages"][:2], {"name": "d", "count": 700}]}
    with pytest.raises(ModelError) as raised:
        evaluate(msgspec.convert(body, EvaluateRequest), UAH)
    assert [v.pointer for v in raised.value.violations] == ["/stages/2/count"]


def test_a_conversion_above_100_percent_is_rejected_at_the_uplift() -> None:
    stages = [{"name": "a", "count": 100}, {"name": "b", "count": 80, "uplift": 0.3}]
    with pytest.raises(ModelError) as raised:
        evaluate(msgspec.convert({"stages": stages, "average_deal_value": 1}, EvaluateRequest), 2)
    assert [v.pointer for v in raised.value.violations] == ["/stages/1/uplift"]
    assert "0.25" in raised.value.violations[0].detail  # the largest uplift allowed


def test_exactly_100_percent_conversion_is_allowed() -> None:
    stages = [{"name": "a", "count": 100}, {"name": "b", "count": 80, "uplift": 0.25}]
    answer = evaluate(
        msgspec.convert({"stages": stages, "average_deal_value": 1}, EvaluateRequest), 2
    )
    assert answer.stages[1].projected_conversion == 1.0


def test_a_ramp_longer_than_the_horizon_is_rejected() -> None:
    body = {**SEED_PAYBACK, "horizon_months": 6, "ramp_up_months": 7}
    with pytest.raises(ModelError) as raised:
        payback(payback_of(body), UAH)
    assert [v.pointer for v in raised.value.violations] == ["/ramp_up_months"]


def test_nothing_owed_pays_back_at_once_and_has_no_roi_or_irr() -> None:
    answer = payback(payback_of({"monthly_benefit": 100}), UAH)
    assert answer.payback_months == 0
    assert answer.roi is None
    assert answer.irr_monthly is None
    assert answer.irr_annual is None
