"""How OpenAI-compatible servers treat `response_format`, for the fake server.

Servers that run open models enforce a JSON schema as a grammar: whatever the model would have said,
the reply is an instance of the schema. They differ in the shape they take it in:
- `json_object`: llama-cpp-python's server takes `{"type": "json_object", "schema": S}` and rejects
  `{"type": "json_schema", ...}` with a 422 (its request model only knows `text` and `json_object`);
- `json_schema`: vLLM and LM Studio take OpenAI's `{"type": "json_schema", "json_schema": {"schema": S}}`;
  a `json_object` request gets JSON, but its schema is not enforced;
- `both`: llama.cpp's own server takes either;
- `none`: a server that rejects `response_format` with a 400;
- `ignore`: a server that accepts and ignores it.
"""

from __future__ import annotations

from typing import Any, Literal

import jsonschema

SchemaSupport = Literal["json_object", "json_schema", "both", "none", "ignore"]
"""Which `response_format` shapes a fake server enforces (see the module docstring)."""


class Rejected(Exception):
    """The server refuses the request's `response_format`; carries the HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def enforced_schema(body: Any, support: SchemaSupport) -> dict[str, Any] | None:
    """The schema the server will enforce for this request body (None: nothing enforced); Rejected if refused."""
    fmt = body.get("response_format") if isinstance(body, dict) else None
    if not isinstance(fmt, dict) or fmt.get("type") in (None, "text"):
        return None
    if support == "ignore":
        return None
    if support == "none":
        raise Rejected(400, "response_format is not supported by this server")
    kind = fmt.get("type")
    if kind == "json_schema":
        if support == "json_object":
            raise Rejected(422, "body -> response_format -> type: Input should be 'text' or 'json_object'")
        return (fmt.get("json_schema") or {}).get("schema") or {}
    if kind == "json_object":
        return fmt.get("schema") if support in ("json_object", "both") else None
    raise Rejected(422, f"body -> response_format -> type: unknown type {kind!r}")


def conforms(text: str | None, schema: dict[str, Any]) -> bool:
    """True when `text` is JSON and an instance of `schema`."""
    import json

    try:
        jsonschema.validate(json.loads(text or ""), schema)
    except (ValueError, jsonschema.ValidationError):
        return False
    return True


def minimal_instance(schema: dict[str, Any]) -> Any:
    """The smallest instance of `schema` a grammar would let through (first choices, required fields only)."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return minimal_instance(schema[key][0])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: minimal_instance(properties.get(name, {})) for name in schema.get("required", [])}
    return {"string": "", "integer": 0, "number": 0, "boolean": False, "array": [], "null": None}.get(kind, "")
