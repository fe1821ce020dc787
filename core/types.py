"""The data that crosses the seams: messages, tool calls, tool specs and observations."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """Base of every settings section (the run's config and the parts tools and workspaces take): unknown keys are
    errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ToolCall(BaseModel):
    """One call of a tool as the model asked for it."""

    id: str
    """Identifier pairing the call with its result (the provider's id, or one we made up)."""
    name: str
    """Name of the tool to call."""
    arguments: dict[str, Any] = Field(default_factory=dict)
    """Arguments, already decoded from JSON."""


class Message(BaseModel):
    """One entry of the conversation, in a provider-neutral form."""

    role: Literal["system", "user", "assistant", "tool"]
    """Who speaks: the system prompt, the user (task, format errors), the model, or a tool result."""
    content: str = ""
    """The text of the message."""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    """For assistant messages: the tool calls the model made."""
    tool_call_id: str | None = None
    """For tool messages: the id of the call this result answers."""
    name: str | None = None
    """For tool messages: the tool's name."""
    meta: dict[str, Any] = Field(default_factory=dict)
    """Bookkeeping that is never sent to the model: cost, tokens, latency, raw response, compaction."""


class ToolSpec(BaseModel):
    """What the model is told about a tool: its name, purpose and JSON schema of arguments."""

    name: str
    """The tool's name, as the model must call it."""
    description: str
    """What the tool does, from its docstring."""
    parameters: dict[str, Any]
    """JSON schema (an object schema) of the tool's arguments."""

    def openai_format(self) -> dict[str, Any]:
        """The spec in the OpenAI/litellm `tools=[...]` shape."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


class Observation(BaseModel):
    """What a tool returns to the model."""

    output: str
    """Text shown to the model."""
    error: bool = False
    """True when the call failed for a reason the model can act on (bad arguments, no match, ...)."""
    data: dict[str, Any] = Field(default_factory=dict)
    """Structured extras for the trajectory (exit code, timing, files touched); not shown to the model."""
