"""Figures as the document prints them, in English or Ukrainian: the JSON answer's values,
grouped and with the language's decimal mark, so that a reader (and pdftotext) finds each.

English: 1,234,567.89 and 12.5%; Ukrainian: 1 234 567,89 and 12,5 % (no-break spaces, as
CLDR's uk locale writes them). Negative figures take the minus sign (U+2212).
"""

from __future__ import annotations

from decimal import Decimal

NBSP = "\u00a0"
MINUS = "\u2212"


def _localized(grouped: str, language: str) -> str:
    """``grouped`` is Python's "1,234.5" form; the language's marks swapped in."""
    if language == "uk":
        grouped = grouped.replace(",", NBSP).replace(".", ",")
    return grouped.replace("-", MINUS)


def money(amount: Decimal, language: str) -> str:
    """An exact amount with the places it has (the currency's minor unit): 19,082.00."""
    return _localized(f"{amount:,}", language)


def number(value: float, places: int, language: str) -> str:
    """A float rounded to ``places``, grouped: 1,234.5."""
    text = f"{value:,.{places}f}"
    if text.lstrip("-").strip("0,.") == "":  # no "−0.0"
        text = text.lstrip("-")
    return _localized(text, language)


def percent(ratio: float, language: str, places: int = 1) -> str:
    """A ratio as a percentage: 0.2385 → 23.9% (en), 23,9 % (uk)."""
    return number(ratio * 100, places, language) + (f"{NBSP}%" if language == "uk" else "%")


def months(value: float, language: str) -> str:
    """A time in months, to a tenth."""
    return number(value, 1, language)


def count(value: float, language: str) -> str:
    """A count as the answer gives it: whole when whole, else to two places."""
    return number(value, 0 if value == int(value) else 2, language)
