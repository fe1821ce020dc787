"""Our `Message` list <-> litellm's OpenAI-shaped dicts, per protocol: `tools` (native tool_calls) or `text`/`json`
(instructions in the system message, actions as text, results as "Observation" user messages)."""

from __future__ import annotations

import json
from typing import Any, Literal

from agent.models import text_protocol
from core.types import Message, ToolCall, ToolSpec

WireProtocol = Literal["tools", "text", "json"]
"""A resolved wire protocol (`auto` is decided before conversion)."""


def _native(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id or "", "content": message.content}
    entry: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.role == "assistant" and message.tool_calls:
        entry["content"] = message.content or None
        entry["tool_calls"] = [
            {"id": call.id, "type": "function",
             "function": {"name": call.name, "arguments": json.dumps(call.arguments, ensure_ascii=False)}}
            for call in message.tool_calls
        ]
    return entry


def observation_text(message: Message) -> str:
    """A tool result as the text protocol shows it to the model."""
    return f"Observation ({message.name or 'tool'}):\n{message.content}"


def _textual(message: Message, fenced: bool) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "user", "content": observation_text(message)}
    content = message.content
    if message.role == "assistant" and message.tool_calls and not text_protocol.has_action(content, fenced=fenced):
        actions = [text_protocol.render_action(call, fenced=fenced) for call in message.tool_calls]
        content = "\n\n".join([content, *actions] if fenced and content else actions)
    return {"role": message.role, "content": content}


def to_wire(messages: list[Message], tools: list[ToolSpec], protocol: WireProtocol) -> list[dict[str, Any]]:
    """The litellm `messages=` list for our history under `protocol`."""
    if protocol == "tools":
        return [_native(m) for m in messages]
    fenced = protocol == "text"
    wire = [_textual(m, fenced) for m in messages]
    section = text_protocol.render_instructions(tools, fenced=fenced)
    if wire and wire[0]["role"] == "system":
        wire[0] = {"role": "system", "content": f"{wire[0]['content']}\n\n{section}"}
    else:
        wire.insert(0, {"role": "system", "content": section})
    return wire


def _native_calls(raw_calls: list[Any], tools: list[ToolSpec]) -> list[ToolCall]:
    """Calls from `message.tool_calls`; ValueError naming the problem when one is unusable."""
    calls = []
    for raw in raw_calls:
        name, arguments = raw.function.name, raw.function.arguments or "{}"
        try:
            decoded = json.loads(arguments) if isinstance(arguments, str) else arguments
        except ValueError:
            raise ValueError(f"the arguments of your {name!r} call are not valid JSON") from None
        calls.append(text_protocol.call_from_object({"tool": name, "args": decoded}, tools, call_id=raw.id))
    return calls


def parse_reply(content: str, raw_calls: list[Any], tools: list[ToolSpec], protocol: WireProtocol,
                meta: dict[str, Any]) -> Message:
    """The assistant `Message` for a provider reply; FormatError (carrying the reply) when it holds no usable call."""
    reply = Message(role="assistant", content=content, meta=meta)
    fenced = protocol != "json"
    try:
        if protocol != "tools":
            parsed = text_protocol.first_action(content, tools, fenced=fenced)
            calls = [parsed.call]
            if parsed.dropped or parsed.text != content:
                reply.content = parsed.text
                reply.meta.update(dropped_actions=parsed.dropped, cut_text=content[len(parsed.text):])
        elif raw_calls:
            calls = _native_calls(raw_calls, tools)
        else:
            calls = text_protocol.embedded_calls(content, tools)
            if not calls:
                raise ValueError("the reply calls no tool; call exactly one of the tools to act")
    except ValueError as exc:
        problem = str(exc)
        if meta.get("finish_reason") == "length":
            problem += " (the reply was cut off at the output token limit: keep replies shorter)"
        raise text_protocol.format_error(problem, tools, reply, fenced=fenced) from None
    reply.tool_calls = calls
    return reply
