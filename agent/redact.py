"""Secrets out of everything a run writes or posts, replaced by `[REDACTED]`: values of environment variables named
*KEY*, *TOKEN*, *SECRET*, *PASSWORD*, values given to `add_secret`, and well-known credential shapes.
Every file a run writes goes through `redact` (agent.trajectory.filter_output)."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Mapping
from typing import TextIO

from workspaces.base import SECRET_MARKERS

MASK = "[REDACTED]"
"""What a secret is replaced with."""

MIN_SECRET_LENGTH = 8
"""Environment values shorter than this are not treated as secrets (`1`, `true`, ...)."""

TOKEN_SHAPES = [re.compile(p, re.DOTALL) for p in (
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----",
    r"gh[pousr]_[A-Za-z0-9]{30,255}\b",
    r"github_pat_[A-Za-z0-9_]{22,255}\b",
    r"sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}",
    r"AKIA[0-9A-Z]{16}\b|ASIA[0-9A-Z]{16}\b",
    r"AIza[0-9A-Za-z_-]{35}\b",
    r"xox[abposr]-[A-Za-z0-9-]{10,}",
    r"hf_[A-Za-z0-9]{30,}\b",
    r"://[^/\s:@\"']+:(?P<secret>[^/\s@\"']+)@",
    r"uthorization:\s*(?:[Bb]earer|[Tt]oken|[Bb]asic)\s+(?P<secret>[A-Za-z0-9._~+/=-]{8,})",
)]
"""Shapes of well-known credentials, wherever they come from. Each starts with a literal (so the regex engine
skips ahead quickly); a `secret` group, when present, is the only part masked."""

_extra_secrets: set[str] = set()


def add_secret(value: str | None) -> None:
    """Also redact `value` (e.g. a model key given in the config rather than the environment)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        _extra_secrets.add(value)


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """Literal secrets: secret-named environment values and registered ones, longest first, JSON forms included."""
    env = os.environ if env is None else env
    values = {v for k, v in env.items() if any(m in k.upper() for m in SECRET_MARKERS) and len(v) >= MIN_SECRET_LENGTH}
    values |= _extra_secrets
    escaped = {json.dumps(v)[1:-1] for v in values}  # how the value reads inside a JSON string
    return sorted(values | escaped, key=len, reverse=True)


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """`text` with every secret replaced by MASK."""
    for value in secret_values(env):
        text = text.replace(value, MASK)
    for shape in TOKEN_SHAPES:
        text = shape.sub(_mask, text)
    return text


def _mask(match: re.Match[str]) -> str:
    """The replacement for one shape match: the `secret` group masked, or the whole token if it starts a word."""
    if "secret" in match.re.groupindex:
        start, end = match.span("secret")
        return match.group(0)[: start - match.start()] + MASK + match.group(0)[end - match.start():]
    start, text = match.start(), match.string
    before = text[start - 1] if start else " "
    escaped = start >= 2 and text[start - 2] == "\\"  # `\ntoken` in JSON: the token does start a word
    if (before.isalnum() or before == "_") and not escaped:
        return match.group(0)  # inside a longer word (`risk-...`): not a token of that shape
    return MASK


def contains_secret(text: str, env: Mapping[str, str] | None = None) -> bool:
    """True when `text` holds something `redact` would replace."""
    return redact(text, env) != text


class RedactingStream(io.TextIOBase):
    """A text stream that redacts what is written to it before passing it on (for stdout/stderr)."""

    def __init__(self, target: TextIO):
        self.target = target

    def write(self, text: str) -> int:
        """Redact and forward; returns the length given, as streams do."""
        self.target.write(redact(text))
        return len(text)

    def flush(self) -> None:
        """Flush the underlying stream."""
        self.target.flush()

    def isatty(self) -> bool:
        """Whether the underlying stream is a terminal."""
        return self.target.isatty()

    def fileno(self) -> int:
        """The underlying file descriptor."""
        return self.target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The underlying stream's encoding."""
        return getattr(self.target, "encoding", "utf-8")
