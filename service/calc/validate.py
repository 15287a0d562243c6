"""What the model rejects, checked once per request before any figure is computed.

The schema bounds every field by itself (the decoder enforces it); this module holds the rules
that span fields:

- the request's shape (one benefit source; a schedule replaces the monthly model), which the
  OpenAPI document states with ``oneOf``: a ConflictError, answered 400 like any other schema
  violation;
- what the model cannot compute (a funnel that grows downwards or converts past 100 %, a month
  beyond the horizon, rows of unequal length, a field that cannot be solved for): a ModelError
  listing every violation, answered 422.
"""

from __future__ import annotations

from msgspec import UNSET

from .errors import ConflictError, ModelError, Violation
from .money import ONE, exact, show
from .types import EvaluateRequest, FunnelBenefit, PaybackRequest, SalesFunnel, Scenario


def evaluate_violations(request: EvaluateRequest, pointer: str = "") -> list[Violation]:
    """funnel_violations, then those of the uplifts scaled by any of its scenarios. ``pointer``
    locates the funnel in the body."""
    return funnel_violations(request, pointer) or scenario_violations(
        request, request.scenarios, pointer
    )


def funnel_violations(request: SalesFunnel, pointer: str = "") -> list[Violation]:
    """A funnel's counts may not grow downwards (c_i > c_{i-1}) and no projected conversion may
    exceed 100 % (c_i / c_{i-1} × (1 + u_i) > 1), checked exactly."""
    violations = []
    stages = request.stages
    counts = [exact(stage.count) for stage in stages]
    uplifts = [exact(stage.uplift) for stage in stages]
    for i in range(1, len(stages)):
        above, count = counts[i - 1], counts[i]
        if count > above:
            violations.append(Violation(
                f"{pointer}/stages/{i}/count",
                f"{show(count)} {stages[i].name!r} is more than the {show(above)} "
                f"{stages[i - 1].name!r} above it; counts may not grow down the funnel",
            ))  # fmt: skip
        elif above and count * (ONE + uplifts[i]) > above:
            violations.append(Violation(
                f"{pointer}/stages/{i}/uplift",
                f"the projected conversion into {stages[i].name!r} would exceed 100 %; "
                f"with this baseline the uplift may be at most {show(above / count - ONE)}",
            ))  # fmt: skip
    return violations


def scenario_violations(
    request: SalesFunnel, scenarios: list[Scenario], pointer: str, funnel_pointer: str = ""
) -> list[Violation]:
    """A scenario may not scale an uplift of the funnel below -100 % or past a 100 %
    conversion. ``pointer`` locates the scenarios; ``funnel_pointer`` the funnel, when it is
    not theirs (a payback's scenarios scale its embedded funnels)."""
    if not scenarios:
        return []
    counts = [exact(stage.count) for stage in request.stages]
    uplifts = [exact(stage.uplift) for stage in request.stages]
    violations = []
    for index, scenario in enumerate(scenarios):
        scale = exact(scenario.effect_scale)
        for i, uplift in enumerate(uplifts):
            moved = uplift * scale
            if moved < -1 or (i and counts[i - 1] and counts[i] * (ONE + moved) > counts[i - 1]):
                where = f" (in {funnel_pointer})" if funnel_pointer else ""
                violations.append(Violation(
                    f"{pointer}/scenarios/{index}/effect_scale",
                    f"scaled by {scenario.effect_scale:g}, the uplift of "
                    f"{request.stages[i].name!r}{where} becomes {show(moved)}, below -100 % or "
                    "past a 100 % conversion",
                ))  # fmt: skip
                break
    return violations


BENEFIT_SOURCES = ("monthly_benefit", "evaluation", "productivity", "benefits")


def shape_conflict(request: PaybackRequest) -> Violation | None:  # noqa: PLR0911  a table
    """One benefit source: ``benefits`` lines, or ``monthly_benefit`` or ``evaluation`` (not
    both) with an optional ``productivity``, or a ``schedule`` (which excludes the monthly
    model's ``costs`` and ``ramp_up_months``, and gives ``costs`` and ``benefits`` or
    ``lines``)."""
    given = [name for name in BENEFIT_SOURCES if getattr(request, name) is not UNSET]
    schedule = request.schedule
    if schedule is not UNSET:
        clash = given + [
            name for name in ("costs", "ramp_up_months") if getattr(request, name) is not UNSET
        ]
        if clash:
            return Violation("", f"a schedule replaces the monthly model; drop {', '.join(clash)}")
        rows = [name for name in ("costs", "benefits") if getattr(schedule, name) is not UNSET]
        if schedule.lines is not UNSET and rows:
            return Violation("/schedule", f"give lines or costs and benefits; drop {rows[0]}")
        if schedule.lines is UNSET and len(rows) < 2:
            return Violation("/schedule", "give lines, or both costs and benefits")
        return None
    if "benefits" in given and len(given) > 1:
        return Violation("", f"benefit lines replace {given[0]}; give one or the other")
    if {"monthly_benefit", "evaluation"} <= set(given):
        return Violation("", "give exactly one of 'monthly_benefit' or 'evaluation'")
    if not given:
        return Violation(
            "",
            "give a benefit: 'benefits', 'monthly_benefit', 'evaluation', 'productivity' or "
            "'schedule'",
        )
    return None


