"""The internal rate of return, by bracketed root finding (never a bare Newton iteration).

With v = 1 / (1 + r) the NPV is the polynomial g(v) = Σ net_t v^t. We search x = ln v, where
r = e^(-x) - 1 covers (-1, ∞), and evaluate g so that it cannot overflow: g(v) itself for v ≤ 1,
g(v) / v^n (same sign) for v > 1. A root is bracketed by a sign change and refined with Brent's
method, which keeps the bracket and converges superlinearly.

The flows arrive as runs of equal values (a monthly business case is a few runs: the outlay, the
ramp, then the same net month after month). Horner's rule walks a run with the same float
operations in the same order as it walks the plain list, so the answer is the same to the last
bit; a run only lets it stop early once total · v + c = total (a fixed point: every further step
repeats it) and unrolls the steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import groupby, pairwise, repeat

# x = ln(1 + r): from r ≈ 8e307 (the largest float) down to r = -1 + e^-700.
X_MIN = -709.0
X_MAX = 700.0
_XTOL = 1e-15
_RTOL = 4 * 2.220446049250313e-16
_MAX_ITERATIONS = 200


def irr(flows: Sequence[float]) -> float | None:
    """The rate r > -1 where Σ flows[t] / (1 + r)^t = 0.

    None when the flows never change sign (no such rate), or when the rate is beyond a float.
    With several sign changes, the root nearest r = 0.
    """
    # Runs of the same float, -0.0 apart from 0.0 (Horner adds each as given).
    runs = groupby(flows, key=lambda value: (value, math.copysign(1.0, value)))
    return irr_of_runs([(value, len(list(run))) for (value, _), run in runs])


def irr_of_runs(runs: Sequence[tuple[float, int]]) -> float | None:
    """irr() of the flows given as runs (value, how many periods in a row), in order."""
    nonzero = [i for i, (value, _) in enumerate(runs) if value]
    if not nonzero:
        return None
    coefficients = list(runs[nonzero[0] : nonzero[-1] + 1])  # from the first to the last flow
    values = [value for value, _ in coefficients if value]
    if all(value > 0 for value in values) or all(value < 0 for value in values):
        return None
    g = _scaled_npv(coefficients)
    bracket = _bracket(g, _sure_sign(coefficients))
    if bracket is None:
        return None
    x = _brentq(g, *bracket)
    return math.expm1(-x)


def _scaled_npv(c: list[tuple[float, int]]) -> Callable[[float], float]:
    """h(x) with the sign of g(e^x), free of overflow: Horner in v ≤ 1 or in w = 1/v < 1.

    ``c`` holds the coefficients c_0..c_n as runs of equal values."""
    descending = c[::-1]  # Horner from the highest power of v down: Σ c_j v^j

    def h(x: float) -> float:
        if x <= 0:
            return _horner(descending, math.exp(x))
        return _horner(c, math.exp(-x))  # g(v) / v^n = Σ c_j w^(n - j)

    return h


def _horner(runs: Sequence[tuple[float, int]], v: float) -> float:
    """total = total · v + c for every coefficient c of the runs, in order, from total = 0.

    Eight steps at a time, then one more to see whether a run has reached a fixed point (the
    float total no longer changes; with v < 1 it soon does); the same operations in the same
    order as one step per coefficient, so the same float."""
    total = 0.0
    for c, n in runs:
        if n == 1:
            total = total * v + c
            continue
        left = n
        while left > 8:
            total = (
                ((((((total * v + c) * v + c) * v + c) * v + c) * v + c) * v + c) * v + c
            ) * v + c
            following = total * v + c
            if following == total:
                left = 0
                break
            total = following
            left -= 9
        for _ in repeat(None, left):
            total = total * v + c
    return total


# A sign is sure when the estimate is this far from 0, relative to Σ |c_j| v^j: the estimate
# and Horner's float are each within ~1e-13 of it (Horner: 2n u, n <= 121, u = 2^-53).
_SURE = 1e-9
# Where the estimate is used: few runs, and no flow so small or large that v^j underflowing or
# Horner's own underflow could matter next to the others.
_SURE_RUNS = 8
_SURE_MIN, _SURE_MAX = 1e-100, 1e100


def _sure_sign(c: list[tuple[float, int]]) -> Callable[[float], bool | None] | None:
    """Whether h(x) > 0, where that is sure without Horner's rule; None where it is not.

    The estimate sums each run in closed form, c v^a (1 - v^m) / (1 - v) for a run of m equal
    coefficients from the power a, with a few roundings per run, and is trusted only where it
    is far from zero (``_SURE``). Used on the bracket's ladder |x| >= 1/8 and x = 0, where
    1 - v^m >= 1 - v >= 0.11 (no cancellation). None when it does not apply to ``c``.

    When the coefficients change sign once (an outlay, then returns: the usual case), the
    ratio g(v) / Σ |c_j| v^j is monotonic in x (the ratio of the later powers' sum to the
    earlier's grows with v), so a sign found sure at x is sure beyond x on the same side of
    the root, without another estimate."""
    if len(c) > _SURE_RUNS or not all(_SURE_MIN <= abs(k) <= _SURE_MAX for k, _ in c if k):
        return None
    descending = c[::-1]  # g(v) / v^n = Σ c_j w^(n - j): the powers of w from c_n down
    signs = [k > 0 for k, _ in c if k]
    once = sum(a != b for a, b in pairwise(signs)) == 1
    rising = signs[-1]  # with one change: the ratio grows with x when it ends positive
    # with one change: x at and beyond which (away from the root) the sign is sure
    sure_high, sure_low = math.inf, -math.inf

    def sign(x: float) -> bool | None:
        nonlocal sure_high, sure_low
        if x >= sure_high:
            return rising
        if x <= sure_low:
            return not rising
        if x <= 0:
            estimate, scale = _closed_form(c, math.exp(x))
        else:
            estimate, scale = _closed_form(descending, math.exp(-x))
        if abs(estimate) <= _SURE * scale:
            return None
        positive = estimate > 0
        if once:
            if positive == rising:
                sure_high = min(sure_high, x)
            else:
                sure_low = max(sure_low, x)
        return positive

    return sign


def _closed_form(runs: Sequence[tuple[float, int]], v: float) -> tuple[float, float]:
    """Σ c_j v^j (powers from 0, in the order of ``runs``) and Σ |c_j| v^j, run by run."""
    total = scale = 0.0
    power = 1.0  # v^a, a the first power of the run
    for c, m in runs:
        following = power * v**m
        block = power * m if v == 1 else (power - following) / (1 - v)  # Σ v^(a..a+m-1)
        total += c * block
        scale += abs(c) * block
        power = following
    return total, scale


def _bracket(
    h: Callable[[float], float], sure_sign: Callable[[float], bool | None] | None = None
) -> tuple[float, float, float, float] | None:
    """Grow outwards from r = 0 until h changes sign; the bracket nearest zero wins.

    Only the signs decide where to go: h itself is evaluated where ``sure_sign`` cannot tell,
    and at the two ends of the bracket found (the same floats as if every point had been).
    Each side keeps its last point as x, h(x) (None while not evaluated) and h(x) > 0."""

    def sign(x: float) -> tuple[float | None, bool]:
        positive = None if sure_sign is None else sure_sign(x)
        if positive is None:
            hx = h(x)
            return hx, hx > 0
        return None, positive  # h(x) != 0 for sure

    h0, positive0 = sign(0.0)
    if h0 == 0:
        return (0.0, 0.0, 0.0, 0.0)
    left_x, left_h, left_positive = right_x, right_h, right_positive = 0.0, h0, positive0
    step = 0.125
    while True:
        moved = False
        x = max(X_MIN, -step)
        if x != left_x:
            moved = True
            hx, positive = sign(x)
            if positive != left_positive or hx == 0:
                edge = h(left_x) if left_h is None else left_h
                return x, left_x, h(x) if hx is None else hx, edge
            left_x, left_h, left_positive = x, hx, positive
        x = min(X_MAX, step)
        if x != right_x:
            moved = True
            hx, positive = sign(x)
            if positive != right_positive or hx == 0:
                edge = h(right_x) if right_h is None else right_h
                return right_x, x, edge, h(x) if hx is None else hx
            right_x, right_h, right_positive = x, hx, positive
        if not moved:
            return None
        step *= 2


def _brentq(f: Callable[[float], float], xa: float, xb: float, fa: float, fb: float) -> float:
    """Brent's method on a bracket [xa, xb] with f(xa) f(xb) ≤ 0 (after SciPy's brentq)."""
    if fa == 0:
        return xa
    if fb == 0:
        return xb
    xpre, xcur, fpre, fcur = xa, xb, fa, fb
    xblk = fblk = spre = scur = 0.0
    for _ in range(_MAX_ITERATIONS):
        if fpre != 0 and fcur != 0 and (fpre > 0) != (fcur > 0):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (_XTOL + _RTOL * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if (
            abs(spre) > delta
            and abs(fcur) < abs(fpre)
            and (stry := _interpolate(xpre, xcur, xblk, fpre, fcur, fblk)) is not None
        ):
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):
                spre, scur = scur, stry
            else:
                spre = scur = sbis
        else:
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = f(xcur)
    return xcur


def _interpolate(  # noqa: PLR0917  Brent's three points, as the algorithm names them
    xpre: float, xcur: float, xblk: float, fpre: float, fcur: float, fblk: float
) -> float | None:
    """Brent's interpolation step: secant, or inverse quadratic; None where it would divide by
    zero (a flat stretch of tiny flows), so the caller bisects instead."""
    try:
        if xpre == xblk:  # secant
            return -fcur * (xcur - xpre) / (fcur - fpre)
        dpre = (fpre - fcur) / (xpre - xcur)
        dblk = (fblk - fcur) / (xblk - xcur)
        return -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
    except ZeroDivisionError:
        return None
