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
# A cash-flow figure's last 10 digits carry the rounding error of its non-terminating divisions
# and irrational factors; M reads it to 40 digits (see round_flow).
FORTY_DIGITS = Context(prec=40, rounding=ROUND_HALF_EVEN, traps=_TRAPS)

ZERO = Decimal(0)
ONE = Decimal(1)


def exact(value: float) -> Decimal:
    """The decimal the client wrote, ``Decimal(repr(x))``: 0.1 stays 0.1, not 0.1000...0555;
    -0.0 is 0."""
    return Decimal(repr(value)) if value else ZERO


_QUANTA = tuple(ONE.scaleb(-digits) for digits in range(10))  # 1, 0.1, ..., 1E-9
_ZEROS = tuple(ZERO.scaleb(-digits) for digits in range(10))  # 0, 0.0, ..., 0E-9


def quantum(minor_unit: int) -> Decimal:
    """One minor unit of a currency with ``minor_unit`` decimals: 0.01 for 2."""
    return _QUANTA[minor_unit]


def round_money(value: Decimal, minor_unit: int) -> Decimal:
    """M: half-up to the currency's minor unit, from the exact value (2.675 -> 2.68); never
    "-0.00"."""
    return value.quantize(_QUANTA[minor_unit], ROUND_HALF_UP, FIFTY_DIGITS) or _ZEROS[minor_unit]


def round_flow(value: Decimal, minor_unit: int) -> Decimal:
    """M of a cash-flow figure computed in FIFTY_DIGITS: read to 40 digits first, so that an
    exact tie reached through a non-terminating division or an irrational factor (a ramp
    0.125 × k/9 summing to 0.625, a factor 1.44^(-1/12) six times over giving 1/1.2) rounds
    half-up as the tie it is, not down from 0.62499...9 in the 50th digit."""
    return round_money(FORTY_DIGITS.plus(value), minor_unit)


def round_all(values: list[Decimal], minor_unit: int) -> list[Decimal]:
    """round_flow of each value, in one comprehension: the rows of an answer round hundreds of
    values, and a Python call each would cost a third of the answer."""
    unit, zero, plus = _QUANTA[minor_unit], _ZEROS[minor_unit], FORTY_DIGITS.plus
    return [plus(value).quantize(unit, ROUND_HALF_UP, FIFTY_DIGITS) or zero for value in values]


def ratio(numerator: Decimal, denominator: Decimal) -> float | None:
    """numerator / denominator as the float an answer shows (null from zero): the quotient to
    FIFTY_DIGITS, 33 more than a float holds, not to the funnel's 1000."""
    return float(FIFTY_DIGITS.divide(numerator, denominator)) if denominator else None


def round_count(value: Decimal) -> Decimal:
    """R in ``whole_units`` mode: half-up to an integer."""
    return value.quantize(ONE, ROUND_HALF_UP, THOUSAND_DIGITS)


def show(value: Decimal) -> str:
    """A number as a formula prints it: plain digits, at most 6 decimals, no trailing zeros."""
    text = str(value)
    if "E" in text or ("." in text and len(text) - text.index(".") > 7):
        # str() of a decimal with exponent -6 never uses scientific notation
        text = str(value.quantize(_QUANTA[6], ROUND_HALF_UP, THOUSAND_DIGITS))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
