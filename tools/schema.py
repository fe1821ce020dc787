"""JSON schema of tool arguments: built from a plain function's signature, and checked at call time.

A tool function looks like `def view(ws, path: str, start: int | None = None) -> str` with a
Google-style docstring. The first parameter (the workspace) is skipped; keyword-only parameters
(after `*`) are settings bound from config when the tool is made and never reach the schema.
Supported annotations: str, int, float, bool, list[str] (any list of those), Literal[...],
X | None. A parameter with a default is optional.
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Literal

from core.types import ToolSpec

JSON_TYPES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
"""Python annotations and the JSON schema types they become."""

SECTION_HEADERS = ("Args:", "Arguments:", "Returns:", "Raises:", "Yields:", "Examples:", "Example:", "Note:")
"""Google-style docstring section headers; text before the first one is the tool's description."""

_ARG_LINE = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def spec_from_function(fn: Callable[..., Any], name: str | None = None) -> ToolSpec:
    """The ToolSpec of `fn`: its name, the docstring's description, and an object schema of its arguments."""
    description, arg_docs = parse_docstring(inspect.getdoc(fn) or "")
    hints = typing.get_type_hints(fn)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in model_parameters(fn):
        if param.name not in hints:
            raise TypeError(f"{fn.__name__}: parameter {param.name!r} needs a type annotation")
        schema = annotation_schema(hints[param.name])
        if param.name in arg_docs:
            schema["description"] = arg_docs[param.name]
        if param.default is inspect.Parameter.empty:
            required.append(param.name)
        elif param.default is not None:
            schema["default"] = param.default
        properties[param.name] = schema
    parameters: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        parameters["required"] = required
    return ToolSpec(name=name or fn.__name__, description=description, parameters=parameters)


def model_parameters(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    """The parameters the model fills in: all but the first (the workspace) and the keyword-only settings."""
    params = list(inspect.signature(fn).parameters.values())[1:]
    return [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY)]


def setting_names(fn: Callable[..., Any]) -> set[str]:
    """Names of `fn`'s keyword-only parameters: the settings bound from config."""
    return {p.name for p in inspect.signature(fn).parameters.values() if p.kind is p.KEYWORD_ONLY}


def annotation_schema(annotation: Any) -> dict[str, Any]:
    """The JSON schema of one supported annotation."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise TypeError(f"unsupported union {annotation!r}: only `X | None` is allowed")
        return annotation_schema(rest[0])
    if origin is Literal:
        kinds = {JSON_TYPES[type(a)] for a in args}
        if len(kinds) != 1:
            raise TypeError(f"Literal values must share one type: {annotation!r}")
        return {"type": kinds.pop(), "enum": list(args)}
    if origin is list:
        return {"type": "array", "items": annotation_schema(args[0]) if args else {}}
    if annotation in JSON_TYPES:
        return {"type": JSON_TYPES[annotation]}
    raise TypeError(f"unsupported annotation {annotation!r}")


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into (description, {argument: description})."""
    lines = doc.splitlines()
    cut = next((i for i, line in enumerate(lines) if line.strip() in SECTION_HEADERS), len(lines))
    paragraphs = "\n".join(lines[:cut]).strip().split("\n\n")
    description = "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)
    arg_docs: dict[str, str] = {}
    in_args = False
    current: str | None = None
    arg_indent = 0
    for line in lines[cut:]:
        stripped = line.strip()
        if stripped in SECTION_HEADERS:
            in_args = stripped in ("Args:", "Arguments:")
            current = None
            continue
        if not in_args or not stripped:
            continue
        match = _ARG_LINE.match(stripped)
        # A new argument starts at the section's own indentation; deeper lines continue the last one.
        if match and (current is None or _indent(line) <= arg_indent):
            current = match.group(1).lstrip("*")
            arg_docs[current] = match.group(2).strip()
            arg_indent = _indent(line)
        elif current is not None:
            arg_docs[current] = f"{arg_docs[current]} {stripped}".strip()
    return description, arg_docs


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# --- checking arguments against a schema -----------------------------------------------------------

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def check_arguments(schema: dict[str, Any], args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate `args` against an object schema, coercing the obvious slips ("3" for an integer).

    Returns the (coerced) arguments and a list of problems, each a short phrase; `null` for an
    optional argument means "not given".
    """
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


def coerce(value: Any, schema: dict[str, Any]) -> tuple[bool, Any]:
    """(True, value converted to the schema's type) when it fits or obviously means it, else (False, value)."""
    kind = schema.get("type")
    ok, value = _coerce_type(value, kind, schema)
    if ok and "enum" in schema and value not in schema["enum"]:
        return False, value
    return ok, value


def _coerce_type(value: Any, kind: Any, schema: dict[str, Any]) -> tuple[bool, Any]:  # noqa: C901 - one branch per type
    if kind is None:
        return True, value
    if kind == "string":
        if isinstance(value, str):
            return True, value
        return (True, str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else (False, value)
    if kind == "boolean":
        if isinstance(value, bool):
            return True, value
        text = str(value).strip().lower()
        return (True, text in _TRUE) if text in _TRUE | _FALSE else (False, value)
    if kind in ("integer", "number"):
        return _coerce_number(value, kind)
    if kind == "array":
        if isinstance(value, str):
            value = _maybe_json_list(value)
        if not isinstance(value, list):
            return False, value
        items = [coerce(v, schema.get("items", {})) for v in value]
        return all(ok for ok, _ in items), [v for _, v in items]
    if kind == "object":
        return isinstance(value, dict), value
    return True, value


def _coerce_number(value: Any, kind: str) -> tuple[bool, Any]:
    if isinstance(value, bool):
        return False, value
    if isinstance(value, str):
        try:
            value = float(value.strip()) if kind == "number" or "." in value else int(value.strip())
        except ValueError:
            return False, value
    if kind == "number":
        return isinstance(value, int | float), value
    if isinstance(value, float) and value.is_integer():
        return True, int(value)
    return isinstance(value, int), value


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
