"""How sure (roi-model.md, "How sure: uncertainty (model 3)"): every check of "What must hold",
each closed form held within 4 standard errors, and every 422 of "The request"."""

from __future__ import annotations

import math
from decimal import Decimal
from statistics import NormalDist
from typing import Any

import msgspec
import pytest

from service.calc import ModelError, PaybackRequest, PaybackResponse, payback
from service.calc.answers import UncertaintyResult
from service.examples import PARTNER_QUOTE, PARTNER_QUOTE_RANGES, SEED_PAYBACK

Z95 = 1.6448536269514722
PHI = NormalDist()
QUANTILES = {"p5": 0.05, "p10": 0.10, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p90": 0.90,
             "p95": 0.95}  # fmt: skip


def run(body: dict[str, Any]) -> PaybackResponse:
    return payback(msgspec.convert(body, PaybackRequest), 2)


def sure(body: dict[str, Any], *ranges: dict[str, Any], **options: Any) -> UncertaintyResult:
    answer = run({**body, "uncertainty": {"ranges": list(ranges), **options}})
    assert answer.uncertainty is not None
    return answer.uncertainty


def quantile_se(q: float, density: float, n: int) -> float:
    """The standard error of a sample quantile: √(q (1 - q) / n) / f(x_q)."""
    return math.sqrt(q * (1 - q) / n) / density


def case(amount: float = 10000, cost: float = 50000, months: int = 12, risk: float = 0.1,
         **more: Any) -> dict[str, Any]:  # fmt: skip
    """One fixed line A, one upfront cost C, no discounting, no ramp, horizon H."""
    return {
        "benefits": [{"kind": "fixed", "name": "A", "monthly_amount": amount, "risk": risk}],
        "costs": {"one_time": [{"name": "C", "amount": cost}]},
        "horizon_months": months,
        **more,
    }


# --- What must hold ------------------------------------------------------------------------


@pytest.mark.parametrize("body", [SEED_PAYBACK, {k: v for k, v in PARTNER_QUOTE.items()
                                                 if k != "solve"}])  # fmt: skip
def test_zero_width_ranges_answer_the_exact_headline(body: dict[str, Any]) -> None:
    pointers = ["/costs/one_time/0/amount", "/risk_adjustment/benefits"]
    own = {"/costs/one_time/0/amount": body["costs"]["one_time"][0]["amount"],
           "/risk_adjustment/benefits": 0.0}  # fmt: skip
    ranges = [{"pointer": p, "low": own[p], "high": own[p]} for p in pointers]
    exact = run(body)
    got = sure(body, *ranges, payback_within_months=6, samples=1024)
    cent = Decimal("0.01")
    for name in QUANTILES:
        assert abs(getattr(got.npv, name) - exact.npv) <= cent
        assert getattr(got.roi, name) == pytest.approx(exact.roi, abs=1e-9)
        assert getattr(got.payback_months, name) == pytest.approx(exact.payback_months, abs=1e-9)
    assert got.npv.sd == 0
    for p in (got.probability_npv_negative, got.probability_no_payback,
              got.probability_payback_within):  # fmt: skip
        assert p is not None and p.value in (0.0, 1.0) and p.standard_error == 0
    assert got.probability_payback_within.value == float(exact.payback_months <= 6)  # type: ignore[union-attr,operator]


def test_a_normal_benefit_gives_a_normal_npv() -> None:
    # NPV = H (1 - ρ) A - C, A ~ N(10,000, σ): mean and sd by hand; p10 = mean - 1.28 sd and
    # P(NPV < 0) = Φ(-mean / sd)
    low, high, months, risk, cost = 6000.0, 14000.0, 12, 0.1, 100000.0
    got = sure(case(cost=cost, risk=risk, months=months),
               {"pointer": "/benefits/0/monthly_amount", "low": low, "high": high,
                "shape": "normal"})  # fmt: skip
    k = months * (1 - risk)
    mean, sd = k * (low + high) / 2 - cost, k * (high - low) / (2 * Z95)
    n = got.samples
    assert float(got.npv.mean) == pytest.approx(mean, abs=4 * sd / math.sqrt(n))
    assert float(got.npv.sd) == pytest.approx(sd, rel=4 / math.sqrt(2 * (n - 1)))
    p10 = mean - 1.2815515655 * sd
    assert float(got.npv.p10) == pytest.approx(
        p10, abs=4 * quantile_se(0.1, PHI.pdf(-1.2815515655) / sd, n)
    )
    p = PHI.cdf(-mean / sd)
    assert got.probability_npv_negative.value == pytest.approx(
        p, abs=4 * math.sqrt(p * (1 - p) / n)
    )
    assert got.drivers[0].variance_share == pytest.approx(1, abs=0.01)
    assert got.drivers[0].rank_correlation == pytest.approx(1, abs=1e-9)


