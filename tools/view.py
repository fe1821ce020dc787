"""The `view` tool: a window of a file with line numbers, or a two-level listing of a directory."""

from __future__ import annotations

import shlex

from tools.function_tool import ToolError
from tools.paths import resolve_path
from tools.textfile import NotAFile, numbered, read_text, split_lines
from workspaces.base import Workspace

JUNK_DIRS = (
    "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".eggs", "*.egg-info", ".idea", ".hg", ".svn",
)
"""Directories shown but not descended into (`.git` is not shown at all)."""

MAX_ENTRIES = 400
"""Entries shown in a directory listing."""

MAX_CHILDREN = 40
"""Entries shown per subdirectory in a listing."""

LIST_TIMEOUT = 30.0
"""Seconds the directory listing command may take."""


def view(
    ws: Workspace, path: str = ".", start: int | None = None, end: int | None = None,
    *, window: int = 100, output_limit: int = 10_000,
) -> str:
    """Show a file with line numbers, or list a directory (two levels deep).

    Without start/end a file is shown from its first line, one window at a time; the header says
    which lines are shown and how many the file has.

    Args:
        path: File or directory, relative to the repository root ("." is the root).
        start: First line to show (1-based). Negative counts from the end (-20: the last 20 lines).
        end: Last line to show (inclusive); -1 means the end of the file.
    """
    rel = resolve_path(ws, path)
    try:
        file = read_text(ws, rel)
    except NotAFile:
        return list_directory(ws, rel)
    lines = split_lines(file.text)
    total = len(lines)
    if total == 0:
        return f"{rel} is empty (0 lines)."
    first, last = _window(rel, total, start, end, window)
    body, shown_last = _fit(lines, first, last, output_limit)
    header = f"{rel} (lines {first}-{shown_last} of {total})"
    if shown_last < total:
        return f"{header}\n{body}\n[{total - shown_last} more lines; continue with start={shown_last + 1}]"
    return f"{header}\n{body}"


def _window(rel: str, total: int, start: int | None, end: int | None, window: int) -> tuple[int, int]:
    first = 1 if start is None else start
    if first < 0:
        first = max(1, total + first + 1)
    first = max(first, 1)
    if first > total:
        raise ToolError(f"start={start} is past the end of {rel}, which has {total} lines.")
    if end is None:
        last = first + window - 1
    elif end == -1:
        last = total
    elif end < first:
        raise ToolError(f"end={end} is before start={first}; give end >= start, or -1 for the end of the file.")
    else:
        last = end
    return first, min(last, total)


def _fit(lines: list[str], first: int, last: int, limit: int) -> tuple[str, int]:
    """The numbered lines first..last, stopping early when the text would exceed `limit` characters."""
    body = numbered(lines[first - 1 : last], first)
    if len(body) <= limit:
        return body, last
    kept = body[:limit].rsplit("\n", 1)[0]
    count = kept.count("\n") + 1
    return kept, first + count - 1


def list_directory(ws: Workspace, rel: str) -> str:
    """Two levels of `rel`, directories marked with '/', `.git` hidden and junk directories not descended."""
    junk = " -o ".join(f"-name {shlex.quote(name)}" for name in JUNK_DIRS)
    cmd = (
        f"find {shlex.quote(rel)} -mindepth 1 -maxdepth 2 -name .git -prune -o \\( {junk} \\) -prune "
        "-exec printf 'J %s\\n' {} + -o -type d -exec printf 'D %s\\n' {} + -o -exec printf 'F %s\\n' {} +"
    )
    result = ws.exec(cmd, timeout=LIST_TIMEOUT)
    if result.exit_code != 0 and not result.output.strip():
        raise ToolError(f"Could not list {rel} (exit code {result.exit_code}).")
    listed = _render(result.output, rel)
    if not listed:
        return f"{rel}/ is empty."
    return f"{rel}/ (2 levels; directories end with /)\n" + "\n".join(listed)


def _render(output: str, rel: str) -> list[str]:
    """The tree from `K path` lines; kinds are D (dir), J (junk dir), F (other)."""
    entries = {}
    for line in output.splitlines():
        kind, _, path = line.partition(" ")
        if kind in ("D", "J", "F") and path:
            entries[path.removeprefix("./") if rel == "." else path] = kind
    children: dict[str, list[str]] = {}
    for path in sorted(entries):
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        children.setdefault(parent, []).append(path)
    top = children.get("" if rel == "." else rel, [])
    out: list[str] = []
    for path in top:
        out.append(_label(path, entries[path]))
        kids = children.get(path, [])
        out += [f"  {_label(k, entries[k])}" for k in kids[:MAX_CHILDREN]]
        if len(kids) > MAX_CHILDREN:
            out.append(f"  ... {len(kids) - MAX_CHILDREN} more in {path}/")
        if len(out) >= MAX_ENTRIES:
            out.append(f"... listing cut at {MAX_ENTRIES} entries; view a subdirectory to see more")
            break
    return out


def _label(path: str, kind: str) -> str:
    return {"D": f"{path}/", "J": f"{path}/ (not listed)"}.get(kind, path)
