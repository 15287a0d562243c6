"""The numeric fields of a /payback request that solve may vary (roi-model.md, "Solve").

Which fields vary, and on what grid, is said by the types (types.py: ``MONEY``, ``WHOLE``,
``FINE`` metadata); this module reads it with ``msgspec.inspect``: where a JSON pointer leads,
the field's grid and schema bounds, the request with it changed, and the table of every
variable field that docs/roi-model.md prints (``table``; tests/unit/test_fields.py holds the
two equal).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Literal

import msgspec
from msgspec import UNSET, Struct
from msgspec.inspect import (
    FloatType,
    IntType,
    ListType,
    Metadata,
    StructType,
    UnionType,
)
from msgspec.structs import replace

from .money import ONE, quantum
from .types import PaybackRequest
from .validate import field_violations

Grid = Literal["money", "whole", "fine"]
FINE_STEP = Decimal("0.000001")
# The request's type as msgspec describes it, bounds and grids included (built once: it takes ms).
REQUEST_TYPE = msgspec.inspect.type_info(PaybackRequest)
NOT_VARIABLE = (
    "is not a field solve can vary: give a money amount, seats, price, users, hours, cost, "
    "realization, an uplift or deal value, a risk or the discount rate (not a count, horizon, "
    "ramp or month)"
)


class Field(Struct, frozen=True):
    """A variable field: where it is, its grid and its schema bounds."""

    path: tuple[str | int, ...]
    grid: Grid
    low: float
    high: float
    low_inclusive: bool
    high_inclusive: bool

    def step(self, minor_unit: int) -> Decimal:
        """The grid step: the currency's minor unit, 1, or 10^-6."""
        return {"money": quantum(minor_unit), "whole": ONE, "fine": FINE_STEP}[self.grid]

    def grid_range(self, step: Decimal) -> tuple[int, int]:
        """The bounds as grid indices: the first and last grid values inside them."""
        low = Decimal(repr(self.low)) / step
        high = Decimal(repr(self.high)) / step
        first = int(low.to_integral_value(ROUND_CEILING))
        last = int(high.to_integral_value(ROUND_FLOOR))
        if not self.low_inclusive and first == low:
            first += 1
        if not self.high_inclusive and last == high:
            last -= 1
        return first, last


def tokens(pointer: str) -> list[str]:
    """RFC 6901: "/a/b~1c" is ["a", "b/c"]."""
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def locate(request: PaybackRequest, pointer: str) -> Field | str:
    """The field the pointer names in this request, or why it cannot be varied. A line's field
    left out (its own risk) can be varied; a part of the request left out cannot."""
    node: Any = request
    kind: Any = REQUEST_TYPE
    path: list[str | int] = []
    for key in tokens(pointer):
        if isinstance(node, list):
            if not key.isdigit() or key != str(int(key)) or int(key) >= len(node):
                return f"{pointer} names no field of this request: no item {key!r}"
            kind, node = _item(kind), node[int(key)]
            path.append(int(key))
        elif isinstance(node, Struct) and key in node.__struct_fields__:
            kind, node = _field(kind, node, key), getattr(node, key)
            path.append(key)
        elif node is UNSET:
            return f"{pointer} names no field of this request: {path[-1]!r} is not given"
        else:
            return f"{pointer} names no field of this request"
    grid, number = grid_of(kind)
    if grid is None or number is None:
        return f"{pointer} {NOT_VARIABLE}"
    if node is UNSET and len(path) == 1:  # a benefit source left out (monthly_benefit)
        return f"{pointer} names no field of this request: {path[0]!r} is not given"
    low = number.ge if number.ge is not None else number.gt
    high = number.le if number.le is not None else number.lt
    # every variable number is bounded both ways
    assert low is not None  # noqa: S101
    assert high is not None  # noqa: S101
    return Field(
        path=tuple(path),
        grid=grid,
        low=low,
        high=high,
        low_inclusive=number.ge is not None,
        high_inclusive=number.le is not None,
    )


def model_range(
    request: PaybackRequest, field: Field, step: Decimal, anchor: int
) -> tuple[int, int]:
    """The field's range as solve and uncertainty read it, as grid indices: its schema bounds,
    narrowed by bisection from ``anchor`` (an index the model accepts) to the values the model
    accepts (an uplift may not lift a conversion past 100 %)."""
    low, high = field.grid_range(step)

    def accepted(k: int) -> bool:
        changed = with_value(request, field.path, float(k * step))
        return not field_violations(changed, field.path)

    return edge(accepted, inside=anchor, outside=low), edge(accepted, inside=anchor, outside=high)


def accepts(request: PaybackRequest, field: Field, value: float) -> bool:
    """The model accepts the request with the field at ``value``."""
    return not field_violations(with_value(request, field.path, value), field.path)