def test_a_lognormal_benefit_gives_its_payback_probability() -> None:
    # nothing else owed: payback = C / ((1 - ρ) A), so P(payback ≤ m) = 1 - Φ((ln(C / (m (1 - ρ)))
    # - μ) / σ) with ln A ~ N(μ, σ)
    low, high, risk, cost = 2000.0, 20000.0, 0.2, 40000.0
    got = sure(case(cost=cost, risk=risk, months=60),
               {"pointer": "/benefits/0/monthly_amount", "low": low, "high": high},
               payback_within_months=4)  # fmt: skip
    mu, sigma = (math.log(low) + math.log(high)) / 2, math.log(high / low) / (2 * Z95)
    n = got.samples
    for point in got.payback_curve[1:30]:
        m = point.month
        p = 1 - PHI.cdf((math.log(cost / (m * (1 - risk))) - mu) / sigma)
        assert point.probability == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n) + 1e-12)
    within = got.probability_payback_within
    assert within is not None and within.value == got.payback_curve[4].probability


def test_two_independent_normal_lines_add_their_variances() -> None:
    body = case(months=24, risk=0.0)
    body["benefits"].append({"kind": "fixed", "name": "B", "monthly_amount": 3000, "risk": 0.5})
    got = sure(body,
               {"pointer": "/benefits/0/monthly_amount", "low": 8000, "high": 12000,
                "shape": "normal"},
               {"pointer": "/benefits/1/monthly_amount", "low": 1000, "high": 5000,
                "shape": "normal"})  # fmt: skip
    k1, k2 = 24 * 1.0, 24 * 0.5
    s1, s2 = 4000 / (2 * Z95), 4000 / (2 * Z95)
    sd = math.hypot(k1 * s1, k2 * s2)
    assert float(got.npv.sd) == pytest.approx(sd, rel=4 / math.sqrt(2 * (got.samples - 1)))
    # the first explains k1² / (k1² + k2²) of the variance
    shares = {d.pointer: d.variance_share for d in got.drivers}
    assert shares["/benefits/0/monthly_amount"] == pytest.approx(0.8, abs=0.03)
    assert shares["/benefits/1/monthly_amount"] == pytest.approx(0.2, abs=0.03)


@pytest.mark.parametrize("shape", ["normal", "lognormal", "uniform", "triangular"])
def test_npv_percentiles_are_the_exact_npv_at_the_fields_own_percentiles(shape: str) -> None:
    # NPV falls as the one-time cost rises: NPV's q-th percentile is the exact NPV at the cost's
    # (1 - q)-th; the cost's own percentiles are read off the cost's distribution
    body = {k: v for k, v in PARTNER_QUOTE.items() if k != "solve"}
    pointer, low, high = "/costs/one_time/0/amount", 30000.0, 60000.0
    got = sure(body, {"pointer": pointer, "low": low, "high": high, "shape": shape})
    own = 40000.0
    for name, q in QUANTILES.items():
        cost = quantile(shape, low, high, own, 1 - q)
        exact = run({**body, "costs": {**body["costs"], "one_time": [
            {"name": "implementation", "amount": cost}]}}).npv  # fmt: skip
        # within the quantile's own sampling error (LHS stratifies the one field: far smaller)
        slope = 1.0  # one money unit of cost is one of NPV (paid at month 0, undiscounted)
        assert abs(float(getattr(got.npv, name)) - float(exact)) <= slope * (high - low) / 1024


def quantile(shape: str, low: float, high: float, own: float, q: float) -> float:
    if shape == "normal":
        return (low + high) / 2 + (high - low) / (2 * Z95) * PHI.inv_cdf(q)
    if shape == "lognormal":
        mu, sigma = (math.log(low) + math.log(high)) / 2, math.log(high / low) / (2 * Z95)
        return math.exp(mu + sigma * PHI.inv_cdf(q))
    if shape == "uniform":
        return low + q * (high - low)
    split = (own - low) / (high - low)
    if q < split:
        return low + math.sqrt(q * (high - low) * (own - low))
    return high - math.sqrt((1 - q) * (high - low) * (high - own))


