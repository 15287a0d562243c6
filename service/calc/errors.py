"""What the model rejects: schema-valid requests that make no sense (answered 422)."""

from __future__ import annotations

from msgspec import Struct


class Violation(Struct, frozen=True):
    """One reason a request was rejected, at a JSON pointer into the request body."""

    pointer: str
    detail: str


class ModelError(ValueError):
    """A schema-valid request the model rejects; carries every violation found."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(f"{v.pointer}: {v.detail}" for v in violations))
        self.violations = violations


class ConflictError(ValueError):
    """A request whose fields contradict each other (the schema's ``oneOf``): a 400 like any
    other schema violation."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.detail)
        self.violation = violation