def edge(accepted: Callable[[int], bool], *, inside: int, outside: int) -> int:
    """The accepted grid index furthest towards ``outside`` from ``inside`` (accepted), when
    acceptance holds on one unbroken stretch around ``inside``."""
    if accepted(outside):
        return outside
    while abs(outside - inside) > 1:
        middle = (inside + outside) // 2
        if accepted(middle):
            inside = middle
        else:
            outside = middle
    return inside


def current(request: PaybackRequest, path: tuple[str | int, ...]) -> float | None:
    """The field's value as the request gives it (None when left out)."""
    node: Any = request
    for key in path:
        node = node[key] if isinstance(key, int) else getattr(node, key)
    return None if node is UNSET else float(node)


def grid_of(kind: Any) -> tuple[Grid | None, FloatType | IntType | None]:
    """A field type's grid (None: not variable) and its number type with the bounds."""
    if not isinstance(kind, Metadata) or not isinstance(kind.type, FloatType | IntType):
        return None, None
    return (kind.extra or {}).get("grid"), kind.type


def with_value(request: PaybackRequest, path: tuple[str | int, ...], value: Any) -> Any:
    """The request with the field at ``path`` set to ``value``: a number, or for bulk.py a
    column of samples (the Structs do not check what they hold once decoded)."""

    def put(node: Any, depth: int) -> Any:
        if depth == len(path):
            return value
        key = path[depth]
        if isinstance(key, int):
            return [*node[:key], put(node[key], depth + 1), *node[key + 1 :]]
        return replace(node, **{key: put(getattr(node, key), depth + 1)})

    return put(request, 0)


def variable_pointers(request: PaybackRequest) -> list[str]:
    """Every pointer of this request that solve may vary, in the request's order (a line's
    own risk included, given or not)."""
    found: list[str] = []

    def walk(node: Any, kind: Any, pointer: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, _item(kind), f"{pointer}/{i}")
        elif isinstance(node, Struct):
            for key in node.__struct_fields__:
                walk(getattr(node, key), _field(kind, node, key), f"{pointer}/{key}")
        elif grid_of(kind)[0] is not None and (node is not UNSET or pointer.count("/") > 1):
            found.append(pointer)

    walk(request, REQUEST_TYPE, "")
    return found


def variable_fields() -> list[tuple[str, Grid, str]]:
    """Every variable field of the request type: its pointer ("*" for any list index), grid and
    bounds, in the type's order (the table of docs/roi-model.md)."""
    rows: dict[str, tuple[str, Grid, str]] = {}

    def walk(kind: Any, pointer: str) -> None:
        grid, number = grid_of(kind)
        if grid is not None and number is not None:
            rows.setdefault(pointer, (pointer, grid, _bounds(number)))
            return
        kind = kind.type if isinstance(kind, Metadata) else kind
        for option in kind.types if isinstance(kind, UnionType) else (kind,):
            inner = option.type if isinstance(option, Metadata) else option
            if isinstance(inner, ListType):
                walk(inner.item_type, f"{pointer}/*")
            elif isinstance(inner, StructType):
                for field in inner.fields:
                    walk(field.type, f"{pointer}/{field.name}")

    walk(REQUEST_TYPE, "")
    return list(rows.values())


def table() -> str:
    """variable_fields() as the Markdown table docs/roi-model.md prints."""
    head = "| pointer | grid | range |\n|---|---|---|\n"
    return head + "".join(
        f"| `{p}` | {grid} | {bounds} |\n" for p, grid, bounds in variable_fields()
    )


def _bounds(number: FloatType | IntType) -> str:
    low = f"[{number.ge:g}" if number.ge is not None else f"({number.gt:g}"
    high = f"{number.le:g}]" if number.le is not None else f"{number.lt:g})"
    return f"{low}, {high}"


def _options(kind: Any) -> tuple[Any, ...]:
    """The types a field may take, without their constraints' wrappers."""
    if isinstance(kind, Metadata):
        kind = kind.type
    if isinstance(kind, UnionType):
        return tuple(_options(option)[0] for option in kind.types)
    return (kind,)


def _field(kind: Any, node: Struct, key: str) -> Any:
    """The type of field ``key`` of ``node``, from the struct type (or tagged union) ``kind``."""
    for option in _options(kind):
        if isinstance(option, StructType) and option.cls is type(node):
            return next(field.type for field in option.fields if field.name == key)
    raise TypeError(type(node))  # the request's own type describes every node of it


def _item(kind: Any) -> Any:
    for option in _options(kind):
        if isinstance(option, ListType):
            return option.item_type
    raise TypeError(kind)
