"""service.calc against published examples and independent financial libraries.

- IRR: the examples printed in spreadsheet documentation, fed through the service's IRR helper
  ``service.calc.irr.irr`` and compared at the precision they are published with.
- NPV: the published NPV examples pin down each library's convention first (numpy-financial and
  pyxirr discount the first value at t = 0; a spreadsheet's NPV() at t = 1), then /payback's
  ``npv`` and ``irr_monthly`` are compared with numpy-financial and pyxirr on the monthly flows
  net_0..net_H, discounted at the monthly rate (1 + r)^(1/12) - 1.
- Payback: textbook cases computed by hand in their docstrings (even flows, a ramp, monthly costs
  and risk, discounting, none within the horizon). The seed's own figures are in test_seed.py.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import msgspec
import numpy as np
import numpy_financial as npf
import pytest
import pyxirr
from hypothesis import given, settings
from hypothesis import strategies as st

from service.calc import PaybackRequest, PaybackResponse, payback
from service.calc.irr import irr

# ---------------------------------------------------------------------------------------------
# Published IRR examples through the service's IRR helper
# ---------------------------------------------------------------------------------------------

# Microsoft Excel, IRR function (support.microsoft.com, "IRR function", example table):
# -70,000 initial cost, then net income 12,000, 15,000, 18,000, 21,000, 26,000.
EXCEL_FLOWS = [-70000.0, 12000.0, 15000.0, 18000.0, 21000.0, 26000.0]


@pytest.mark.parametrize(
    ("flows", "published", "places"),
    [
        # Excel: =IRR(A2:A6), after four years: -2.1 %
        pytest.param(EXCEL_FLOWS[:5], -0.021, 3, id="Excel IRR four years -2.1%"),
        # Excel: =IRR(A2:A7), after five years: 8.7 %
        pytest.param(EXCEL_FLOWS, 0.087, 3, id="Excel IRR five years 8.7%"),
        # Excel: =IRR(A2:A4,-10%), after two years: -44.4 %
        pytest.param(EXCEL_FLOWS[:3], -0.444, 3, id="Excel IRR two years -44.4%"),
        # the same flows printed to two decimals of a percent: 8.66 % and -2.12 %
        # (cellworks.au manual, Irr: Fixed(Irr(-70000, ..., 26000, 10%), 4) returns 0.0866)
        pytest.param(EXCEL_FLOWS, 0.0866, 4, id="Excel flows 8.66%"),
        pytest.param(EXCEL_FLOWS[:5], -0.0212, 4, id="Excel flows four years -2.12%"),
        # LibreOffice Calc help, IRR: A1=-10000, A2=3500, A3=7600, A4=1000 gives 11.33 %
        pytest.param([-10000.0, 3500.0, 7600.0, 1000.0], 0.1133, 4, id="LibreOffice 11.33%"),
        # greytrout SS user guide, IRR(0, -700, 750, 900, 600, 850) = 1.0462142
        pytest.param([-700.0, 750.0, 900.0, 600.0, 850.0], 1.0462142, 7, id="greytrout 104.6%"),
    ],
)
def test_irr_published_examples(flows: list[float], published: float, places: int) -> None:
    got = irr(flows)
    assert got is not None
    assert round(got, places) == pytest.approx(published, abs=10 ** -(places + 3))
    # and it is a root: NPV(IRR(flows), flows) = 0 (Excel's own check prints 1.79E-09)
    assert npf.npv(got, flows) == pytest.approx(0, abs=1e-7 * max(map(abs, flows)))


def test_irr_published_example_with_two_sign_changes() -> None:
    """greytrout SS user guide: IRR(0, -80, 90, 67, 72, -90) = -0.32606171, the root a search
    from 0 finds. These flows have a second root, about +0.70007; the service documents that it
    answers the root nearest 0 (/payback itself never produces two sign changes)."""
    got = irr([-80.0, 90.0, 67.0, 72.0, -90.0])
    assert got is not None
    assert round(got, 8) == pytest.approx(-0.32606171, abs=1e-11)


@pytest.mark.parametrize(
    "flows",
    [
        pytest.param([1.0, 2.0, 3.0], id="all positive"),
        pytest.param([-1.0, -2.0], id="all negative"),
        pytest.param([0.0, 0.0, 0.0], id="all zero"),
        pytest.param([0.0, -5.0, 0.0], id="one negative among zeros"),
    ],
)
def test_irr_is_null_without_a_sign_change(flows: list[float]) -> None:
    # Excel: "Values must contain at least one positive value and one negative value"
    # (#NUM! otherwise); pyxirr raises, numpy-financial answers nan; the page says null.
    assert irr(flows) is None
    with pytest.raises(pyxirr.InvalidPaymentsError):
        pyxirr.irr(flows)


# ---------------------------------------------------------------------------------------------
# Published NPV examples: the libraries' conventions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "values", "published", "places"),
    [
        # Excel, NPV function, example 1: 10 %, -10,000 one year from today, then 3,000, 4,200,
        # 6,800: $1,188.44
        pytest.param(0.1, [-10000, 3000, 4200, 6800], 1188.44, 2, id="Excel NPV 1188.44"),
        # SpreadJS (docs.mescius.jp), NPV(6.5%, -10000, 3000, 3400, 7700): $2,055.38
        pytest.param(0.065, [-10000, 3000, 3400, 7700], 2055.38, 2, id="SpreadJS 2055.38"),
        # Adobe FormCalc reference, NPV(0.10, 500, 1500, 4000, 10000) = 11529.60863329007
        pytest.param(0.1, [500, 1500, 4000, 10000], 11529.60863329007, 8, id="FormCalc 11529.6"),
        # Adobe FormCalc reference, NPV(0.065, 5000) = 4694.83568075117
        pytest.param(0.065, [5000], 4694.83568075117, 8, id="FormCalc 4694.84"),
        # Adobe FormCalc reference, NPV(0.0275 / 12, 50, 60, 40, 100, 25) = 273.14193838457
        pytest.param(0.0275 / 12, [50, 60, 40, 100, 25], 273.14193838457, 8, id="FormCalc monthly"),
    ],
)
def test_npv_conventions_against_published_spreadsheet_npv(
    rate: float, values: list[float], published: float, places: int
) -> None:
    """A spreadsheet's NPV() discounts its first value one period: at t = 1. numpy-financial
    (its docs: "considers a series of cashflows starting in the present (t = 0)") and pyxirr by
    default discount the first value at t = 0, which is the page's convention (net_0 at month 0,
    df_0 = 1): a spreadsheet's NPV is theirs with a 0 put in front."""
    assert npf.npv(rate, [0, *values]) == pytest.approx(published, abs=10**-places)
    assert pyxirr.npv(rate, [0, *values]) == pytest.approx(published, abs=10**-places)
    assert pyxirr.npv(rate, values, start_from_zero=False) == pytest.approx(
        published, abs=10**-places
    )


