"""ISO 4217 minor units from the iso4217 package (ISO's own tables), not a hand-written copy."""

from __future__ import annotations

from iso4217 import Currency

from service.calc import ModelError, Violation

# Codes without a minor unit (gold, SDR, test codes) cannot carry money answers.
MINOR_UNITS: dict[str, int] = {
    currency.code: currency.exponent for currency in Currency if currency.exponent is not None
}


def minor_unit(code: str, pointer: str = "/currency") -> int:
    """The number of decimals money in ``code`` is rounded to; ModelError for an unknown code."""
    try:
        return MINOR_UNITS[code]
    except KeyError:
        raise ModelError(
            [Violation(pointer, f"{code!r} is not an ISO 4217 currency with a minor unit")]
        ) from None
