"""Exact decimal arithmetic: conversions in, roundings out (roi-model.md, "Conventions")."""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

# The funnel's arithmetic is exact: 1000 digits hold any product of its bounded inputs (a float
# carries 17 significant digits and exponents down to 1e-308, so 1 + 1e-308 needs 309), and only
# its true divisions are rounded. Cash flows need irrational discount factors anyway: 50 digits,
# 40 below anything an answer shows (ties at exact rational factors are kept exact, see
# cashflow.outcome).
EXACT = Context(
    prec=1000, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
CONTEXT = Context(
    prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
ZERO = Decimal(0)
ONE = Decimal(1)
_UNIT = Decimal(1)
_QUANTA = {digits: Decimal(1).scaleb(-digits) for digits in range(10)}


def exact(value: float) -> Decimal:
    """The decimal the client wrote, ``Decimal(repr(x))``: 0.1 stays 0.1, not 0.1000...0555."""
    return Decimal(repr(value)) + 0  # "+ 0" turns -0.0 into 0


def round_money(value: Decimal, minor_unit: int) -> Decimal:
    """M: half-up to the currency's minor unit, from the exact value (2.675 -> 2.68)."""
    rounded = value.quantize(_QUANTA[minor_unit], rounding=ROUND_HALF_UP, context=CONTEXT)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def round_count(value: Decimal) -> Decimal:
    """R in ``whole_units`` mode: half-up to an integer."""
    return value.quantize(_UNIT, rounding=ROUND_HALF_UP, context=CONTEXT)


def show(value: Decimal) -> str:
    """An operand as a formula prints it: plain digits, at most 6 decimals, no trailing zeros."""
    if value.as_tuple().exponent < -6:  # type: ignore[operator]  # finite values only here
        value = value.quantize(_QUANTA[6], rounding=ROUND_HALF_UP, context=CONTEXT)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