def test_npv_excel_example_2() -> None:
    """Excel, NPV function, example 2: 8 %, an initial investment of 40,000 paid today (added
    outside NPV()), then 8,000, 9,200, 10,000, 12,000, 14,500: $1,922.06; with a loss of 9,000
    in year six: -$3,749.47. In the t = 0 convention the investment is simply the first flow."""
    flows = [-40000, 8000, 9200, 10000, 12000, 14500]
    assert npf.npv(0.08, flows) == pytest.approx(1922.06, abs=0.005)
    assert pyxirr.npv(0.08, flows) == pytest.approx(1922.06, abs=0.005)
    assert npf.npv(0.08, [*flows, -9000]) == pytest.approx(-3749.47, abs=0.005)


# ---------------------------------------------------------------------------------------------
# /payback against numpy-financial and pyxirr
# ---------------------------------------------------------------------------------------------


@contextmanager
def quiet_numpy() -> Iterator[None]:
    """numpy-financial's irr may warn (e.g. on a root at the edge); pytest turns warnings into
    errors here, and an oracle's warning is not the service's failure."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def monthly_flows(body: dict[str, Any]) -> list[float]:
    """net_0..net_H straight from the request, in floats (risk adjustments 0 here)."""
    costs = body.get("costs", {})
    one_time = sum(line["amount"] for line in costs.get("one_time", []))
    monthly = sum(line["amount"] for line in costs.get("monthly", []))
    benefit = body["monthly_benefit"]
    horizon, ramp = body.get("horizon_months", 12), body.get("ramp_up_months", 0)
    flows = [-float(one_time)]
    for t in range(1, horizon + 1):
        share = 1.0 if ramp == 0 else min(1.0, t / ramp)
        flows.append(benefit * share - monthly)
    return flows


def run_payback(body: dict[str, Any]) -> PaybackResponse:
    return payback(msgspec.convert(body, PaybackRequest), 2)


def check_against_libraries(body: dict[str, Any]) -> None:
    got = run_payback(body)
    flows = monthly_flows(body)
    annual = body.get("annual_discount_rate", 0.0)
    monthly_rate = (1 + annual) ** (1 / 12) - 1
    scale = sum(abs(f) for f in flows)
    # npv: rounded once to the cent, so within half a cent of the exact value (+ float noise)
    tolerance = 0.005 + 1e-12 * scale
    assert float(got.npv) == pytest.approx(npf.npv(monthly_rate, flows), abs=tolerance)
    assert float(got.npv) == pytest.approx(pyxirr.npv(monthly_rate, flows), abs=tolerance)
    # pv_costs and pv_benefits the same way
    lines = body.get("costs", {})
    one_time = sum(line["amount"] for line in lines.get("one_time", []))
    monthly = sum(line["amount"] for line in lines.get("monthly", []))
    cost_flows = [float(one_time)] + [float(monthly)] * (len(flows) - 1)
    assert float(got.pv_costs) == pytest.approx(npf.npv(monthly_rate, cost_flows), abs=tolerance)
    # irr: the libraries agree with each other and with the service, or all say there is none
    with quiet_numpy():
        numpy_irr = float(npf.irr(flows))
    try:
        pyxirr_irr = pyxirr.irr(flows)
    except pyxirr.InvalidPaymentsError:
        pyxirr_irr = None
    if got.irr_monthly is None:
        assert math.isnan(numpy_irr)
        assert pyxirr_irr is None
        return
    assert got.irr_monthly == pytest.approx(numpy_irr, rel=1e-7, abs=1e-10)
    if pyxirr_irr is not None:  # pyxirr's solver may give up far from 0
        assert got.irr_monthly == pytest.approx(pyxirr_irr, rel=1e-6, abs=1e-9)
    assert got.irr_annual is not None
    assert got.irr_annual == pytest.approx((1 + got.irr_monthly) ** 12 - 1, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    "body",
    [
        # the page's seed: 15,000 once, 19,082 a month, 12 months: irr_monthly 1.27207
        {"costs": {"one_time": [{"name": "crm", "amount": 15000}]}, "monthly_benefit": 19082},
        # a SaaS case: 60,000 set-up, 2,500 a month, 9,000 benefit after a 6-month ramp, 8 %
        {
            "costs": {
                "one_time": [{"name": "setup", "amount": 60000}],
                "monthly": [{"name": "licences", "amount": 2500}],
            },
            "monthly_benefit": 9000,
            "horizon_months": 36,
            "ramp_up_months": 6,
            "annual_discount_rate": 0.08,
        },
        # does not pay back: irr negative
        {
            "costs": {"one_time": [{"name": "x", "amount": 100000}]},
            "monthly_benefit": 3000,
            "horizon_months": 24,
            "annual_discount_rate": 0.12,
        },
        # ten years, monthly, 100 % a year
        {
            "costs": {"one_time": [{"name": "x", "amount": 5000}]},
            "monthly_benefit": 100,
            "horizon_months": 120,
            "annual_discount_rate": 1.0,
        },
    ],
)
def test_payback_npv_and_irr_match_the_libraries(body: dict[str, Any]) -> None:
    check_against_libraries(body)


@st.composite
def whole_money_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Business cases in whole currency units, no risk adjustment: flows a library can take."""
    horizon = draw(st.integers(1, 120))
    return {
        "costs": {
            "one_time": [{"name": "x", "amount": draw(st.integers(0, 500_000))}],
            "monthly": [{"name": "m", "amount": draw(st.integers(0, 5_000))}],
        },
        "monthly_benefit": draw(st.integers(-1_000, 40_000)),
        "horizon_months": horizon,
        "ramp_up_months": draw(st.integers(0, horizon)),
        "annual_discount_rate": float(draw(st.decimals(0, 1, places=3))),
    }