def test_the_same_request_and_seed_answer_the_same_bytes_another_seed_within_its_error() -> None:
    first = msgspec.json.encode(run(PARTNER_QUOTE_RANGES))
    assert msgspec.json.encode(run(PARTNER_QUOTE_RANGES)) == first
    seeded = {**PARTNER_QUOTE_RANGES,
              "uncertainty": {**PARTNER_QUOTE_RANGES["uncertainty"], "seed": 12345}}  # fmt: skip
    a, b = run(PARTNER_QUOTE_RANGES).uncertainty, run(seeded).uncertainty
    assert a is not None and b is not None and a.seed != b.seed == 12345
    sd, n = float(a.npv.sd), a.samples
    for name, q in QUANTILES.items():
        # both estimates carry the quantile's error: their difference at most 4 of √2 of it
        density = PHI.pdf(PHI.inv_cdf(q)) / sd  # as if normal: the percentiles' scale
        bound = 4 * math.sqrt(2) * quantile_se(q, density, n)
        assert abs(float(getattr(a.npv, name)) - float(getattr(b.npv, name))) <= bound


def test_a_seed_spelled_out_as_the_derived_one_is_the_same_request() -> None:
    answer = run(PARTNER_QUOTE_RANGES)
    assert answer.uncertainty is not None
    spelled = {**PARTNER_QUOTE_RANGES, "uncertainty": {
        **PARTNER_QUOTE_RANGES["uncertainty"], "seed": answer.uncertainty.seed}}  # fmt: skip
    again = run(spelled)
    assert again.calculation_id == answer.calculation_id
    assert msgspec.json.encode(again) == msgspec.json.encode(answer)


def test_the_answer_is_whole() -> None:
    got = run(PARTNER_QUOTE_RANGES)
    u = got.uncertainty
    assert u is not None
    assert (u.method, u.samples) == ("latin_hypercube", 8192)
    assert len(u.payback_curve) == len(u.cumulative_bands) == 25
    assert [p.probability for p in u.payback_curve] == sorted(
        p.probability for p in u.payback_curve
    )
    assert all(b.p10 <= b.p50 <= b.p90 for b in u.cumulative_bands)
    assert sum(u.npv_histogram.counts) == 8192
    assert len(u.npv_histogram.edges) == len(u.npv_histogram.counts) + 1
    assert 20 <= len(u.npv_histogram.counts) <= 40
    assert [d.variance_share for d in u.drivers] == sorted(
        (d.variance_share for d in u.drivers), reverse=True
    )
    assert {d.pointer for d in u.drivers} == {
        r["pointer"] for r in PARTNER_QUOTE_RANGES["uncertainty"]["ranges"]
    }
    npv = [getattr(u.npv, name) for name in QUANTILES]
    assert npv == sorted(npv)
    assert u.npv_histogram.edges[0] <= npv[0] and npv[-1] <= u.npv_histogram.edges[-1]
    # the headline is the request as sent
    assert got.npv == run({k: v for k, v in PARTNER_QUOTE_RANGES.items()
                           if k != "uncertainty"}).npv  # fmt: skip


def test_a_whole_number_field_is_drawn_whole() -> None:
    body = {k: v for k, v in PARTNER_QUOTE.items() if k != "solve"}
    got = sure(
        body, {"pointer": "/costs/per_seat/0/seats", "low": 8, "high": 14, "shape": "uniform"}
    )
    # 7 seat counts (8..14): NPV takes at most 7 values
    assert sum(1 for c in got.npv_histogram.counts if c) <= 7


def test_correlated_fields_move_together() -> None:
    body = case(months=24, risk=0.0)
    body["benefits"].append({"kind": "fixed", "name": "B", "monthly_amount": 3000})
    ranges = [{"pointer": "/benefits/0/monthly_amount", "low": 8000, "high": 12000,
               "shape": "normal"},
              {"pointer": "/benefits/1/monthly_amount", "low": 1000, "high": 5000,
               "shape": "normal"}]  # fmt: skip
    apart = sure(body, *ranges)
    together = sure(body, *ranges, correlations=[
        {"pointers": [r["pointer"] for r in ranges], "rank": 0.9}])  # fmt: skip
    # var(a + b) = var a + var b + 2 r sd_a sd_b with r = 2 sin(π 0.9 / 6)
    r = 2 * math.sin(math.pi * 0.9 / 6)
    sa, sb = 24 * 4000 / (2 * Z95), 24 * 4000 / (2 * Z95)
    assert float(apart.npv.sd) == pytest.approx(math.hypot(sa, sb), rel=0.05)
    assert float(together.npv.sd) == pytest.approx(
        math.sqrt(sa**2 + sb**2 + 2 * r * sa * sb), rel=0.05
    )


# --- The request: every 422 names its pointer under /uncertainty ---------------------------

QUOTE = {k: v for k, v in PARTNER_QUOTE.items() if k != "solve"}
UPLIFT = "/benefits/0/evaluation/stages/2/uplift"  # 0.05; at most 0.5 (a 100 % conversion)


