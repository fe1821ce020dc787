"""The `search` tool: regex or literal search in the workspace (ripgrep where the workspace has it, else grep, chosen
by the shell); `awk` passes the first N matches on and counts the rest, so a pattern that matches everywhere costs one
pass and a few kilobytes of output."""

from __future__ import annotations

import shlex
from typing import Literal

from tools.function_tool import ToolError
from tools.paths import resolve_path
from workspaces.base import Workspace

LINE_WIDTH = 200
"""Characters of a matching line shown; longer lines are cut."""

GREP_EXCLUDED_DIRS = (".git", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache")
"""Directories grep skips (ripgrep skips .git itself and whatever .gitignore names)."""

_COUNT_REST = r"""
{ i = index($0, "\0"); f = substr($0, 1, i - 1) }
NR <= max { print substr($0, 1, i + width + 40); last = f; next }
{ rest++; if (rest == 1 || f != last) files++; last = f }
END { printf "\001REST %d %d\n", rest, files }
"""


def search(
    ws: Workspace, pattern: str, path: str = ".", literal: bool = False, glob: str | None = None,
    ignore_case: bool = False, *, max_results: int = 50, timeout: float = 60.0,
    engine: Literal["auto", "rg", "grep"] = "auto",
) -> str:
    """Search file contents for a regular expression (or exact text) and list matching lines as `path:line: text`.

    Files ignored by git are skipped when ripgrep is available. Results are capped; the rest are counted.

    Args:
        pattern: Regular expression (e.g. "def add\\(") or, with literal=true, the exact text to find.
        path: Directory or file to search, relative to the repository root.
        literal: Treat the pattern as plain text, not a regular expression.
        glob: Only search files whose name matches this glob, e.g. "*.py".
        ignore_case: Match upper and lower case alike.
    """
    if not pattern:
        raise ToolError("The search pattern is empty.")
    if "\n" in pattern:
        raise ToolError("The pattern spans several lines; search for one line of it at a time.")
    rel = resolve_path(ws, path)
    rg, grep = (build(pattern, rel, literal, glob, ignore_case) for build in (_rg_command, _grep_command))
    chosen = {"rg": rg, "grep": grep}.get(engine, f"if command -v rg >/dev/null 2>&1; then {rg}; else {grep}; fi")
    cmd = f"set -o pipefail; {chosen} | awk -v max={max_results} -v width={LINE_WIDTH} {shlex.quote(_COUNT_REST)}"
    result = ws.exec(cmd, timeout=timeout)
    if result.timed_out:
        raise ToolError(f"The search took longer than {timeout:g} s; narrow it with `path` or `glob`.")
    matches, rest, files, messages = _parse(result.output)
    if not matches:
        if result.exit_code >= 2:
            detail = "\n".join(messages)[:800] or f"exit code {result.exit_code}"
            hint = "" if literal else " If you meant the text literally, set literal=true."
            raise ToolError(f"The search failed: {detail}{hint}", data={"exit_code": result.exit_code})
        kind = "text" if literal else "pattern"
        hint = ""
        if literal and any(ch in pattern for ch in "|*+?[]()\\^$"):
            hint = " literal=true matched the text exactly, symbols included; for a regex use literal=false."
        return f"No matches for {kind} {pattern!r} in {'the repository' if rel == '.' else rel}.{hint}"
    if rest:
        matches.append(f"... {rest} more matches in {files} files (narrow the search with `path` or `glob`)")
    return "\n".join(matches)


def _rg_command(pattern: str, rel: str, literal: bool, glob: str | None, ignore_case: bool) -> str:
    args = ["rg", "--no-config", "--line-number", "--with-filename", "--no-heading", "--null", "--color", "never",
            "--sort", "path", "--hidden", "--glob", "!.git"]
    args += ["--fixed-strings"] if literal else []
    args += ["--ignore-case"] if ignore_case else []
    args += ["--glob", glob] if glob else []
    return shlex.join([*args, "-e", pattern, "--", rel])


def _grep_command(pattern: str, rel: str, literal: bool, glob: str | None, ignore_case: bool) -> str:
    args = ["grep", "-r", "-n", "-H", "-I", "--null", "--color=never", "-F" if literal else "-E"]
    args += [f"--exclude-dir={d}" for d in GREP_EXCLUDED_DIRS]
    args += ["-i"] if ignore_case else []
    args += [f"--include={glob.rsplit('/', 1)[-1]}"] if glob else []
    return shlex.join([*args, "-e", pattern, "--", rel])


def _parse(output: str) -> tuple[list[str], int, int, list[str]]:
    """(matches as `path:line: text`, long lines cut; matches not shown, files they are in, other messages)."""
    matches, messages = [], []
    rest = files = 0
    for line in output.split("\n"):  # not splitlines(): it also splits at \x1c-\x1e
        if "\0" in line:
            path, _, body = line.partition("\0")
            number, _, text = body.partition(":")
            text = text.strip()
            cut = text[:LINE_WIDTH] + " ... [line cut]" if len(text) > LINE_WIDTH else text
            matches.append(f"{path.removeprefix('./')}:{number}: {cut}")
        elif line.startswith("\001REST "):
            rest, files = (int(x) for x in line.split()[1:3])
        elif line.strip():
            messages.append(line.strip())
    return matches, rest, files, messages

