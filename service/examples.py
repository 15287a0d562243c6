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
