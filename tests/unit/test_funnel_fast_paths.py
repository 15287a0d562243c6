"""The shortcuts of funnel.py, labels.py and money.py give the very values of the plain code
they replace: str.format for labels, show() for every operand, R of the 1000-digit quotient for
whole_units volumes, float() of the 50-digit quotient for conversions."""

from __future__ import annotations

from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from service.calc.funnel import _conversion, _uplift_texts, _whole_volume
from service.calc.labels import LABELS, WORDING
from service.calc.money import (
    CONTEXT,
    EXACT,
    exact,
    round_count,
    round_money,
    show,
    show_digits,
    show_input,
)
from service.calc.types import MAX_COUNT

# Counts as clients send them: typed, integral, arbitrary and extreme (down to the least float).
COUNTS = st.one_of(
    st.floats(0, MAX_COUNT, allow_nan=False),
    st.integers(0, int(MAX_COUNT)).map(float),
    st.decimals(0, 10_000, places=2).map(float),
    st.sampled_from([0.0, 5e-324, 1e-300, 1e-60, 0.5, 1.5, 2.5, MAX_COUNT]),
    st.floats(0, 1e-250, allow_nan=False),
)
TEXTS = st.text(max_size=12) | st.sampled_from(["{name}", "{0}", "{", "}", "{{above}}"])


@given(first=TEXTS, second=TEXTS)
def test_phrases_fill_as_their_templates_format(first: str, second: str) -> None:
    for language, labels in LABELS.items():
        words = WORDING[language]
        assert words.top.fill(first, second) == labels["top"].format(name=first, change=second)
        assert words.volume.fill(first, second) == labels["volume"].format(name=first, above=second)
        assert words.conversion.fill(first, second) == labels["conversion"].format(
            name=first, change=second
        )
        assert words.projected_revenue.fill(first) == labels["projected_revenue"].format(
            change=first
        )


@settings(max_examples=500, deadline=None)
@given(count=COUNTS, above=COUNTS, after=st.integers(0, 2 * 10**10) | st.integers(0, 20))
def test_whole_volume_is_r_of_the_exact_quotient(count: float, above: float, after: int) -> None:
    count, above = sorted((count, above))  # a checked funnel: c_i ≤ c_{i-1}
    c, a, p = exact(count), exact(above), Decimal(after)
    if not a:
        return
    with localcontext(EXACT):
        plain = round_count(c * p / a)
        fast = _whole_volume(c * p, a)
    assert str(fast) == str(plain)


@settings(max_examples=500, deadline=None)
@given(
    value=st.integers(0, 2**53 - 1) | st.integers(0, 10**9),
    above=st.integers(1, 2**53 - 1) | st.integers(1, 10**9),
)
def test_integer_conversions_divide_as_floats(value: int, above: int) -> None:
    plain = float(CONTEXT.divide(Decimal(value), Decimal(above)))
    assert _conversion(Decimal(value), Decimal(above), float(value), float(above)) == plain


@given(count=COUNTS, above=COUNTS)
def test_count_conversions_are_the_50_digit_quotients(count: float, above: float) -> None:
    c, a = exact(count), exact(above)
    plain = float(CONTEXT.divide(c, a)) if a else None
    assert _conversion(c, a, float(c), float(a)) == plain


@given(value=st.floats(-1e15, 1e15, allow_nan=False), minor_unit=st.integers(0, 6))
def test_rounded_values_show_from_their_digits(value: float, minor_unit: int) -> None:
    with localcontext(EXACT):
        money = round_money(exact(value), minor_unit)
        count = round_count(abs(exact(value)))
    assert show_digits(str(money)) == show(money)
    assert show_digits(str(count)) == show(count)


@given(value=st.floats(allow_nan=False, allow_infinity=False))
def test_inputs_show_alike_whatever_their_exponent(value: float) -> None:
    d = exact(value)
    assert show_input(d) == show(d)
    with localcontext(EXACT):
        assert show(d.normalize()) == show(d) == show(d * Decimal("1.000"))


@given(uplift=st.floats(-1, 10, allow_nan=False) | st.sampled_from([-1e-60, 5e-324, -0.0]))
def test_uplift_texts_are_show_and_the_signed_percentage(uplift: float) -> None:
    u = exact(uplift)
    with localcontext(EXACT):
        percent = show(u * 100)
        texts = _uplift_texts(u)
    assert texts == (show(u), f"{percent} %" if u < 0 else f"+{percent} %")
