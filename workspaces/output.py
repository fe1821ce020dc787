"""Collecting command output without holding all of it: keep the head and the tail."""

from __future__ import annotations

from workspaces.base import DEFAULT_OUTPUT_LIMIT


class HeadTailBuffer:
    """Accumulates a byte stream, keeping the first and last `limit // 2` bytes and counting the rest."""

    def __init__(self, limit: int = DEFAULT_OUTPUT_LIMIT):
        self.head_limit = limit // 2
        self.tail_limit = limit - self.head_limit
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def write(self, chunk: bytes) -> None:
        """Add a chunk of output."""
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if not chunk:
            return
        self.tail += chunk
        overflow = len(self.tail) - self.tail_limit
        if overflow > 0:
            del self.tail[:overflow]
            self.dropped += overflow

    def text(self) -> str:
        """The kept output as text, with a marker where the middle was dropped."""
        head = self.head.decode("utf-8", errors="replace")
        tail = self.tail.decode("utf-8", errors="replace")
        if self.dropped:
            return f"{head}\n... [{self.dropped} bytes of output omitted] ...\n{tail}"
        return head + tail
