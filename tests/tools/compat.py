"""Backward compatibility of the contract: ``breaks(old, new)`` lists what a client built on the
old document could no longer rely on in the new one, each naming where.

A break is a removed path, operation or answer field; a changed or narrowed type; a narrowed
request bound (minimum, maximum, their exclusive forms, lengths, item counts, a pattern, a
request enum's values); an added required request field (or parameter); an enum value removed
from an answer. A new major version (info.version) may break anything. $refs are followed.

Additions pass: a new path, a new optional request field, a new answer field, a new variant of an
answer (a client that does not ask for it, e.g. ``?view=summary``, still gets the old one).

``python -m tests.tools.compat OLD NEW`` prints the breaks (exit 1 when there are any).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

Schema = dict[str, Any]
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_AT_MOST = ("maximum", "maxLength", "maxItems", "maxProperties")  # narrowed when lowered
_AT_LEAST = ("minimum", "minLength", "minItems", "minProperties")  # narrowed when raised


def major(document: dict[str, Any]) -> int:
    """The major number of info.version ("1.4.0" -> 1)."""
    return int(str(document["info"]["version"]).split(".", 1)[0])


def breaks(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every way ``new`` breaks a client of ``old`` (none when the major version was raised)."""
    if major(new) > major(old):
        return []
    found: list[str] = []
    for path, old_item in old.get("paths", {}).items():
        new_item = new.get("paths", {}).get(path)
        if new_item is None:
            found.append(f"{path}: path removed")
            continue
        for method in _METHODS:
            if method not in old_item:
                continue
            where = f"{method.upper()} {path}"
            if method not in new_item:
                found.append(f"{where}: operation removed")
                continue
            _Compare(old, new, found).operation(old_item[method], new_item[method], where)
    return found