@settings(max_examples=150, deadline=None, derandomize=True)
@given(whole_money_cases())
def test_payback_npv_and_irr_match_the_libraries_generated(body: dict[str, Any]) -> None:
    check_against_libraries(body)


# ---------------------------------------------------------------------------------------------
# Payback: textbook cases by hand
# ---------------------------------------------------------------------------------------------


def test_payback_simple_even_flows() -> None:
    """Textbook: 100,000 invested, 25,000 a period back: payback 100,000 / 25,000 = 4 periods."""
    got = run_payback(
        {"costs": {"one_time": [{"name": "x", "amount": 100000}]}, "monthly_benefit": 25000}
    )
    assert got.payback_months == pytest.approx(4.0, rel=1e-12)


def test_payback_with_a_ramp_by_hand() -> None:
    """15,000 once, 6,000 a month at full effect, reached over 3 months, no monthly cost.

    month      0        1        2        3        4
    benefit    0    2,000    4,000    6,000    6,000      (6,000 × t/3, then 6,000)
    cumulative -15,000 -13,000 -9,000 -3,000  +3,000
    It turns non-negative in month 4: payback = 3 + 3,000 / 6,000 = 3.5 months.
    """
    got = run_payback(
        {
            "costs": {"one_time": [{"name": "x", "amount": 15000}]},
            "monthly_benefit": 6000,
            "ramp_up_months": 3,
        }
    )
    assert got.payback_months == pytest.approx(3.5, rel=1e-12)
    assert [cf.benefit for cf in got.cash_flows[:5]] == [0, 2000, 4000, 6000, 6000]
    assert [cf.cumulative for cf in got.cash_flows[:5]] == [-15000, -13000, -9000, -3000, 3000]
    assert got.total_benefits == Decimal(2000 + 4000 + 10 * 6000)


