"""The words of the trace, in English and Ukrainian (the post's language)."""

from __future__ import annotations

LANGUAGES = ("en", "uk")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "top": "{name}: more volume ({change})",
        "volume": "{name}: grow with {above}",
        "conversion": "{name}: better conversion ({change})",
        "revenue_at_baseline_deal_value": "revenue at the old average deal",
        "projected_revenue": "revenue with the average deal {change}",
        "baseline_revenue": "revenue before the CRM",
        "revenue_uplift": "extra revenue a month",
        "revenue_uplift_ratio": "extra revenue as a share of the old",
        "monthly_gain": "monthly gain at the gross margin",
        "stage_uplift": "{name}: uplift",
        "average_deal_value": "average deal value",
        "average_deal_value_uplift": "average deal value uplift",
        "gross_margin": "gross margin",
    },
    "uk": {
        "top": "{name}: більший обсяг ({change})",
        "volume": "{name}: зростання разом з «{above}»",
        "conversion": "{name}: краща конверсія ({change})",
        "revenue_at_baseline_deal_value": "виручка за старої середньої суми угоди",
        "projected_revenue": "виручка із середньою сумою угоди {change}",
        "baseline_revenue": "виручка до впровадження CRM",
        "revenue_uplift": "додаткова виручка за місяць",
        "revenue_uplift_ratio": "приріст виручки відносно попередньої",
        "monthly_gain": "щомісячний виграш з урахуванням валової маржі",
        "stage_uplift": "{name}: приріст",
        "average_deal_value": "середня сума угоди",
        "average_deal_value_uplift": "приріст середньої суми угоди",
        "gross_margin": "валова маржа",
    },
}
