"""The text protocol for models without native tool calling: one ```json `{"tool": NAME, "args": {...}}` action per
reply (under `json`, the bare object forced by a schema). Of several actions the first valid one runs and the
model is told; no usable action raises `FormatError`."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from core.errors import FormatError
from core.types import Message, ToolCall, ToolSpec
from prompts import render

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n(.*?)```", re.DOTALL)
_TOOL_CALL_TAG = re.compile(r"<tool_call>\s*(.*?)\s*</tool_call>", re.DOTALL)
_BARE_ACTION = re.compile(r'\{\s*"(?:tool|name)"\s*:')
_NAME_KEYS = ("tool", "name")
_ARGS_KEYS = ("args", "arguments", "parameters")


def render_action(call: ToolCall, *, fenced: bool = True) -> str:
    """A tool call written the way the protocol expects the model to write it."""
    body = json.dumps({"tool": call.name, "args": call.arguments}, ensure_ascii=False)
    return f"```json\n{body}\n```" if fenced else body


def render_instructions(tools: list[ToolSpec], *, fenced: bool = True) -> str:
    """The system section that lists the tools and the reply format."""
    described = [{"name": spec.name, "description": spec.description.strip(),
                  "schema": json.dumps(spec.parameters, ensure_ascii=False)} for spec in tools]
    return render("text_protocol.j2", tools=described, fenced=fenced).strip()


SchemaStyle = Literal["json_object", "json_schema"]
"""How a server takes a JSON schema: `{"type": "json_object", "schema": ...}` (llama-cpp-python, llama.cpp) or
OpenAI's `{"type": "json_schema", "json_schema": {...}}` (vLLM, Ollama, LM Studio, llama.cpp)."""


def response_format(tools: list[ToolSpec], style: SchemaStyle = "json_object") -> dict[str, Any]:
    """`response_format` for the `json` protocol: a oneOf over `{"thought", "tool": name, "args": <its schema>}`, one
    variant per tool. `thought` is first and required: a grammar generates fields in order, so the model reasons
    before it commits to an action."""
    variants = [
        {"type": "object",
         "properties": {"thought": {"type": "string"}, "tool": {"type": "string", "const": spec.name},
                        "args": spec.parameters},
         "required": ["thought", "tool", "args"]}
        for spec in tools
    ]
    return schema_format({"oneOf": variants}, style)


def schema_format(schema: dict[str, Any], style: SchemaStyle) -> dict[str, Any]:
    """`response_format` that asks a server to enforce `schema`, in `style`."""
    if style == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "action", "schema": schema}}
    return {"type": "json_object", "schema": schema}


def format_error(problem: str, tools: list[ToolSpec], reply: Message | None, *, fenced: bool = True) -> FormatError:
    """A `FormatError` carrying the model's own reply (if any) and a user message saying what to fix."""
    names = ", ".join(spec.name for spec in tools) or "(none)"
    text = render("format_error.j2", problem=problem, fenced=fenced, names=names).strip()
    correction = Message(role="user", content=text, meta={"format_error": problem})
    return FormatError(problem, ([reply] if reply is not None else []) + [correction])


@dataclass
class ParsedAction:
    """The action taken from a text-protocol reply."""

    call: ToolCall
    """The first valid action of the reply."""
    text: str
    """The reply up to the end of that action (later actions and invented observations cut off)."""
    dropped: int = 0
    """Further actions the reply held, which were not run."""


def _blocks(text: str) -> list[tuple[str, int]]:
    """(JSON text, end offset) of the blocks that may hold an action: ```json blocks, else untagged `{` blocks."""
    blocks = [(m.group(1).lower(), m.group(2).strip(), m.end()) for m in _FENCE.finditer(text)]
    tagged = [(body, end) for lang, body, end in blocks if lang == "json"]
    return tagged or [(body, end) for lang, body, end in blocks if not lang and body.startswith("{")]


def _bare_objects(text: str) -> list[tuple[str, int]]:
    """(JSON text, end offset) of bare `{"tool": ...}` objects written in prose, in order."""
    decoder, found, position = json.JSONDecoder(), [], 0
    while (match := _BARE_ACTION.search(text, position)) is not None:
        try:
            _, end = decoder.raw_decode(text, match.start())
        except ValueError:
            position = match.end()
            continue
        found.append((text[match.start():end], end))
        position = end
    return found


def _decode(body: str) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        problem = f"the JSON block is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        raise ValueError(problem) from None


def call_from_object(obj: Any, tools: list[ToolSpec], call_id: str | None = None) -> ToolCall:
    """Turn a decoded `{"tool": ..., "args": {...}}` (or `{"name", "arguments"}`) into a call (with a new id unless
    `call_id`); ValueError if not."""
    if not isinstance(obj, dict):
        raise ValueError('the action must be a JSON object like {"tool": ..., "args": {...}}')
    name = next((obj[k] for k in _NAME_KEYS if isinstance(obj.get(k), str)), None)
    if name is None:
        raise ValueError('the action has no "tool" field naming the tool to call')
    args = next((obj[k] for k in _ARGS_KEYS if k in obj), {})
    if isinstance(args, str):
        args = _decode(args) if args.strip() else {}
    if not isinstance(args, dict):
        raise ValueError('"args" must be a JSON object of the tool\'s arguments')
    known = {spec.name for spec in tools}
    if name not in known:
        raise ValueError(f"there is no tool named {name!r}")
    return ToolCall(id=call_id or f"call_{uuid.uuid4().hex[:20]}", name=name, arguments=args)


def has_action(text: str, *, fenced: bool = True) -> bool:
    """True when `text` already holds a written action (a JSON block, or a bare JSON object)."""
    return bool(fenced and _blocks(text)) or text.strip().startswith("{")


def first_action(text: str, tools: list[ToolSpec], *, fenced: bool = True) -> ParsedAction:
    """The first valid action of a text-protocol reply; ValueError naming the problem when there is none. `fenced`:
    ```json blocks, then untagged blocks, then `{"tool": ...}` in prose; otherwise (`json`) the bare object."""
    stripped = text.strip()
    candidates = _blocks(text) if fenced else []
    if not candidates and stripped.startswith("{"):
        candidates = [(stripped, len(text))]
    if not candidates and fenced:
        candidates = _bare_objects(text)
    if not candidates:
        raise ValueError("the reply has no ```json block with an action" if fenced else "the reply is no JSON object")
    problem = ""
    for number, (body, end) in enumerate(candidates):
        try:
            call = call_from_object(_decode(body), tools)
        except ValueError as exc:
            problem = problem or str(exc)
            continue
        return ParsedAction(call, text[:end] if fenced else text, len(candidates) - number - 1)
    raise ValueError(problem)


def embedded_calls(text: str, tools: list[ToolSpec]) -> list[ToolCall]:
    """Tool calls a server wrote into `content` instead of `tool_calls` (llama.cpp, tool_choice=auto): `<tool_call>`
    tags, ```json blocks or bare JSON as `{"name", "arguments"}` or `{"tool", "args"}` naming a known tool; else []."""
    stripped = text.strip()
    bare = [stripped] if stripped.startswith(("{", "[")) else []
    bodies = _TOOL_CALL_TAG.findall(text) or [body for body, _ in _blocks(text)] or bare
    calls: list[ToolCall] = []
    for body in bodies:
        try:
            decoded = json.loads(body)
            objects = decoded if isinstance(decoded, list) else [decoded]
            calls += [call_from_object(obj, tools) for obj in objects]
        except ValueError:
            return []
    return calls
