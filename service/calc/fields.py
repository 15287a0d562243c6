"""The numeric fields of a /payback request that solve may vary (roi-model.md, "Solve"): where
a JSON pointer leads, the field's grid, its schema bounds, and the request with it changed."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import msgspec
from msgspec import UNSET, Struct
from msgspec.structs import replace

from .money import ONE, quantum
from .types import PaybackRequest

# The last key of a pointer, and its grid: "money" (the currency's minor unit), "whole" (1) or
# "fine" (10^-6). Counts, horizons, ramps, months and scenario scales are not variable.
GRIDS = {
    "amount": "money",
    "monthly_amount": "money",
    "monthly_benefit": "money",
    "price_per_seat": "money",
    "loaded_hourly_cost": "money",
    "average_deal_value": "money",
    "seats": "whole",
    "users": "whole",
    "hours_saved_per_user_per_month": "fine",
    "realization": "fine",
    "uplift": "fine",
    "average_deal_value_uplift": "fine",
    "gross_margin": "fine",
    "risk": "fine",
    "benefits": "fine",  # /risk_adjustment/benefits (the benefit lines are a list, not a number)
    "costs": "fine",  # /risk_adjustment/costs
    "annual_discount_rate": "fine",
    "annual_escalation": "fine",
}
SCHEDULE_ROWS = ("costs", "benefits", "amounts")  # a schedule's amounts are money
FINE = Decimal("0.000001")
# The request's type as msgspec describes it, bounds included (built once: it takes ms).
REQUEST_TYPE = msgspec.inspect.type_info(PaybackRequest)


class Field(Struct, frozen=True):
    """A variable field: where it is, its grid step, and its bounds on that grid."""

    path: tuple[str | int, ...]
    step: Decimal
    low: Decimal
    high: Decimal


def tokens(pointer: str) -> list[str]:
    """RFC 6901: "/a/b~1c" is ["a", "b/c"]."""
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def locate(request: PaybackRequest, pointer: str, minor_unit: int) -> Field | str:
    """The field the pointer names, or why it cannot be varied."""
    node: Any = request
    kind: Any = REQUEST_TYPE
    path: list[str | int] = []
    keys = tokens(pointer)
    for depth, key in enumerate(keys):
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                return f"{pointer} names no field of this request: no item {key!r}"
            node, kind = node[int(key)], _item_type(kind, node[int(key)])
            path.append(int(key))
            continue
        if not isinstance(node, Struct) or key not in node.__struct_fields__:
            return f"{pointer} names no field of this request"
        kind = _field_type(kind, node, key)
        node = getattr(node, key)
        path.append(key)
        if node is UNSET and depth < len(keys) - 1:
            return f"{pointer} names no field of this request: {key!r} is not given"
    last, parent = path[-1] if path else "", path[-2] if len(path) > 1 else ""
    grid = GRIDS.get(last) if isinstance(last, str) else None
    if isinstance(last, int) and parent in SCHEDULE_ROWS and "schedule" in path:
        grid = "money"
    if last in ("benefits", "costs") and parent != "risk_adjustment":
        grid = None
    number = _number_type(kind)
    if grid is None or number is None:
        return (
            f"{pointer} is not a field solve can vary: give a money amount, seats, price, "
            "users, hours, cost, realization, an uplift or deal value, a risk or the discount "
            "rate (not a count, horizon, ramp or month)"
        )
    step = {"money": quantum(minor_unit), "whole": ONE, "fine": FINE}[grid]
    low = _bound(number.ge, number.gt, step, ROUND_CEILING)
    high = _bound(number.le, number.lt, step, ROUND_FLOOR)
    return Field(path=tuple(path), step=step, low=low, high=high)


def with_value(request: PaybackRequest, path: tuple[str | int, ...], value: float) -> Any:
    """The request with the field at ``path`` set to ``value``."""

    def put(node: Any, depth: int) -> Any:
        if depth == len(path):
            return value
        key = path[depth]
        if isinstance(key, int):
            return [*node[:key], put(node[key], depth + 1), *node[key + 1 :]]
        return replace(node, **{key: put(getattr(node, key), depth + 1)})

    return put(request, 0)


def _bound(inclusive: float | None, strict: float | None, step: Decimal, rounding: str) -> Decimal:
    """The bound on the grid: the first grid value inside it."""
    if inclusive is not None:
        edge = Decimal(repr(inclusive)).quantize(step, rounding)
        return edge
    assert strict is not None  # noqa: S101  every variable number is bounded both ways
    edge = Decimal(repr(strict)).quantize(step, rounding)
    if edge == Decimal(repr(strict)):
        edge += step if rounding == ROUND_CEILING else -step
    return edge


def _options(kind: Any) -> tuple[Any, ...]:
    """The types a field may take, without their constraints' wrappers."""
    if isinstance(kind, msgspec.inspect.Metadata):
        kind = kind.type
    if isinstance(kind, msgspec.inspect.UnionType):
        return tuple(_options(option)[0] for option in kind.types)
    return (kind,)


def _field_type(kind: Any, node: Struct, key: str) -> Any:
    """The type of field ``key`` of ``node``, from the struct type (or tagged union) ``kind``."""
    kind = _struct_type(kind, node)
    return next(field.type for field in kind.fields if field.name == key)


def _struct_type(kind: Any, node: Struct) -> Any:
    for option in _options(kind):
        if isinstance(option, msgspec.inspect.StructType) and option.cls is type(node):
            return option
    return msgspec.inspect.type_info(type(node))


def _item_type(kind: Any, item: Any) -> Any:
    for option in _options(kind):
        if isinstance(option, msgspec.inspect.ListType):
            return option.item_type
    return msgspec.inspect.type_info(type(item))


def _number_type(kind: Any) -> Any:
    for option in _options(kind):
        if isinstance(option, msgspec.inspect.FloatType | msgspec.inspect.IntType):
            return option
    return None