def test_payback_with_monthly_costs_and_risk_by_hand() -> None:
    """20,000 once and 1,000 a month, 10 % cost risk; 8,000 a month benefit, 25 % benefit risk.

    B = 8,000 × 0.75 = 6,000; C_0 = 22,000; C_m = 1,100; net_t = 4,900.
    cumulative: -22,000, -17,100, -12,200, -7,300, -2,400, +2,500
    payback = 4 + 2,400 / 4,900 = 4.489795918... months.
    """
    got = run_payback(
        {
            "costs": {
                "one_time": [{"name": "x", "amount": 20000}],
                "monthly": [{"name": "m", "amount": 1000}],
            },
            "monthly_benefit": 8000,
            "risk_adjustment": {"benefits": 0.25, "costs": 0.1},
        }
    )
    assert got.payback_months == pytest.approx(4 + 2400 / 4900, rel=1e-12)
    assert got.monthly_benefit == Decimal(8000)  # as given, beside the risk-adjusted B
    assert got.risk_adjusted_monthly_benefit == Decimal(6000)
    assert got.total_benefits == Decimal(12 * 6000)
    assert got.one_time_costs == Decimal(22000)
    assert got.total_costs == Decimal(22000 + 12 * 1100)


def test_discounted_payback_by_hand() -> None:
    """1,000 once, 600 a month, 10 % a year: df_t = 1.1^(-t/12).

    discounted net_1 = 600 × 1.1^(-1/12) ≈ 595.25; cumulative ≈ -404.75
    discounted net_2 = 600 × 1.1^(-2/12) ≈ 590.54; payback = 1 + 404.75 / 590.54 ≈ 1.6854
    (undiscounted: 1 + 400 / 600 = 1.6667)
    """
    got = run_payback(
        {
            "costs": {"one_time": [{"name": "x", "amount": 1000}]},
            "monthly_benefit": 600,
            "annual_discount_rate": 0.1,
        }
    )
    d1, d2 = 600 * 1.1 ** (-1 / 12), 600 * 1.1 ** (-2 / 12)
    assert got.discounted_payback_months == pytest.approx(1 + (1000 - d1) / d2, rel=1e-9)
    assert got.discounted_payback_months == pytest.approx(1.6854, abs=5e-5)
    assert got.payback_months == pytest.approx(1 + 400 / 600, rel=1e-12)
    assert got.discounted_payback_months > got.payback_months
    assert got.cash_flows[1].discounted_net == Decimal("595.25")
    pv_benefits = sum(600 * 1.1 ** (-t / 12) for t in range(1, 13))
    assert float(got.pv_benefits) == pytest.approx(pv_benefits, abs=0.005)
    assert got.pv_benefits < got.total_benefits


def test_no_payback_within_the_horizon() -> None:
    """12 × 1,000 = 12,000 < 20,000: it does not pay back within 12 months: null."""
    got = run_payback(
        {"costs": {"one_time": [{"name": "x", "amount": 20000}]}, "monthly_benefit": 1000}
    )
    assert got.payback_months is None
    assert got.discounted_payback_months is None
    assert got.npv == Decimal(-8000)
    assert got.irr_monthly is not None
    assert got.irr_monthly < 0
