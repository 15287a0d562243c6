"""The contract rendered as OpenAPI 3.0.3, for the platforms that import only 3.0 (Salesforce's
External Services among them).

``to_openapi_30`` is a pure function of the 3.1 document (service/http/openapi.py builds it), so
both say the same thing. What 3.0 cannot say is said its way: ``nullable: true`` instead of
``"null"`` in a type or an ``anyOf``, a boolean ``exclusiveMinimum``/``exclusiveMaximum`` beside
``minimum``/``maximum``, a one-value ``enum`` for ``const``, one ``example`` for ``examples``.
A keyword 3.0 has no word for raises ``ValueError`` naming where it is, so the 3.0 document can
never silently drift from the 3.1 one.

One rule is left to the descriptions: the presence rules (``not`` inside an ``allOf``, such as
"exactly one benefit source"), because External Services refuses ``not``. The server still
enforces them (a 422 naming the field).
"""

from __future__ import annotations

import copy
from typing import Any

from litestar import Request, Response, get

VERSION = "3.0.3"
MEDIA_TYPE = "application/vnd.oai.openapi+json"

# Every keyword of a 3.0 Schema Object (OpenAPI 3.0.3, 4.7.24); x- extensions are allowed too.
_SCHEMA_30 = frozenset(
    {
        "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
        "maxProperties", "minProperties", "required", "enum", "type", "allOf", "oneOf", "anyOf",
        "not", "items", "properties", "additionalProperties", "description", "format",
        "default", "nullable", "discriminator", "readOnly", "writeOnly", "example",
        "externalDocs", "deprecated", "xml", "$ref",
    }
)  # fmt: skip
# Keywords that only decide which fields must or must not be present.
_PRESENCE = frozenset({"required", "not", "anyOf", "oneOf", "allOf"})
_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}


def to_openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """The same contract as OpenAPI 3.0.3 (a new document; the 3.1 one is left as it is)."""
    doc = copy.deepcopy(document)
    if doc.get("webhooks") or doc.get("components", {}).get("pathItems"):
        raise ValueError("webhooks and components.pathItems have no OpenAPI 3.0 form")
    doc["openapi"] = VERSION
    doc.pop("jsonSchemaDialect", None)
    doc.pop("webhooks", None)
    info = doc.get("info", {})
    info.pop("summary", None)  # 3.1 only
    if "license" in info:
        info["license"].pop("identifier", None)  # 3.1 only: 3.0 has the url
    components = doc.get("components", {})
    components.pop("pathItems", None)
    schemas = components.get("schemas", {})
    for name, schema in schemas.items():
        schemas[name] = _schema(schema, f"#/components/schemas/{name}", schemas)
    for path, item in doc.get("paths", {}).items():
        _schemas_in(item, f"#/paths/{_escape(path)}", schemas)
    return doc


