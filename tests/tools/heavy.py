"""The heaviest valid requests: every list at its longest, every option on (for the overload
test and the README's bound on the work of one request)."""

from __future__ import annotations

import random
from typing import Any

from service.calc.types import (
    MAX_BENEFIT_LINES,
    MAX_COST_LINES,
    MAX_HORIZON_MONTHS,
    MAX_SCENARIOS,
    MAX_SCHEDULE_PERIODS,
    MAX_STAGES,
)


def heaviest_evaluate() -> dict[str, Any]:
    return {
        "currency": "UAH",
        "stages": [
            {"name": f"stage {i}", "count": 10**9 // (i + 1), "uplift": 0.0123 + i / 1000}
            for i in range(MAX_STAGES)
        ],
        "average_deal_value": 123456.78,
        "average_deal_value_uplift": 0.0711,
        "gross_margin": 0.37,
        "scenarios": [{"name": f"s{i}", "effect_scale": 0.5 + i / 2} for i in range(MAX_SCENARIOS)],
        "sensitivity_swing": 0.2,
    }


def heaviest_payback() -> dict[str, Any]:
    return {
        "currency": "UAH",
        "evaluation": heaviest_evaluate(),
        "productivity": {
            "users": 250,
            "hours_saved_per_user_per_month": 5.5,
            "loaded_hourly_cost": 312.4,
            "realization": 0.8,
        },
        "costs": {
            "one_time": [
                {"name": f"one-time {i}", "amount": 1000.01 * (i + 1)}
                for i in range(MAX_COST_LINES)
            ],
            "monthly": [
                {"name": f"monthly {i}", "amount": 97.13 * (i + 1)} for i in range(MAX_COST_LINES)
            ],
        },
        "horizon_months": MAX_HORIZON_MONTHS,
        "ramp_up_months": 7,
        "annual_discount_rate": 0.117,
        "risk_adjustment": {"benefits": 0.13, "costs": 0.07},
        "scenarios": [{"name": f"s{i}", "effect_scale": 0.3 + i / 2} for i in range(MAX_SCENARIOS)],
    }


def heaviest_schedule() -> dict[str, Any]:
    """An explicit monthly schedule at its longest, with 12-digit amounts that change sign
    often, discounting and 5 scenarios: the costliest /payback measured (IRR and the scenarios
    over 121 periods)."""
    rng = random.Random(7)
    amounts = [[round(rng.random() * 1e12, 2) for _ in range(MAX_SCHEDULE_PERIODS)] for _ in "cb"]
    return {
        "currency": "UAH",
        "schedule": {"period": "month", "costs": amounts[0], "benefits": amounts[1]},
        "annual_discount_rate": 0.117,
        "scenarios": [{"name": f"s{i}", "effect_scale": 0.3 + i / 2} for i in range(MAX_SCENARIOS)],
    }


def heaviest_lines() -> dict[str, Any]:
    """The heaviest business case in lines (issue 13's bound): 20 funnel lines of 10 stages,
    60 cost lines (20 one-time, 20 monthly, 20 per-seat), 5 scenarios, 120 months, discounting
    and a solve over a money field's whole range."""
    funnel = heaviest_evaluate()
    del funnel["scenarios"], funnel["sensitivity_swing"]
    body = heaviest_payback()
    del body["evaluation"], body["productivity"]
    body["benefits"] = [
        {"kind": "funnel", "name": f"funnel {j}", "evaluation": funnel, "risk": j / 100,
         "ramp_up_months": j % 7, "start_month": 1 + j % 5}
        for j in range(MAX_BENEFIT_LINES)
    ]  # fmt: skip
    body["costs"]["one_time"] = [
        dict(item, month=i * 5) for i, item in enumerate(body["costs"]["one_time"])
    ]
    body["costs"]["per_seat"] = [
        {"name": f"seats {i}", "seats": 10 + i, "price_per_seat": 61.17 + i,
         "billing": "annual" if i % 2 else "monthly", "annual_escalation": 0.05, "risk": 0.1}
        for i in range(MAX_COST_LINES)
    ]  # fmt: skip
    body["solve"] = {"vary": "/costs/per_seat/0/price_per_seat", "target": "roi", "value": 1}
    return body


def heaviest_uncertainty() -> dict[str, Any]:
    """The largest request the uncertainty's work bound allows: 16,384 samples × 121 periods ×
    8 lines (15.9 million of 2^24), four funnel lines, every kind of cost, six ranges, one of
    them the discount rate (so every sample has its own discount factors)."""
    funnel = heaviest_evaluate()
    del funnel["scenarios"], funnel["sensitivity_swing"]
    return {
        "currency": "UAH",
        "horizon_months": MAX_HORIZON_MONTHS,
        "annual_discount_rate": 0.1,
        "benefits": [
            {"kind": "funnel", "name": f"funnel {j}", "evaluation": funnel, "ramp_up_months": 3}
            for j in range(4)
        ],
        "costs": {
            "one_time": [{"name": "implementation", "amount": 4e7}],
            "monthly": [{"name": "support", "amount": 5e5}],
            "per_seat": [
                {"name": "annual seats", "seats": 1000, "price_per_seat": 600,
                 "billing": "annual", "annual_escalation": 0.05},
                {"name": "monthly seats", "seats": 500, "price_per_seat": 100},
            ],
        },
        "uncertainty": {
            "ranges": [
                {"pointer": f"/benefits/{j}/evaluation/stages/{j + 1}/uplift", "low": 0.0,
                 "high": 0.03}
                for j in range(4)
            ]
            + [
                {"pointer": "/costs/one_time/0/amount", "low": 3e7, "high": 6e7},
                {"pointer": "/annual_discount_rate", "low": 0.05, "high": 0.2},
            ],
            "samples": 16384,
            "payback_within_months": 24,
        },
    }  # fmt: skip