def payback_violations(request: PaybackRequest) -> list[Violation]:
    """Everything the model rejects in a /payback request of a valid shape: months beyond the
    horizon, an embedded funnel in another currency or one funnel_violations rejects (also
    under the request's scenarios, and its own for the old ``evaluation``), schedule rows of
    unequal length. (normal.py locates a solve's field.)"""
    horizon = request.horizon_months
    violations: list[Violation] = []

    def within(pointer: str, what: str, months: float) -> None:
        if months > horizon:
            violations.append(Violation(
                pointer, f"{what} ({months:g}) is beyond the horizon ({horizon:g} months)"
            ))  # fmt: skip

    if request.schedule is UNSET:
        if request.ramp_up_months is not UNSET and request.ramp_up_months > horizon:
            violations.append(Violation(
                "/ramp_up_months",
                f"the ramp-up ({request.ramp_up_months:g} months) is longer than the horizon "
                f"({horizon:g} months)",
            ))  # fmt: skip
        for j, line in enumerate([] if request.benefits is UNSET else request.benefits):
            if line.ramp_up_months is not UNSET and line.ramp_up_months > horizon:
                violations.append(Violation(
                    f"/benefits/{j}/ramp_up_months",
                    f"the ramp-up ({line.ramp_up_months:g} months) is longer than the horizon "
                    f"({horizon:g} months)",
                ))  # fmt: skip
            within(f"/benefits/{j}/start_month", "the start month", line.start_month)
            if isinstance(line, FunnelBenefit):
                violations += _funnel(request, line.evaluation, f"/benefits/{j}/evaluation")
        if request.costs is not UNSET:
            for i, item in enumerate(request.costs.one_time):
                within(f"/costs/one_time/{i}/month", "the month", item.month)
            for i, monthly in enumerate(request.costs.monthly):
                within(f"/costs/monthly/{i}/start_month", "the start month", monthly.start_month)
        if request.evaluation is not UNSET:
            violations += _funnel(request, request.evaluation, "/evaluation")
    else:
        violations += _schedule_lengths(request)
    return violations


def field_violations(request: PaybackRequest, path: tuple[str | int, ...]) -> list[Violation]:
    """payback_violations of a valid request once the variable field at ``path`` changed. Of
    the rules above, only a funnel's read a variable field (an uplift may not lift a conversion
    past 100 %), so only the funnel that holds the field is checked again
    (tests/unit/test_fields.py holds the two equal on every variable field)."""
    match path:
        case ("benefits", int(j), "evaluation", *_) if request.benefits is not UNSET:
            line = request.benefits[j]
            assert isinstance(line, FunnelBenefit)  # noqa: S101  the path leads into its funnel
            return _funnel(request, line.evaluation, f"/benefits/{j}/evaluation")
        case ("evaluation", *_) if request.evaluation is not UNSET:
            return _funnel(request, request.evaluation, "/evaluation")
    return []


def check_payback(request: PaybackRequest) -> None:
    """Raises ConflictError (400) or ModelError (422) for a request the model cannot answer."""
    conflict = shape_conflict(request)
    if conflict is not None:
        raise ConflictError(conflict)
    violations = payback_violations(request)
    if violations:
        raise ModelError(violations)


def _funnel(request: PaybackRequest, funnel: SalesFunnel, pointer: str) -> list[Violation]:
    if funnel.currency != request.currency:
        return [Violation(
            f"{pointer}/currency",
            f"the evaluation is in {funnel.currency} but the payback in {request.currency}; "
            "use one currency",
        )]  # fmt: skip
    # the old ``evaluation`` is answered in full, its own scenarios included; a funnel line is
    # only its funnel
    own = (
        evaluate_violations(funnel, pointer)
        if isinstance(funnel, EvaluateRequest)
        else funnel_violations(funnel, pointer)
    )
    return own or scenario_violations(funnel, request.scenarios, "", pointer)


def _schedule_lengths(request: PaybackRequest) -> list[Violation]:
    schedule = request.schedule
    assert schedule is not UNSET  # noqa: S101  the caller's branch
    if schedule.lines is UNSET:
        assert schedule.costs is not UNSET  # noqa: S101  shape_conflict's rule
        assert schedule.benefits is not UNSET  # noqa: S101
        if len(schedule.costs) != len(schedule.benefits):
            return [Violation(
                "/schedule/benefits",
                f"{len(schedule.benefits)} benefits for {len(schedule.costs)} costs; "
                "give one of each per period",
            )]  # fmt: skip
        return []
    periods = len(schedule.lines[0].amounts)
    return [
        Violation(
            f"/schedule/lines/{k}/amounts",
            f"{len(line.amounts)} periods where the first line has {periods}; give every line "
            "the same periods",
        )
        for k, line in enumerate(schedule.lines)
        if len(line.amounts) != periods
    ]
