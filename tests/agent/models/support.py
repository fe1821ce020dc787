"""Shared pieces for the model tests: a small tool set and histories."""

from __future__ import annotations

from agent.config import RetryConfig
from core.types import Message, ToolCall, ToolSpec

VIEW = ToolSpec(
    name="view", description="Show a file with line numbers.",
    parameters={"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
)
RUN = ToolSpec(
    name="run", description="Run a shell command.",
    parameters={"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
)
SUBMIT = ToolSpec(name="submit", description="Finish the task.", parameters={"type": "object", "properties": {}})
TOOLS = [VIEW, RUN, SUBMIT]
"""The tools offered in these tests."""

FAST_RETRY = RetryConfig(attempts=3, initial_wait=0.001, max_wait=0.01)
"""Retries with waits too short to matter."""


def opening() -> list[Message]:
    """A system message and the task."""
    return [Message(role="system", content="You fix bugs."), Message(role="user", content="Fix the bug in calc.py.")]


def turn(n: int, output: str, tool: str = "view") -> list[Message]:
    """One finished turn: an assistant call and the tool's result."""
    call = ToolCall(id=f"call_{n}", name=tool, arguments={"path": f"f{n}.py"} if tool == "view" else {"command": "ls"})
    return [Message(role="assistant", content=f"step {n}", tool_calls=[call]),
            Message(role="tool", content=output, tool_call_id=call.id, name=tool)]


def history(turns: int, output_chars: int = 50) -> list[Message]:
    """The opening plus `turns` finished turns whose outputs are `output_chars` long."""
    messages = opening()
    for n in range(turns):
        messages += turn(n, f"{n}:" + "x" * (output_chars - len(f"{n}:")))
    return messages