class _Compare:
    def __init__(self, old: dict[str, Any], new: dict[str, Any], found: list[str]) -> None:
        self.old, self.new, self.found = old, new, found
        self.seen: set[tuple[str, str, str]] = set()  # (old $ref, new $ref, side): cycles

    def operation(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        old_params = {(p["in"], p["name"]): p for p in old.get("parameters", [])}
        for param in new.get("parameters", []):
            key = (param["in"], param["name"])
            if key not in old_params and param.get("required"):
                self.found.append(f"{where}: required {key[0]} parameter {key[1]} added")
            elif key in old_params:
                self.schema(
                    old_params[key].get("schema", {}),
                    param.get("schema", {}),
                    f"{where} {key[0]} parameter {key[1]}",
                    "request",
                )
        old_body, new_body = old.get("requestBody"), new.get("requestBody")
        if new_body and new_body.get("required") and not (old_body and old_body.get("required")):
            self.found.append(f"{where}: request body now required")
        for media, content in ((old_body or {}).get("content") or {}).items():
            new_content = ((new_body or {}).get("content") or {}).get(media)
            if new_content is None:
                self.found.append(f"{where}: request media type {media} removed")
                continue
            self.schema(
                content.get("schema", {}),
                new_content.get("schema", {}),
                f"{where} request",
                "request",
            )
        for status, answer in old.get("responses", {}).items():
            if not status.startswith("2"):
                continue
            new_answer = new.get("responses", {}).get(status)
            if new_answer is None:
                self.found.append(f"{where}: answer {status} removed")
                continue
            for media, content in (answer.get("content") or {}).items():
                new_content = (new_answer.get("content") or {}).get(media)
                here = f"{where} {status} answer"
                if new_content is None:
                    self.found.append(f"{here}: media type {media} removed")
                    continue
                self.schema(
                    content.get("schema", {}), new_content.get("schema", {}), here, "answer"
                )

    # ---- schemas ---------------------------------------------------------------------------

    def resolve(self, document: dict[str, Any], schema: Schema) -> Schema:
        while "$ref" in schema:
            node: Any = document
            for token in schema["$ref"].lstrip("#/").split("/"):
                node = node[token.replace("~1", "/").replace("~0", "~")]
            schema = node
        return schema

    def schema(self, old: Schema, new: Schema, where: str, side: str) -> None:
        key = (old.get("$ref", ""), new.get("$ref", ""), side)
        if key[0] and key[1]:
            if key in self.seen:
                return
            self.seen.add(key)
        if side == "answer" and self.nullable(self.new, new) and not self.nullable(self.old, old):
            self.found.append(f"{where}: may now be null")
        if side == "request" and self.nullable(self.old, old) and not self.nullable(self.new, new):
            self.found.append(f"{where}: null no longer accepted")
        old_variants, new_variants = self.variants(self.old, old), self.variants(self.new, new)
        if len(old_variants) == 1 and len(new_variants) == 1:
            old_one, new_one = old_variants[0], new_variants[0]
            self.one(self.resolve(self.old, old_one), self.resolve(self.new, new_one), where, side)
            return
        for i, variant in enumerate(old_variants):
            match = self.match(variant, new_variants, i, len(old_variants))
            name = variant.get("$ref", f"#{i}").rsplit("/", 1)[-1]
            if match is None:
                self.found.append(f"{where}: variant {name} removed")
            else:
                self.schema(variant, match, where, side)

    def variants(self, document: dict[str, Any], schema: Schema) -> list[Schema]:
        """A union's members (null aside), or the schema itself."""
        resolved = self.resolve(document, schema)
        for key in ("oneOf", "anyOf"):
            members = [m for m in resolved.get(key, []) if m != {"type": "null"}]
            if members:
                return members
        return [schema]

    @staticmethod
    def match(variant: Schema, candidates: list[Schema], index: int, count: int) -> Schema | None:
        if "$ref" in variant:
            return next((c for c in candidates if c.get("$ref") == variant["$ref"]), None)
        inline = [c for c in candidates if "$ref" not in c]
        return inline[index] if len(inline) == count and index < len(inline) else None

    def nullable(self, document: dict[str, Any], schema: Schema) -> bool:
        resolved = self.resolve(document, schema)
        kind = resolved.get("type")
        members = resolved.get("anyOf", []) + resolved.get("oneOf", [])
        return (
            bool(resolved.get("nullable"))
            or (isinstance(kind, list) and "null" in kind)
            or kind == "null"
            or {"type": "null"} in members
        )

    def one(self, old: Schema, new: Schema, where: str, side: str) -> None:
        """One resolved schema against its new form."""
        self.types(old, new, where, side)
        if side == "request":
            self.bounds(old, new, where)
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum is not None:
            removed = [v for v in old_enum if v not in (new_enum or old_enum)]
            if removed:
                self.found.append(f"{where}: enum values {removed} removed")
        elif side == "request" and new_enum is not None:
            self.found.append(f"{where}: enum {new_enum} added")
        self.properties(old, new, where, side)
        for key in ("items", "additionalProperties"):
            if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
                self.schema(old[key], new[key], f"{where}{'[]' if key == 'items' else '{}'}", side)
        closed = old.get("additionalProperties") is not False is new.get("additionalProperties")
        if side == "request" and closed and "properties" in old:
            self.found.append(f"{where}: unknown fields now refused")
        for i, member in enumerate(old.get("allOf", [])):
            if "$ref" in member and i < len(new.get("allOf", [])):
                self.schema(member, new["allOf"][i], where, side)

    def types(self, old: Schema, new: Schema, where: str, side: str) -> None:
        def kinds(schema: Schema) -> set[str]:
            kind = schema.get("type")
            found = set(kind) if isinstance(kind, list) else {kind} if kind else set()
            return found - {"null"}

        old_kinds, new_kinds = kinds(old), kinds(new)
        if not old_kinds or not new_kinds:
            return
        # integer is a number: a request may widen to number, an answer may narrow to integer
        wider, narrower = (new_kinds, old_kinds) if side == "request" else (old_kinds, new_kinds)
        if "number" in wider:
            wider = wider | {"integer"}
        if not narrower <= wider:
            change = "narrowed" if new_kinds <= old_kinds | {"integer"} else "changed"
            before, after = sorted(old_kinds), sorted(new_kinds)
            self.found.append(f"{where}: type {change} from {before} to {after}")

    def bounds(self, old: Schema, new: Schema, where: str) -> None:
        for key in _AT_MOST + _AT_LEAST:
            before, after = self.bound(old, key), self.bound(new, key)
            if after is None or before == after:
                continue
            lower = key in _AT_LEAST
            if before is None or (after > before if lower else after < before):
                change = f"from {self.show(before)} to {self.show(after)}"
                self.found.append(f"{where}: {key} narrowed {change}")
        if new.get("pattern") is not None and new.get("pattern") != old.get("pattern"):
            change = f"from {old.get('pattern')!r} to {new['pattern']!r}"
            self.found.append(f"{where}: pattern changed {change}")

    @staticmethod
    def bound(schema: Schema, key: str) -> tuple[float, int] | None:
        """A bound with its strictness, ordered so that a larger value is a higher bound:
        (x, 1) is just above x for an exclusive minimum, (x, -1) just below for an exclusive
        maximum. 3.1's numeric and 3.0's boolean exclusive forms alike."""
        if key not in ("minimum", "maximum"):
            return None if key not in schema else (schema[key], 0)
        exclusive_key = "exclusiveMinimum" if key == "minimum" else "exclusiveMaximum"
        step = 1 if key == "minimum" else -1
        candidates = []
        if key in schema:
            strict = schema.get(exclusive_key) is True
            candidates.append((schema[key], step if strict else 0))
        exclusive = schema.get(exclusive_key)
        if exclusive is not None and not isinstance(exclusive, bool):
            candidates.append((exclusive, step))
        if not candidates:
            return None
        return max(candidates) if key == "minimum" else min(candidates)

    @staticmethod
    def show(bound: tuple[float, int] | None) -> str:
        if bound is None:
            return "none"
        return f"{bound[0]}{' (exclusive)' if bound[1] else ''}"

    def properties(self, old: Schema, new: Schema, where: str, side: str) -> None:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        for name, prop in old_props.items():
            here = f"{where}/{name}"
            if name not in new_props:
                if side == "answer":
                    self.found.append(f"{here}: answer field removed")
                elif new.get("additionalProperties") is False:
                    self.found.append(f"{here}: request field removed (now refused)")
                continue
            if side == "answer" and name in old_required and name not in new_required:
                self.found.append(f"{here}: answer field no longer always present")
            self.schema(prop, new_props[name], here, side)
        if side == "request":
            for name in sorted(new_required - old_required):
                self.found.append(f"{where}/{name}: required request field added")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    old, new = (json.loads(Path(path).read_text()) for path in args)
    found = breaks(old, new)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
