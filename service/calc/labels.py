"""The words of the trace, in English and Ukrainian (the post's language)."""

from __future__ import annotations

from msgspec import Struct

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


class Phrase(Struct, frozen=True, gc=False):
    """A label template cut at its fields, so that filling it is a concatenation rather than a
    ``str.format`` call, which parses the template every time (the trace fills a dozen labels
    per request). A template "{name}: grow with {above}" is head "", middle ": grow with ",
    tail ""; one with a single field has an empty middle. A Struct, whose fields read fast: the
    trace inlines fill()."""

    head: str
    middle: str
    tail: str

    def fill(self, first: str, second: str = "") -> str:
        """The label: ``head + first + middle + second + tail``, as ``str.format`` gives it."""
        return f"{self.head}{first}{self.middle}{second}{self.tail}"


def phrase(template: str, *fields: str) -> Phrase:
    """Cut ``template`` at its one or two ``fields``, which it holds once each, in this order."""
    head, _, rest = template.partition("{" + fields[0] + "}")
    middle, _, tail = rest.partition("{" + fields[1] + "}") if len(fields) > 1 else ("", "", rest)
    cut = Phrase(head, middle, tail)
    sample = {field: f"<{field}>" for field in fields}
    if cut.fill(*sample.values()) != template.format(**sample):  # a template this cannot hold
        raise ValueError(f"cannot cut {template!r} at {fields}")
    return cut


class Wording(Struct, frozen=True, gc=False):
    """One language's labels for the trace of an evaluation (funnel.trace), cut into Phrases."""

    top: Phrase  # name, change
    volume: Phrase  # name, above
    conversion: Phrase  # name, change
    revenue_at_baseline_deal_value: str
    projected_revenue: Phrase  # change
    baseline_revenue: str
    revenue_uplift: str
    revenue_uplift_ratio: str
    monthly_gain: str


def wording(labels: dict[str, str]) -> Wording:
    """The trace's labels of one language of LABELS, cut once at import."""
    return Wording(
        top=phrase(labels["top"], "name", "change"),
        volume=phrase(labels["volume"], "name", "above"),
        conversion=phrase(labels["conversion"], "name", "change"),
        revenue_at_baseline_deal_value=labels["revenue_at_baseline_deal_value"],
        projected_revenue=phrase(labels["projected_revenue"], "change"),
        baseline_revenue=labels["baseline_revenue"],
        revenue_uplift=labels["revenue_uplift"],
        revenue_uplift_ratio=labels["revenue_uplift_ratio"],
        monthly_gain=labels["monthly_gain"],
    )


WORDING: dict[str, Wording] = {language: wording(labels) for language, labels in LABELS.items()}