@pytest.mark.parametrize(
    ("uncertainty", "pointer", "detail"),
    [
        ({"ranges": [{"pointer": UPLIFT, "low": 0.06, "high": 0.09}]},
         "/uncertainty/ranges/0", "leaves out the request's own value 0.05"),
        ({"ranges": [{"pointer": UPLIFT, "low": 0.09, "high": 0.01}]},
         "/uncertainty/ranges/0", "low (0.09) is above high (0.01)"),
        ({"ranges": [{"pointer": UPLIFT, "low": -0.01, "high": 0.09, "shape": "lognormal"}]},
         "/uncertainty/ranges/0/low", "lognormal"),
        ({"ranges": [{"pointer": "/no/such", "low": 0, "high": 1}]},
         "/uncertainty/ranges/0/pointer", "names no field"),
        ({"ranges": [{"pointer": "/benefits/0/evaluation/stages/0/count", "low": 0,
                      "high": 1e5}]},
         "/uncertainty/ranges/0/pointer", "not a field"),
        ({"ranges": [{"pointer": "/horizon_months", "low": 1, "high": 30}]},
         "/uncertainty/ranges/0/pointer", "not a field"),
        ({"ranges": [{"pointer": UPLIFT, "low": 0, "high": 0.1},
                     {"pointer": UPLIFT, "low": 0, "high": 0.2}]},
         "/uncertainty/ranges/1/pointer", "ranged already"),
        # most of it past a 100 % conversion (0.5)
        ({"ranges": [{"pointer": UPLIFT, "low": 0.0, "high": 5.0, "shape": "uniform"}]},
         "/uncertainty/ranges/0", "lies outside the values"),
        ({"ranges": [{"pointer": "/costs/one_time/0/amount", "low": 0, "high": 1e5},
                     {"pointer": UPLIFT, "low": 0, "high": 0.1},
                     {"pointer": "/annual_discount_rate", "low": 0, "high": 0.2}],
          "correlations": [{"pointers": ["/costs/one_time/0/amount", UPLIFT], "rank": 0.9},
                           {"pointers": [UPLIFT, "/annual_discount_rate"], "rank": 0.9},
                           {"pointers": ["/costs/one_time/0/amount", "/annual_discount_rate"],
                            "rank": -0.9}]},
         "/uncertainty/correlations", "no joint distribution"),
        ({"ranges": [{"pointer": UPLIFT, "low": 0, "high": 0.1}],
          "correlations": [{"pointers": [UPLIFT, "/annual_discount_rate"], "rank": 0.5}]},
         "/uncertainty/correlations/0/pointers", "not a ranged field"),
        ({"ranges": [{"pointer": UPLIFT, "low": 0, "high": 0.1}], "samples": 3000},
         "/uncertainty/samples", "not a power of two"),
        ({"ranges": [{"pointer": UPLIFT, "low": 0, "high": 0.1}], "payback_within_months": 30},
         "/uncertainty/payback_within_months", "beyond the horizon"),
    ],
)  # fmt: skip
def test_a_range_the_model_cannot_sample_is_422_at_its_pointer(
    uncertainty: dict[str, Any], pointer: str, detail: str
) -> None:
    with pytest.raises(ModelError) as raised:
        run({**QUOTE, "uncertainty": uncertainty})
    assert [v.pointer for v in raised.value.violations] == [pointer]
    assert detail in raised.value.violations[0].detail


def test_too_many_samples_for_the_case_names_the_most_it_could_have() -> None:
    from tests.tools.heavy import heaviest_lines  # noqa: PLC0415

    body = heaviest_lines()
    body.pop("solve")
    body["uncertainty"] = {"ranges": [{"pointer": "/costs/one_time/0/amount", "low": 0,
                                       "high": 5000}], "samples": 4096}  # fmt: skip
    with pytest.raises(ModelError) as raised:
        run(body)
    (violation,) = raised.value.violations
    assert violation.pointer == "/uncertainty/samples"
    # 121 periods × 80 lines: 2^24 / 9,680 = 1,733, so 1,024
    assert "at most 1024 samples" in violation.detail


def test_a_lines_own_risk_left_out_is_ranged_around_the_requests() -> None:
    body = {**QUOTE, "risk_adjustment": {"costs": 0.1}}
    with pytest.raises(ModelError, match=r"own value 0\.1"):
        run({**body, "uncertainty": {"ranges": [
            {"pointer": "/costs/one_time/0/risk", "low": 0.2, "high": 0.3}]}})  # fmt: skip
    assert run({**body, "uncertainty": {"ranges": [
        {"pointer": "/costs/one_time/0/risk", "low": 0.05, "high": 0.3}]}}).uncertainty  # fmt: skip
