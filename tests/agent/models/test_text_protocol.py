"""The text protocol: instructions, parsing of fenced/bare JSON actions, embedded calls, the json schema."""

from __future__ import annotations

import json
import re

import pytest

from agent.models import text_protocol
from agent.models.wire import to_wire
from core.types import Message, ToolCall
from tests.agent.models.support import TOOLS, history


def test_instructions_list_every_tool_with_its_schema() -> None:
    text = text_protocol.render_instructions(TOOLS)
    for spec in TOOLS:
        assert f"## {spec.name}" in text and spec.description in text
        assert json.dumps(spec.parameters) in text
    assert "```json" in text and "Observation" in text
    assert "```json" not in text_protocol.render_instructions(TOOLS, fenced=False)


def test_parses_one_fenced_block_amid_prose_and_other_blocks() -> None:
    reply = ("The bug is here:\n```python\nreturn a - b\n```\nSo I edit it.\n"
             '```json\n{"tool": "run", "args": {"command": "pytest -q"}}\n```\n')
    call = text_protocol.first_action(reply, TOOLS).call
    assert (call.name, call.arguments) == ("run", {"command": "pytest -q"})
    assert call.id.startswith("call_")


@pytest.mark.parametrize(
    "reply",
    [
        '{"tool": "view", "args": {"path": "a.py"}}',
        '```\n{"tool": "view", "args": {"path": "a.py"}}\n```',
        '```JSON\n{"name": "view", "arguments": {"path": "a.py"}}\n```',
        '```json\n{"tool": "view", "args": "{\\"path\\": \\"a.py\\"}"}\n```',
    ],
)
def test_lenient_forms_of_one_action(reply: str) -> None:
    call = text_protocol.first_action(reply, TOOLS).call
    assert (call.name, call.arguments) == ("view", {"path": "a.py"})


def test_missing_args_means_no_arguments() -> None:
    assert text_protocol.first_action('```json\n{"tool": "submit"}\n```', TOOLS).call.arguments == {}


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("no action here", "no ```json block"),
        ('```json\n{"args": {}}\n```', 'no "tool" field'),
        ('```json\n{"tool": "view", "args": [1]}\n```', '"args" must be a JSON object'),
        ('```json\n{"tool": "view", "args": {}\n```', "not valid JSON (Expecting ',' delimiter at line 1"),
    ],
)
def test_problems_are_named(reply: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        text_protocol.first_action(reply, TOOLS)


def test_json_protocol_reply_is_the_object_alone() -> None:
    call = text_protocol.first_action(' {"tool": "submit", "args": {}} ', TOOLS, fenced=False).call
    assert call.name == "submit"
    with pytest.raises(ValueError, match="no JSON object"):
        text_protocol.first_action('```json\n{"tool": "submit", "args": {}}\n```', TOOLS, fenced=False)


def test_format_error_carries_the_reply_and_a_correction() -> None:
    reply = Message(role="assistant", content="oops")
    error = text_protocol.format_error("the reply has no ```json block with an action", TOOLS, reply)
    assert error.text == "the reply has no ```json block with an action"
    assert error.messages[0] is reply
    correction = error.messages[1]
    assert correction.role == "user" and correction.meta["format_error"] == error.text
    assert correction.content.startswith("Format error: the reply has no")
    assert "Available tools: view, run, submit." in correction.content


@pytest.mark.parametrize(
    "content",
    [
        '<tool_call>\n{"name": "view", "arguments": {"path": "a.py"}}\n</tool_call>',
        '{"name": "view", "arguments": {"path": "a.py"}}',
        '[{"name": "view", "arguments": {"path": "a.py"}}]',
        'Sure.\n```json\n{"name": "view", "arguments": {"path": "a.py"}}\n```',
    ],
)
def test_embedded_calls_in_content(content: str) -> None:
    calls = text_protocol.embedded_calls(content, TOOLS)
    assert [(c.name, c.arguments) for c in calls] == [("view", {"path": "a.py"})]


@pytest.mark.parametrize(
    "content", ["", "All done.", '{"answer": 42}', '{"name": "unknown", "arguments": {}}', "{broken"]
)
def test_content_without_a_usable_call_gives_none(content: str) -> None:
    assert text_protocol.embedded_calls(content, TOOLS) == []


def test_response_format_is_a_oneof_over_tools() -> None:
    fmt = text_protocol.response_format(TOOLS)
    assert fmt["type"] == "json_object"
    variants = fmt["schema"]["oneOf"]
    assert [v["properties"]["tool"]["const"] for v in variants] == ["view", "run", "submit"]
    assert all(v["required"] == ["thought", "tool", "args"] for v in variants)
    assert all(list(v["properties"])[0] == "thought" for v in variants)  # reasoning is generated first


def test_render_action_round_trips() -> None:
    call = ToolCall(id="c1", name="view", arguments={"path": "ü.py"})
    for fenced in (True, False):
        parsed = text_protocol.first_action(text_protocol.render_action(call, fenced=fenced), TOOLS, fenced=fenced).call
        assert (parsed.name, parsed.arguments) == ("view", {"path": "ü.py"})


def test_text_wire_writes_missing_actions_into_assistant_messages() -> None:
    messages = history(1)
    wire = to_wire(messages, TOOLS, "text")
    assert wire[2]["content"] == 'step 0\n\n```json\n{"tool": "view", "args": {"path": "f0.py"}}\n```'
    messages[2].content = '```json\n{"tool": "view", "args": {"path": "f0.py"}}\n```'
    assert to_wire(messages, TOOLS, "text")[2]["content"] == messages[2].content


def test_text_wire_adds_a_system_message_when_there_is_none() -> None:
    wire = to_wire([Message(role="user", content="hi")], TOOLS, "json")
    assert wire[0]["role"] == "system" and "Reply with exactly one JSON object" in wire[0]["content"]
    assert wire[1] == {"role": "user", "content": "hi"}
