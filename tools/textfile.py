"""Reading, numbering and safely writing the editing tools' text files: "\\n" line endings while a tool works (CRLF
restored on write); `write_checked` refuses a change that introduces a syntax error."""

from __future__ import annotations

from dataclasses import dataclass

from tools.function_tool import ToolError
from tools.syntax import format_problems, introduced_errors
from workspaces.base import Workspace

MAX_LINE_CHARS = 2000
"""Longer lines are cut when shown to the model."""


class NotAFile(ToolError):
    """The path is a directory."""


class FileMissing(ToolError):
    """The path does not exist."""


@dataclass
class TextFile:
    """A file's text with "\\n" line endings, and whether it used CRLF on disk."""

    path: str
    """Path relative to the repository root."""
    text: str
    """The content, "\\r\\n" turned into "\\n"."""
    crlf: bool = False
    """True when the file used CRLF line endings."""


def split_lines(text: str) -> list[str]:
    """Lines without newline characters; a trailing newline does not make an extra empty line."""
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def read_text(ws: Workspace, path: str) -> TextFile:
    """Read `path` (already resolved); ToolError when it is missing, a directory or binary."""
    try:
        raw = ws.read_file(path)
    except FileNotFoundError:
        raise FileMissing(f"{path} does not exist. Use `view` on its directory or `search` to find the file.") from None
    except IsADirectoryError:
        raise NotAFile(f"{path} is a directory, not a file.") from None
    if "\x00" in raw:
        raise ToolError(f"{path} is a binary file ({len(raw)} characters); it cannot be shown or edited as text.")
    crlf = "\r\n" in raw
    return TextFile(path, raw.replace("\r\n", "\n") if crlf else raw, crlf)


def write_checked(ws: Workspace, file: TextFile, new_text: str, *, check_syntax: bool) -> None:
    """Write `new_text` to `file.path` unless it introduces a syntax error (then ToolError, nothing written)."""
    ensure_parses(file.path, file.text, new_text, check_syntax=check_syntax)
    ws.write_file(file.path, new_text.replace("\n", "\r\n") if file.crlf else new_text)


def ensure_parses(path: str, before: str, after: str, *, check_syntax: bool) -> None:
    """ToolError showing where, when `after` has syntax errors that `before` did not."""
    if not check_syntax:
        return
    problems = introduced_errors(path, before, after)
    if problems:
        raise ToolError(
            f"Rejected: this change would introduce a syntax error in {path}; the file is unchanged.\n"
            f"{format_problems(path, problems)}",
            data={"syntax_errors": len(problems)},
        )


def numbered(lines: list[str], first: int) -> str:
    """`lines` with right-aligned line numbers starting at `first` (1-based), like `cat -n`."""
    width = max(len(str(first + len(lines) - 1)), 4)
    out = []
    for number, line in enumerate(lines, start=first):
        if len(line) > MAX_LINE_CHARS:
            line = f"{line[:MAX_LINE_CHARS]} ... [line cut, {len(line)} characters]"
        out.append(f"{number:>{width}}\t{line}")
    return "\n".join(out)


def snippet(lines: list[str], start: int, end: int, context: int = 3) -> str:
    """Numbered lines around lines[start:end] (0-based), with `context` lines either side."""
    lo = max(0, start - context)
    hi = min(len(lines), max(end, start + 1) + context)
    return numbered(lines[lo:hi], lo + 1)
