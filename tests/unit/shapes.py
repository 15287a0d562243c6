"""Every shape of /payback request a client can send: the old single-benefit fields alone and
together, evaluation, productivity, benefit lines, cost lines, schedules in rows and in lines.
EXAMPLES holds one fixed request of each; requests() draws them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from service.examples import (
    PARTNER_QUOTE,
    SEED_EVALUATE,
    SEED_PAYBACK,
    SEED_PAYBACK_WITH_EVALUATION,
)

TIME_SAVED = {"users": 10, "hours_saved_per_user_per_month": 4, "loaded_hourly_cost": 250,
              "realization": 0.5}  # fmt: skip
COSTS = {
    "one_time": [{"name": "set-up", "amount": 15000}, {"name": "upgrade", "amount": 3000,
                                                       "month": 6, "risk": 0.2}],
    "monthly": [{"name": "support", "amount": 500, "start_month": 2}],
    "per_seat": [{"name": "seats", "seats": 10, "price_per_seat": 30, "annual_escalation": 0.1}],
}  # fmt: skip

EXAMPLES: dict[str, dict[str, Any]] = {
    "seed": SEED_PAYBACK,
    "seed-evaluation": SEED_PAYBACK_WITH_EVALUATION,
    "partner-quote": {k: v for k, v in PARTNER_QUOTE.items() if k != "solve"},
    "productivity": {"productivity": TIME_SAVED, "costs": COSTS, "horizon_months": 18},
    "benefit-and-time-saved": {
        "monthly_benefit": 1000, "productivity": TIME_SAVED, "costs": COSTS,
        "risk_adjustment": {"benefits": 0.1, "costs": 0.05}, "ramp_up_months": 2,
        "annual_discount_rate": 0.08,
    },
    "evaluation-and-time-saved": {
        "evaluation": SEED_EVALUATE, "productivity": TIME_SAVED, "costs": COSTS,
        "scenarios": [{"name": "half", "effect_scale": 0.5}],
    },
    "lines": {
        "benefits": [
            {"kind": "fixed", "name": "saving", "monthly_amount": 2000, "risk": 0.1},
            {"kind": "funnel", "name": "deals", "evaluation": SEED_EVALUATE, "start_month": 3},
            {"kind": "productivity", "name": "admin", **TIME_SAVED, "ramp_up_months": 4},
        ],
        "costs": COSTS, "horizon_months": 24, "risk_adjustment": {"costs": 0.1},
    },
    "schedule": {
        "schedule": {"period": "year", "costs": [50000, 20000, 20000],
                     "benefits": [0, 60000, 70000]},
        "annual_discount_rate": 0.1,
    },
    "schedule-lines": {
        "schedule": {"period": "month", "lines": [
            {"name": "licence", "side": "cost", "amounts": [1000, 100, 100, 100, 100]},
            {"name": "sales", "side": "benefit", "amounts": [0, 300, 400, 500, 500], "risk": 0.2},
            {"name": "admin", "side": "benefit", "amounts": [0, 50, 50, 50, 50]},
        ]},
        "risk_adjustment": {"benefits": 0.05},
    },
}  # fmt: skip

money = st.integers(0, 50_000).map(float)
fraction = st.integers(0, 40).map(lambda k: k / 100)


@st.composite
def funnels(draw: st.DrawFn) -> dict[str, Any]:
    """Three stages that narrow by at least half, so an uplift up to +100 % converts at most
    100 %."""
    leads = draw(st.integers(100, 20_000))
    middle = draw(st.integers(1, leads // 2))
    won = draw(st.integers(1, max(1, middle // 2)))
    uplift = st.integers(-5, 15).map(lambda k: k / 100)
    return {
        "stages": [{"name": "leads", "count": leads, "uplift": draw(uplift)},
                   {"name": "deals", "count": middle, "uplift": draw(uplift)},
                   {"name": "won", "count": won, "uplift": draw(uplift)}],
        "average_deal_value": draw(st.integers(10, 2000)),
        "average_deal_value_uplift": draw(st.integers(0, 10).map(lambda k: k / 100)),
        "gross_margin": draw(st.integers(20, 100).map(lambda k: k / 100)),
        "rounding": draw(st.sampled_from(["whole_units", "exact"])),
    }  # fmt: skip


@st.composite
def time_saved(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "users": draw(st.integers(0, 50)),
        "hours_saved_per_user_per_month": draw(st.integers(0, 20)),
        "loaded_hourly_cost": draw(st.integers(0, 500)),
        "realization": draw(st.integers(1, 10).map(lambda k: k / 10)),
    }


@st.composite
def benefit_lines(draw: st.DrawFn, horizon: int) -> list[dict[str, Any]]:
    lines = []
    for j in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["fixed", "funnel", "productivity"]))
        line: dict[str, Any] = {"kind": kind, "name": f"benefit {j}"}
        if kind == "fixed":
            line["monthly_amount"] = draw(money)
        elif kind == "funnel":
            line["evaluation"] = draw(funnels())
        else:
            line.update(draw(time_saved()))
        if draw(st.booleans()):
            line["risk"] = draw(fraction)
        if draw(st.booleans()):
            line["ramp_up_months"] = draw(st.integers(0, min(3, horizon)))
        line["start_month"] = draw(st.integers(1, min(3, horizon)))
        lines.append(line)
    return lines


@st.composite
def costs(draw: st.DrawFn, horizon: int) -> dict[str, Any]:
    def risk() -> dict[str, Any]:
        return {"risk": draw(fraction)} if draw(st.booleans()) else {}

    return {
        "one_time": [
            {"name": f"once {i}", "amount": draw(money) + 1,
             "month": draw(st.integers(0, min(2, horizon))), **risk()}
            for i in range(draw(st.integers(1, 2)))
        ],
        "monthly": [
            {"name": f"monthly {i}", "amount": draw(st.integers(0, 2000)),
             "start_month": draw(st.integers(1, horizon)), **risk()}
            for i in range(draw(st.integers(0, 1)))
        ],
        "per_seat": [
            {"name": f"seats {i}", "seats": draw(st.integers(1, 30)),
             "price_per_seat": draw(st.integers(0, 100)),
             "billing": draw(st.sampled_from(["monthly", "annual"])),
             "annual_escalation": draw(fraction), **risk()}
            for i in range(draw(st.integers(0, 1)))
        ],
    }  # fmt: skip


@st.composite
def monthly_model(draw: st.DrawFn) -> dict[str, Any]:
    """Costs and a benefit: the old fields alone or together, or benefit lines."""
    horizon = draw(st.integers(3, 36))
    body: dict[str, Any] = {"horizon_months": horizon, "costs": draw(costs(horizon))}
    shape = draw(st.sampled_from([
        "monthly_benefit", "evaluation", "productivity", "monthly_benefit+productivity",
        "evaluation+productivity", "benefits",
    ]))  # fmt: skip
    if shape == "benefits":
        body["benefits"] = draw(benefit_lines(horizon))
    if "monthly_benefit" in shape:
        body["monthly_benefit"] = draw(st.integers(-2000, 50_000).map(float))
    if "evaluation" in shape:
        body["evaluation"] = draw(funnels())
    if "productivity" in shape:
        body["productivity"] = draw(time_saved())
    if draw(st.booleans()):
        body["ramp_up_months"] = draw(st.integers(0, min(3, horizon)))
    return body


@st.composite
def schedules(draw: st.DrawFn) -> dict[str, Any]:
    """A schedule in rows (costs and benefits) or in named lines."""
    periods = draw(st.integers(2, 8))
    row = st.lists(money, min_size=periods, max_size=periods)
    schedule: dict[str, Any] = {"period": draw(st.sampled_from(["month", "year"]))}
    if draw(st.booleans()):
        schedule["costs"], schedule["benefits"] = draw(row), draw(row)
    else:
        schedule["lines"] = [
            {"name": f"line {k}", "side": draw(st.sampled_from(["benefit", "cost"])),
             "amounts": draw(row), **({"risk": draw(fraction)} if draw(st.booleans()) else {})}
            for k in range(draw(st.integers(1, 4)))
        ]  # fmt: skip
    return {"schedule": schedule}


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """A /payback request of any shape, with the options every shape shares."""
    # six shapes of the monthly model to two of schedules
    body = draw(st.one_of(monthly_model(), monthly_model(), monthly_model(), schedules()))
    body["risk_adjustment"] = {"benefits": draw(fraction), "costs": draw(fraction)}
    body["annual_discount_rate"] = draw(st.sampled_from([0.0, 0.1, 0.35]))
    if draw(st.booleans()):
        body["scenarios"] = [{"name": "half", "effect_scale": 0.5}]
    return body
