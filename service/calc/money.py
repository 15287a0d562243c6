"""Exact decimal arithmetic: numbers in, roundings out (roi-model.md, "Conventions").

Two decimal contexts, one per public entry point, each named for its precision:

- ``THOUSAND_DIGITS``, for the funnel (evaluate): its arithmetic is exact. 1000 digits hold any
  product of its bounded inputs (a float has 17 significant digits and exponents down to
  1e-308, so 1 + 1e-308 needs 309), and only its true divisions are rounded.
- ``FIFTY_DIGITS``, for the cash flows (payback): discount factors are irrational anyway;
  50 digits are 30 below anything an answer shows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DivisionByZero, Overflow
from decimal import InvalidOperation as _InvalidOperation

_TRAPS = [_InvalidOperation, DivisionByZero, Overflow]
THOUSAND_DIGITS = Context(prec=1000, rounding=ROUND_HALF_EVEN, traps=_TRAPS)
FIFTY_DIGITS = Context(prec=50, rounding=ROUND_HALF_EVEN, traps=_TRAPS)

ZERO = Decimal(0)
ONE = Decimal(1)


def exact(value: float) -> Decimal:
    """The decimal the client wrote, ``Decimal(repr(x))``: 0.1 stays 0.1, not 0.1000...0555;
    -0.0 is 0."""
    return Decimal(repr(value)) if value else ZERO


def quantum(minor_unit: int) -> Decimal:
    """One minor unit of a currency with ``minor_unit`` decimals: 0.01 for 2."""
    return ONE.scaleb(-minor_unit)


def round_money(value: Decimal, minor_unit: int) -> Decimal:
    """M: half-up to the currency's minor unit, from the exact value (2.675 -> 2.68); never
    "-0.00"."""
    rounded = value.quantize(quantum(minor_unit), ROUND_HALF_UP, FIFTY_DIGITS)
    return rounded if rounded else ZERO.scaleb(-minor_unit)


def round_count(value: Decimal) -> Decimal:
    """R in ``whole_units`` mode: half-up to an integer."""
    return value.quantize(ONE, ROUND_HALF_UP, THOUSAND_DIGITS)


def show(value: Decimal) -> str:
    """A number as a formula prints it: plain digits, at most 6 decimals, no trailing zeros."""
    text = f"{value.quantize(quantum(6), ROUND_HALF_UP, THOUSAND_DIGITS):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