def _schemas_in(node: Any, where: str, schemas: dict[str, Any]) -> None:
    """Convert each schema under a path item: media types' and parameters' ``schema``."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}/{_escape(key)}"
            if key == "schema" and isinstance(value, dict):
                node[key] = _schema(value, here, schemas)
            elif key != "examples":  # examples are data, whatever their keys
                _schemas_in(value, here, schemas)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _schemas_in(value, f"{where}/{i}", schemas)


def _schema(schema: dict[str, Any], where: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """One schema and everything inside it, as 3.0 says it."""
    out = dict(schema)
    if "$ref" in out and len(out) > 1:
        # 3.0 ignores a $ref's siblings: keep them beside the reference, inside allOf
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    _nullable(out, where, schemas)
    _keywords(out)
    for key in ("properties",):
        if key in out:
            out[key] = {
                name: _schema(sub, f"{where}/{key}/{_escape(name)}", schemas)
                for name, sub in out[key].items()
            }
    for key in ("items", "additionalProperties", "not"):
        if isinstance(out.get(key), dict):
            out[key] = _schema(out[key], f"{where}/{key}", schemas)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in out:
            out[key] = [
                _schema(sub, f"{where}/{key}/{i}", schemas) for i, sub in enumerate(out[key])
            ]
    unknown = sorted(k for k in out if k not in _SCHEMA_30 and not k.startswith("x-"))
    if unknown:
        raise ValueError(f"{where}: no OpenAPI 3.0 form for {', '.join(unknown)}")
    if "not" in out:
        raise ValueError(f"{where}: 'not' outside a presence rule (External Services refuses it)")
    return out


def _keywords(out: dict[str, Any]) -> None:
    """const, examples, numeric exclusive bounds, an untyped enum, an empty required, and the
    presence rules, in one schema (not the ones inside it)."""
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if "examples" in out:
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        _exclusive(out, bound, exclusive)
    if "enum" in out and "type" not in out:
        kinds = {_JSON_TYPES.get(type(value)) for value in out["enum"]}
        if len(kinds) == 1 and None not in kinds:
            out["type"] = kinds.pop()
    if out.get("required") == []:
        del out["required"]  # 3.0 wants at least one name
    if "allOf" in out:
        out["allOf"] = [member for member in out["allOf"] if not _presence_rule(member)]
        if not out["allOf"]:
            del out["allOf"]


def _nullable(out: dict[str, Any], where: str, schemas: dict[str, Any]) -> None:
    """``type: [T, "null"]`` and ``anyOf: [..., {type: null}]`` become ``nullable: true``."""
    kind = out.get("type")
    if isinstance(kind, list):
        others = [t for t in kind if t != "null"]
        if len(others) != 1:
            raise ValueError(f"{where}: type {kind} has no OpenAPI 3.0 form")
        out["type"] = others[0]
        if len(others) < len(kind):
            out["nullable"] = True
    elif kind == "null":
        raise ValueError(f"{where}: type null alone has no OpenAPI 3.0 form")
    for key in ("anyOf", "oneOf"):
        members = out.get(key)
        if not members or {"type": "null"} not in members:
            continue
        rest = [member for member in members if member != {"type": "null"}]
        out["nullable"] = True
        if len(rest) > 1:
            out[key] = rest
            continue
        del out[key]
        (only,) = rest
        if "$ref" in only:
            # 3.0.3 reads nullable only beside a type: say the referenced schema's
            out["allOf"] = [only]
            target = schemas.get(only["$ref"].rsplit("/", 1)[-1], {})
            if isinstance(target.get("type"), str):
                out.setdefault("type", target["type"])
        else:
            for name, value in only.items():
                out.setdefault(name, value)  # the outer description and default win


def _exclusive(out: dict[str, Any], bound: str, exclusive: str) -> None:
    """3.1's ``exclusiveMinimum: x`` is 3.0's ``minimum: x`` with ``exclusiveMinimum: true``."""
    value = out.get(exclusive)
    if isinstance(value, bool) or value is None:
        return
    inclusive = out.get(bound)
    tighter = inclusive is not None and (
        inclusive > value if bound == "minimum" else inclusive < value
    )
    if tighter:  # the inclusive bound already excludes the exclusive one
        del out[exclusive]
    else:
        out[bound] = value
        out[exclusive] = True


def _presence_rule(schema: Any) -> bool:
    """A schema that only says which fields must or must not be present (no type, no bound)."""
    if not isinstance(schema, dict) or not schema or not set(schema) <= _PRESENCE:
        return False
    subschemas = [schema["not"]] if "not" in schema else []
    for key in ("anyOf", "oneOf", "allOf"):
        subschemas += schema.get(key, [])
    return all(_presence_rule(sub) for sub in subschemas)


def _escape(token: str) -> str:
    """A JSON pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


@get("/schema/openapi-3.0.json", name="openapi_3_0", sync_to_thread=False)
def openapi_30_json(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The contract as OpenAPI 3.0.3 (openapi/openapi-3.0.json)."""
    return Response(request.app.state.contract_3_0, media_type=MEDIA_TYPE)
