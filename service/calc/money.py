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
_ZEROS = {digits: Decimal(0).scaleb(-digits) for digits in range(10)}


_EXACT: dict[float, Decimal] = {}
_EXACT_CACHE_SIZE = 4096


def exact(value: float) -> Decimal:
    """The decimal the client wrote, ``Decimal(repr(x))``: 0.1 stays 0.1, not 0.1000...0555.

    Memoised (bounded): requests repeat the same few numbers, and the conversion is the model's
    most frequent operation.
    """
    converted = _EXACT.get(value)
    if converted is None:
        if len(_EXACT) >= _EXACT_CACHE_SIZE:
            _EXACT.clear()
        converted = _EXACT[value] = Decimal(repr(value)) if value else ZERO  # -0.0 is 0
    return converted


def exacts(values: list[float]) -> list[Decimal]:
    """``[exact(x) for x in values]``, the memo read inline: one Python call for the list
    rather than one per value. A miss (or a zero, whose decimal is falsy) goes through exact()
    itself, so the memo fills and clears as it does there."""
    get = _EXACT.get
    return [get(value) or exact(value) for value in values]


def round_money(value: Decimal, minor_unit: int) -> Decimal:
    """M: half-up to the currency's minor unit, from the exact value (2.675 -> 2.68)."""
    # positional arguments: the C API parses keywords slowly; "or" turns "-0.00" into "0.00"
    return value.quantize(_QUANTA[minor_unit], ROUND_HALF_UP, CONTEXT) or _ZEROS[minor_unit]


def money_quantum(minor_unit: int) -> tuple[Decimal, Decimal]:
    """The quantum and the zero of M, for loops that inline it as
    ``Decimal.quantize(x, quantum, ROUND_HALF_UP, CONTEXT) or zero`` (no "-0.00"): positional
    arguments and no Python call per value make it three times cheaper than round_money."""
    return _QUANTA[minor_unit], _ZEROS[minor_unit]


def round_count(value: Decimal) -> Decimal:
    """R in ``whole_units`` mode: half-up to an integer."""
    return value.quantize(_UNIT, ROUND_HALF_UP, CONTEXT)


def show(value: Decimal) -> str:
    """An operand as a formula prints it: plain digits, at most 6 decimals, no trailing zeros."""
    text = str(value)
    if "E" in text:  # str() uses scientific notation for large exponents
        text = f"{value:f}"
    dot = text.find(".")
    if dot < 0:  # an integer: nothing to round or strip
        return "0" if text == "-0" else text
    if len(text) - dot > 7:
        text = f"{value.quantize(_QUANTA[6], rounding=ROUND_HALF_UP, context=CONTEXT):f}"
    text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_SHOWN: dict[Decimal, str] = {}


def show_input(value: Decimal) -> str:
    """show() of a number the client wrote (an exact() result), memoised (bounded) like exact():
    requests repeat the same few numbers. Keyed by the decimal: show() depends only on the
    value, so equal decimals (10000.0 and 10000) show alike."""
    text = _SHOWN.get(value)
    if text is None:
        if len(_SHOWN) >= _EXACT_CACHE_SIZE:
            _SHOWN.clear()
        text = _SHOWN[value] = show(value)
    return text


def show_digits(digits: str) -> str:
    """show() of a value already rounded to at most 6 decimals, such as money from
    round_money() or a count from round_count(), given as its str(): that prints it without an
    exponent and with nothing to round, so only the trailing zeros go ("92600.00" shows 92600).
    """
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return "0" if digits == "-0" else digits
