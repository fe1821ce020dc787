"""The text protocol for models without native tool calling: one JSON action per reply.

The tools are described in an extra system section; the model answers with exactly one fenced
```json block `{"tool": NAME, "args": {...}}` (or, under the `json` protocol, with that object alone,
forced by a JSON schema). Replies that do not parse raise `FormatError` whose messages show the
model its reply and tell it what was wrong and what is expected.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from agent.errors import FormatError
from agent.types import Message, ToolCall, ToolSpec
from prompts import render

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n(.*?)```", re.DOTALL)
_TOOL_CALL_TAG = re.compile(r"<tool_call>\s*(.*?)\s*</tool_call>", re.DOTALL)
_NAME_KEYS = ("tool", "name")
_ARGS_KEYS = ("args", "arguments", "parameters")


def new_call_id() -> str:
    """An id for a tool call the provider did not name."""
    return f"call_{uuid.uuid4().hex[:20]}"


def render_action(call: ToolCall, *, fenced: bool = True) -> str:
    """A tool call written the way the protocol expects the model to write it."""
    body = json.dumps({"tool": call.name, "args": call.arguments}, ensure_ascii=False)
    return f"```json\n{body}\n```" if fenced else body


def expected_format(*, fenced: bool = True) -> str:
    """One paragraph stating the reply format."""
    return render("reply_format.j2", fenced=fenced).strip()


def render_instructions(tools: list[ToolSpec], *, fenced: bool = True) -> str:
    """The system section that lists the tools and the reply format."""
    described = [{"name": spec.name, "description": spec.description.strip(),
                  "schema": json.dumps(spec.parameters, ensure_ascii=False)} for spec in tools]
    return render("text_protocol.j2", tools=described, fenced=fenced).strip()


def response_format(tools: list[ToolSpec]) -> dict[str, Any]:
    """`response_format` for the `json` protocol: a oneOf over `{"thought", "tool": name, "args": <its schema>}`.

    `thought` comes first and is required: a server that enforces the schema as a grammar generates
    the fields in order, so the model states its reasoning before it commits to an action.
    """
    variants = [
        {"type": "object",
         "properties": {"thought": {"type": "string"}, "tool": {"type": "string", "const": spec.name},
                        "args": spec.parameters},
         "required": ["thought", "tool", "args"]}
        for spec in tools
    ]
    return {"type": "json_object", "schema": {"oneOf": variants}}


def format_error(problem: str, tools: list[ToolSpec], reply: Message | None, *, fenced: bool = True) -> FormatError:
    """A `FormatError` carrying the model's own reply (if any) and a user message saying what to fix."""
    names = ", ".join(spec.name for spec in tools) or "(none)"
    text = render("format_error.j2", problem=problem, fenced=fenced, names=names).strip()
    correction = Message(role="user", content=text, meta={"format_error": problem})
    return FormatError(problem, ([reply] if reply is not None else []) + [correction])


def _json_candidates(text: str) -> list[str]:
    """JSON texts that may hold the action: ```json blocks, else untagged blocks opening with `{`."""
    blocks = [(lang.lower(), body.strip()) for lang, body in _FENCE.findall(text)]
    tagged = [body for lang, body in blocks if lang == "json"]
    return tagged or [body for lang, body in blocks if not lang and body.startswith("{")]


def _decode(body: str) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        problem = f"the JSON block is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        raise ValueError(problem) from None


def call_from_object(obj: Any, tools: list[ToolSpec], call_id: str | None = None) -> ToolCall:
    """Turn a decoded `{"tool": ..., "args": {...}}` (or `{"name", "arguments"}`) into a call; ValueError if not."""
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
    return ToolCall(id=call_id or new_call_id(), name=name, arguments=args)


def has_action(text: str, *, fenced: bool = True) -> bool:
    """True when `text` already holds a written action (a JSON block, or a bare JSON object)."""
    return bool(fenced and _json_candidates(text)) or text.strip().startswith("{")


def parse_action(text: str, tools: list[ToolSpec], *, fenced: bool = True) -> ToolCall:
    """The one action in a text-protocol reply; ValueError saying what is wrong when there is not exactly one.

    With `fenced`, exactly one ```json block is expected; a reply that is nothing but a JSON object is
    accepted too. Without `fenced` (the `json` protocol) the whole reply is the object.
    """
    stripped = text.strip()
    candidates = _json_candidates(text) if fenced else []
    if not candidates and stripped.startswith("{"):
        candidates = [stripped]
    if not candidates:
        raise ValueError("the reply has no ```json block with an action" if fenced else "the reply is no JSON object")
    if len(candidates) > 1:
        raise ValueError(f"the reply has {len(candidates)} ```json blocks; send exactly one action per reply")
    return call_from_object(_decode(candidates[0]), tools)


def embedded_calls(text: str, tools: list[ToolSpec]) -> list[ToolCall]:
    """Tool calls that a server wrote into `content` instead of `tool_calls` (llama.cpp with tool_choice=auto).

    Recognises `<tool_call>{...}</tool_call>` tags, ```json blocks, and a bare JSON object or list, in the
    `{"name", "arguments"}` or `{"tool", "args"}` shape, naming a known tool. Anything else: [].
    """
    stripped = text.strip()
    bare = [stripped] if stripped.startswith(("{", "[")) else []
    bodies = _TOOL_CALL_TAG.findall(text) or _json_candidates(text) or bare
    calls: list[ToolCall] = []
    for body in bodies:
        try:
            decoded = json.loads(body)
            objects = decoded if isinstance(decoded, list) else [decoded]
            calls += [call_from_object(obj, tools) for obj in objects]
        except ValueError:
            return []
    return calls
