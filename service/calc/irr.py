"""The internal rate of return, by bracketed root finding (never a bare Newton iteration).

With v = 1 / (1 + r) the NPV is the polynomial g(v) = Σ net_t v^t. We search x = ln v, where
r = e^(-x) - 1 covers (-1, ∞), and evaluate g so that it cannot overflow: g(v) itself for v ≤ 1,
g(v) / v^n (same sign) for v > 1 (Horner's rule in 1/v). A root is bracketed by a sign change,
growing outwards from r = 0, and refined with Brent's method, which keeps the bracket and
converges superlinearly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

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
    nonzero = [t for t, flow in enumerate(flows) if flow]
    if not nonzero:
        return None
    c = list(flows[nonzero[0] : nonzero[-1] + 1])  # from the first to the last flow
    if all(flow >= 0 for flow in c) or all(flow <= 0 for flow in c):
        return None
    descending = c[::-1]

    def h(x: float) -> float:
        """The sign of g(e^x), without overflow."""
        if x <= 0:
            return horner(descending, math.exp(x))  # Σ c_t v^t
        return horner(c, math.exp(-x))  # g(v) / v^n = Σ c_t w^(n - t), w = 1/v

    signs = [flow > 0 for flow in c if flow]
    if sum(a != b for a, b in itertools.pairwise(signs)) == 1:
        # Descartes' rule of signs: one sign change, one root v > 0. It lies in v < 1 (x < 0)
        # when g(1) = Σ c_t has the sign of c_n (g(v) takes c_0's sign near v = 0), else in
        # v > 1: only that side needs searching.
        sides: tuple[int, ...] = (-1,) if (sum(c) > 0) != signs[0] else (1,)
    else:
        sides = (-1, 1)
    bracket = _bracket(h, sides)
    return None if bracket is None else math.expm1(-_brentq(h, *bracket))


def horner(coefficients: Sequence[float], v: float) -> float:
    """Σ coefficients[k] v^(n - k): total = total · v + c for each coefficient in turn."""
    total = 0.0
    for c in coefficients:
        total = total * v + c
    return total


def _bracket(
    h: Callable[[float], float], sides: tuple[int, ...]
) -> tuple[float, float, float, float] | None:
    """Grow outwards from x = 0 (r = 0) on ``sides`` (-1: x < 0, 1: x > 0) in turn, until h
    changes sign: the bracket nearest zero, as (x_low, x_high, h(x_low), h(x_high)); None
    when h keeps its sign."""
    h0 = h(0.0)
    if h0 == 0:
        return (0.0, 0.0, 0.0, 0.0)
    step, left, right = 0.125, (0.0, h0), (0.0, h0)
    while True:
        moved = False
        for side in sides:
            edge = left if side < 0 else right
            x = max(X_MIN, min(X_MAX, side * step))
            if x == edge[0]:
                continue
            moved = True
            hx = h(x)
            if (hx > 0) != (edge[1] > 0) or hx == 0:
                return (x, edge[0], hx, edge[1]) if side < 0 else (edge[0], x, edge[1], hx)
            if side < 0:
                left = (x, hx)
            else:
                right = (x, hx)
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
