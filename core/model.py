"""The Model seam: a conversation and the tools in, the model's next message out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from core.types import Message, ToolSpec


@dataclass(frozen=True)
class Sampling:
    """Sampling settings of one call (a rollout's own); a field left None keeps the model's configured value."""

    temperature: float | None = None
    """Sampling temperature."""
    top_p: float | None = None
    """Nucleus sampling."""
    seed: int | None = None
    """Sampling seed, for providers that accept one."""
    rollout: int = 0
    """The rollout the call belongs to, when a run samples several (a scripted model replays that rollout's
    script)."""


@runtime_checkable
class Model(Protocol):
    """Anything that answers a conversation with an assistant message.

    `query` returns an assistant `Message` whose `tool_calls` are already parsed, whatever the wire
    protocol (native tool calls or the fenced-JSON text protocol). A reply that cannot be parsed
    raises `FormatError` carrying the messages that tell the model how to fix it. `complete` returns
    a plain text reply (no tools), for strategies that ask for code directly; it ends as soon as
    `until(text so far)` holds (a streamed reply stops there; another is cut there). `continue_text` continues a
    plain prompt with no chat template (a base model's completion), ended before the first `stop` sequence. Provider
    failures that
    survive retries raise `ModelError`; a call still running at `deadline` (a `time.monotonic()`
    value) is abandoned with `TimeLimitExceeded`. `meta` of the returned message holds at least
    `cost` (dollars of this call) and `latency` (seconds).
    """

    name: str
    """Model identifier, as recorded in trajectories and predictions."""
    cost: float
    """Dollars spent so far by this model object."""
    self_hosted: bool
    """The model runs on a server the user hosts (behind `api_base`, unknown to litellm, e.g. a small local model):
    the strategy then samples more repairs, offers fewer tools and keeps prompts short."""

    def query(self, messages: list[Message], tools: list[ToolSpec], *, deadline: float | None = None,
              sampling: Sampling | None = None) -> Message: ...

    def complete(self, messages: list[Message], *, sampling: Sampling | None = None, deadline: float | None = None,
                 max_tokens: int | None = None, until: Callable[[str], bool] | None = None) -> Message: ...

    def continue_text(self, prompt: str, *, sampling: Sampling | None = None, deadline: float | None = None,
                      max_tokens: int | None = None, stop: Sequence[str] = ()) -> Message: ...
