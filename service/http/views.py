"""Answers sized to the caller: ``?view=summary`` (docs: README, "For partners").

The summary is the answer without its per-period and per-step detail: no ``cash_flows``,
``years``, ``steps``, ``evaluation``, ``lines[].years``, nor the per-period parts of
``uncertainty`` (``payback_curve``, ``cumulative_bands``, ``npv_histogram``). Its types are
made from the full answers' minus those fields (``msgspec.defstruct``), so the two views cannot
drift, and the contract documents both.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import Struct

from service import calc
from service.calc.answers import LineResult, UncertaintyResult

View = Literal["full", "summary"]
VIEWS: tuple[View, ...] = ("full", "summary")


def _without(
    name: str, full: type[Struct], drop: set[str], retype: dict[str, Any] | None = None
) -> type[Struct]:
    """``full`` without the fields in ``drop`` (and with the types in ``retype``)."""
    retype = retype or {}
    kept = [
        (field.name, retype.get(field.name, field.type))
        for field in msgspec.structs.fields(full)
        if field.name not in drop
    ]
    summary = msgspec.defstruct(name, kept, kw_only=True, gc=False, module=__name__)
    summary.__doc__ = f"{full.__doc__}\n\nThe summary view: without {', '.join(sorted(drop))}."
    return summary


LineSummary = _without("LineSummary", LineResult, {"years"})
UncertaintySummary = _without(
    "UncertaintySummary", UncertaintyResult, {"payback_curve", "cumulative_bands", "npv_histogram"}
)
EvaluateSummary = _without("EvaluateSummary", calc.EvaluateResponse, {"steps"})
PaybackSummary = _without(
    "PaybackSummary",
    calc.PaybackResponse,
    {"cash_flows", "years", "evaluation"},
    {"lines": list[LineSummary], "uncertainty": UncertaintySummary | None},  # type: ignore[valid-type]
)


def _copy(summary: type[Struct], answer: Struct, **changed: Any) -> Any:
    return summary(**{
        name: changed[name] if name in changed else getattr(answer, name)
        for name in summary.__struct_fields__
    })  # fmt: skip


def evaluate_summary(answer: calc.EvaluateResponse) -> Any:
    return _copy(EvaluateSummary, answer)


def payback_summary(answer: calc.PaybackResponse) -> Any:
    return _copy(
        PaybackSummary,
        answer,
        lines=[_copy(LineSummary, line) for line in answer.lines],
        uncertainty=(
            None if answer.uncertainty is None else _copy(UncertaintySummary, answer.uncertainty)
        ),
    )


def view_of(query_string: bytes) -> View | None:
    """``view`` of the query (``full`` when absent); None for any other query."""
    if not query_string:
        return "full"
    name, _, value = query_string.decode("latin-1").partition("=")
    if name == "view" and value in VIEWS:
        return value
    return None
