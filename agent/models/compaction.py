"""After a context-window overflow, tool outputs older than the recent turns become `[output of <tool> elided: N
chars]`, in place (so later calls fit too), the original kept in `meta["elided"]` for the trajectory."""

from __future__ import annotations

from core.types import Message


def elision_marker(tool: str | None, chars: int) -> str:
    """The text that stands in for an elided tool output."""
    return f"[output of {tool or 'tool'} elided: {chars} chars]"


def elide_observations(messages: list[Message], keep_recent_turns: int) -> int:
    """Elide tool results older than the last `keep_recent_turns` turns, in place; returns how many were elided."""
    starts = [i for i, message in enumerate(messages) if message.role == "assistant"]  # each begins a turn
    cutoff = len(messages) if keep_recent_turns == 0 else (
        starts[-keep_recent_turns] if len(starts) > keep_recent_turns else 0
    )
    elided = 0
    for message in messages[:cutoff]:
        if message.role != "tool" or "elided" in message.meta:
            continue
        chars = len(message.content)
        marker = elision_marker(message.name, chars)
        if chars <= len(marker):
            continue
        message.meta["elided"] = {"chars": chars, "original": message.content}
        message.content = marker
        elided += 1
    return elided


def compact(messages: list[Message], keep_recent_turns: int) -> int:
    """Make room after an overflow: elide keeping `keep_recent_turns`, then only the last turn, then none. Returns
    how many observations were elided (0: the overflow cannot be fixed this way)."""
    for keep in dict.fromkeys((keep_recent_turns, min(keep_recent_turns, 1), 0)):
        elided = elide_observations(messages, keep)
        if elided:
            return elided
    return 0
