"""JSON schema of tool arguments: built from a plain function's signature, and checked at call time. The first
parameter (the workspace) and keyword-only ones (settings) are left out; pydantic writes the schema from the
annotations, docstring_parser reads the Google-style descriptions; a parameter with a default is optional."""

from __future__ import annotations

import functools
import inspect
import json
import typing
from collections.abc import Callable
from typing import Any

import docstring_parser
import pydantic

from core.types import ToolSpec

SCALARS = {"string", "integer", "number", "boolean"}
"""JSON types a tool argument (or a list's items) may have."""


def spec_from_function(fn: Callable[..., Any], name: str | None = None) -> ToolSpec:
    """The ToolSpec of `fn`: its name, the docstring's description (docstring_parser reads it), and an object schema
    of its arguments (pydantic writes it from the signature, then `X | None` becomes plain X)."""
    doc = docstring_parser.parse(inspect.getdoc(fn) or "")
    described = {param.arg_name: _joined(param.description or "") for param in doc.params}
    hints = typing.get_type_hints(fn)
    fields: dict[str, Any] = {}
    for param in model_parameters(fn):
        if param.name not in hints:
            raise TypeError(f"{fn.__name__}: parameter {param.name!r} needs a type annotation")
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (hints[param.name], pydantic.Field(default, description=described.get(param.name)))
    try:
        schema = pydantic.create_model(f"{fn.__name__}_arguments", **fields).model_json_schema()
    except pydantic.PydanticUserError as exc:
        raise TypeError(f"{fn.__name__}: {exc}") from None
    properties = {key: _plain(fn, key, value) for key, value in schema.get("properties", {}).items()}
    parameters: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    required = [key for key in properties if fields[key][1].is_required()]
    if required:
        parameters["required"] = required
    description = "\n\n".join(_joined(part) for part in (doc.short_description, doc.long_description) if part)
    return ToolSpec(name=name or fn.__name__, description=description, parameters=parameters)


def _plain(fn: Callable[..., Any], key: str, schema: dict[str, Any]) -> dict[str, Any]:
    """One property as tools need it (no title, `X | None` as X, no `null` default); TypeError: object or union."""
    options = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    if len(options) > 1:
        raise TypeError(f"{fn.__name__}: {key!r} is a union; only `X | None` is allowed")
    plain = {**(options[0] if options else {}), **{k: v for k, v in schema.items() if k != "title"}}
    if plain.get("default", 0) is None:
        del plain["default"]
    kind, items = plain.get("type"), plain.get("items", {})
    if kind not in SCALARS and not (kind == "array" and items.get("type") in SCALARS):
        raise TypeError(f"{fn.__name__}: {key!r} has an unsupported type ({kind or 'any'})")
    return plain


def _joined(text: str) -> str:
    """Paragraphs kept, the lines inside each joined by spaces."""
    return "\n\n".join(" ".join(line.strip() for line in part.splitlines()) for part in text.strip().split("\n\n"))


def model_parameters(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    """The parameters the model fills in: all but the first (the workspace) and the keyword-only settings."""
    params = list(inspect.signature(fn).parameters.values())[1:]
    return [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY)]


def setting_names(fn: Callable[..., Any]) -> set[str]:
    """Names of `fn`'s keyword-only parameters: the settings bound from config."""
    return {p.name for p in inspect.signature(fn).parameters.values() if p.kind is p.KEYWORD_ONLY}


def check_arguments(schema: dict[str, Any], args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate `args` against an object schema, coercing the obvious slips ("3" for an integer): the (coerced)
    arguments and a list of problems, each a short phrase. `null` for an optional argument means "not given"."""
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    problems: list[str] = []
    unknown = [name for name in args if name not in properties]
    if unknown and schema.get("additionalProperties", True) is False:
        expected = ", ".join(properties) or "none"
        problems += [f"unknown argument {name!r} (expected: {expected})" for name in unknown]
    checked: dict[str, Any] = {}
    for name, value in args.items():
        if name not in properties:
            continue
        if value is None and name not in required:
            continue
        ok, coerced = coerce(value, properties[name])
        if ok:
            checked[name] = coerced
        else:
            problems.append(f"{name!r} must be {describe(properties[name])}, got {json.dumps(value)[:80]}")
    problems += [f"missing required argument {name!r}" for name in properties if name in required and name not in args]
    return checked, problems


_TYPES = {"string": str, "integer": int, "number": float, "boolean": bool, "object": dict}


def coerce(value: Any, schema: dict[str, Any]) -> tuple[bool, Any]:
    """(True, value converted to the schema's type) when it fits or obviously means it, else (False, value). pydantic's
    lax mode converts ("3" -> 3, 4.0 -> 4, 7 -> "7", "yes" -> True); a boolean is never a number, and a string
    given for a list is its JSON or its one item."""
    kind = schema.get("type")
    if kind == "array":
        items = _maybe_json_list(value) if isinstance(value, str) else value
        if not isinstance(items, list):
            return False, value
        coerced = [coerce(item, schema.get("items", {})) for item in items]
        return all(ok for ok, _ in coerced), [item for _, item in coerced]
    if kind in _TYPES:
        if isinstance(value, bool) and kind in ("integer", "number"):
            return False, value
        if isinstance(value, str) and kind != "string":
            value = value.strip()
        try:
            value = _adapter(kind).validate_python(value)
        except pydantic.ValidationError:
            return False, value
    return "enum" not in schema or value in schema["enum"], value


@functools.cache
def _adapter(kind: str) -> pydantic.TypeAdapter:
    return pydantic.TypeAdapter(_TYPES[kind], config=pydantic.ConfigDict(coerce_numbers_to_str=True))


def _maybe_json_list(text: str) -> Any:
    if text.strip().startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return [text]


def describe(schema: dict[str, Any]) -> str:
    """A short phrase for a schema: 'an integer', 'one of "a", "b"', 'a list of strings'."""
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type", "any value")
    if kind == "array":
        return f"a list of {schema.get('items', {}).get('type', 'value')}s"
    return {"integer": "an integer", "object": "an object", "any value": "any value"}.get(kind, f"a {kind}")


def signature_line(spec: ToolSpec) -> str:
    """A one-line reminder of how to call a tool: `view(path: string, start?: integer, end?: integer)`."""
    props: dict[str, Any] = spec.parameters.get("properties", {})
    required = set(spec.parameters.get("required", []))
    parts = [f"{n}{'' if n in required else '?'}: {s.get('type', 'any')}" for n, s in props.items()]
    return f"{spec.name}({', '.join(parts)})"
