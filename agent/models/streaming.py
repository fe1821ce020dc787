"""Reading a streamed reply: close the connection once it holds what is needed (a small model goes on writing
made-up actions; llama.cpp stops generating when the client leaves), or at the run's deadline."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import TimeLimitExceeded


@dataclass
class StreamedReply:
    """What a stream delivered."""

    content: str
    """The text received."""
    finish_reason: str | None
    """The server's finish reason, `stop_early` when the client closed the stream, or None."""
    input_tokens: int = 0
    """Prompt tokens, when the server reported usage."""
    output_tokens: int = 0
    """Completion tokens as reported, else the number of content chunks received."""


def _choice(chunk: Any) -> Any:
    choices = getattr(chunk, "choices", None) or []
    return choices[0] if choices else None


def close_stream(stream: Any) -> None:
    """Close the HTTP response behind a litellm stream, so that the server stops generating."""
    for target in (getattr(stream, "completion_stream", None), stream):
        closer = getattr(target, "close", None)
        if callable(closer):
            with contextlib.suppress(Exception):
                closer()
            return


def read_stream(stream: Iterable[Any], *, deadline: float | None = None,
                complete: Callable[[str], bool] | None = None) -> StreamedReply:
    """Gather a streamed reply; stop early once `complete(text)` holds; TimeLimitExceeded past `deadline`."""
    parts: list[str] = []
    finish: str | None = None
    chunks = input_tokens = output_tokens = 0
    try:
        for chunk in stream:
            choice = _choice(chunk)
            text = getattr(getattr(choice, "delta", None), "content", None) or ""
            if text:
                parts.append(text)
                chunks += 1
            finish = getattr(choice, "finish_reason", None) or finish
            usage = getattr(chunk, "usage", None)
            if usage is not None:
                input_tokens = int(getattr(usage, "prompt_tokens", 0) or input_tokens)
                output_tokens = int(getattr(usage, "completion_tokens", 0) or output_tokens)
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeLimitExceeded("wall-time limit reached while the model was answering")
            if text and complete is not None and complete("".join(parts)):
                finish = "stop_early"
                break
    finally:
        close_stream(stream)
    return StreamedReply("".join(parts), finish, input_tokens, output_tokens or chunks)


def cut_before(text: str, stop: Sequence[str]) -> str:
    """`text` up to the first of the `stop` sequences (which it then does not hold), as a server cuts a completion;
    applied on our side as well because OpenAI's API (and litellm) take at most four stop sequences."""
    return text[:min((text.find(s) for s in stop if s and s in text), default=len(text))]


def cut_where(text: str, until: Callable[[str], bool] | None) -> str:
    """`text` up to the first line end (or the end) where `until` holds, as a streamed reply would stop."""
    if until is None:
        return text
    for end in [i + 1 for i, char in enumerate(text) if char == "\n"] + [len(text)]:
        if until(text[:end]):
            return text[:end]
    return text
