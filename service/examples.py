"""The seed's worked example (roi-model.md, "The seed, as requests"): docs, tests and the page."""

from __future__ import annotations

from typing import Any

SEED_EVALUATE: dict[str, Any] = {
    "currency": "UAH",
    "stages": [
        {"name": "leads", "count": 10000, "uplift": 0.03},
        {"name": "opportunities", "count": 600, "uplift": 0.07},
        {"name": "deals", "count": 400, "uplift": 0.05},
    ],
    "average_deal_value": 200,
    "average_deal_value_uplift": 0.07,
}

SEED_PAYBACK: dict[str, Any] = {
    "currency": "UAH",
    "costs": {"one_time": [{"name": "licence, integrations, consulting", "amount": 15000}]},
    "monthly_benefit": 19082,
}

SEED_PAYBACK_WITH_EVALUATION: dict[str, Any] = {
    "currency": "UAH",
    "costs": SEED_PAYBACK["costs"],
    "evaluation": SEED_EVALUATE,
}

# A partner's quote in lines: per-seat licences billed yearly with a 5 % escalation, an
# implementation fee, two benefit lines (the seed's funnel, ramping up over 3 months, and time
# saved from month 2), and a solve: the highest price per seat that still pays back in 6 months.
PARTNER_QUOTE: dict[str, Any] = {
    "currency": "UAH",
    "horizon_months": 24,
    "annual_discount_rate": 0.1,
    "benefits": [
        {"kind": "funnel", "name": "more deals", "evaluation": SEED_EVALUATE,
         "ramp_up_months": 3},
        {"kind": "productivity", "name": "less admin", "users": 10,
         "hours_saved_per_user_per_month": 4, "loaded_hourly_cost": 250, "realization": 0.5,
         "start_month": 2},
    ],
    "costs": {
        "one_time": [{"name": "implementation", "amount": 40000}],
        "per_seat": [{"name": "CRM licences", "seats": 10, "price_per_seat": 600,
                      "billing": "annual", "annual_escalation": 0.05}],
    },
    "solve": {"vary": "/costs/per_seat/0/price_per_seat", "target": "payback_months", "value": 6},
}  # fmt: skip

# The partner's quote and how sure the partner is of four of its assumptions: the deals stage's
# uplift and the deal-value uplift (lognormal 90 % ranges), the hours saved (normal) and the
# implementation fee (triangular, most likely as quoted); the chance of paying back in 6 months.
PARTNER_QUOTE_RANGES: dict[str, Any] = {
    **{key: value for key, value in PARTNER_QUOTE.items() if key != "solve"},
    "uncertainty": {
        "ranges": [
            {"pointer": "/benefits/0/evaluation/stages/2/uplift", "low": 0.01, "high": 0.09},
            {"pointer": "/benefits/0/evaluation/average_deal_value_uplift", "low": 0.02,
             "high": 0.12},
            {"pointer": "/benefits/1/hours_saved_per_user_per_month", "low": 2, "high": 6,
             "shape": "normal"},
            {"pointer": "/costs/one_time/0/amount", "low": 35000, "high": 60000,
             "shape": "triangular"},
        ],
        "payback_within_months": 6,
    },
}  # fmt: skip
