"""The editing tools `edit`, `insert` and `create`: three small tools, not one with a `command` argument, so a weak
model cannot pair a command with the wrong arguments. A change that introduces a syntax error is refused."""

from __future__ import annotations

import re

from tools.function_tool import ToolError
from tools.fuzzy import MODE_NOTES, BlockMatch, closest_region, find_block, first_difference
from tools.paths import resolve_path
from tools.textfile import FileMissing, NotAFile, TextFile, numbered, read_text, snippet, split_lines, write_checked
from workspaces.base import Workspace

SNIPPET_MAX_LINES = 40
"""Lines of the changed region shown after an edit."""

_NUMBERED = re.compile(r"^\s*\d+\t")


def edit(ws: Workspace, path: str, old_text: str, new_text: str, *, check_syntax: bool = True) -> str:
    """Replace one occurrence of old_text in a file with new_text.

    old_text must occur exactly once: copy it from the file (whole lines are best) and add a
    neighbouring line if it is not unique. Differences only in trailing whitespace or in the
    indentation of the whole block are tolerated (new_text is then re-indented to match).
    An empty new_text deletes old_text.

    Args:
        path: The file to change, relative to the repository root.
        old_text: The exact text to replace, as it appears in the file (without line numbers).
        new_text: The text to put in its place.
    """
    file = read_text(ws, resolve_path(ws, path))
    old, new = old_text.replace("\r\n", "\n"), new_text.replace("\r\n", "\n")
    if not old.strip():
        raise ToolError("old_text is empty. To add lines use `insert`; to make a new file use `create`.")
    if old == new:
        raise ToolError("old_text and new_text are the same; nothing would change.")
    result = _replace_exact(file, old, new) or _replace_fuzzy(file, old, new)
    if result is None and _NUMBERED.match(old):
        result = _replace_fuzzy(file, _unnumber(old), _unnumber(new), note="line numbers removed from old_text")
    if result is None:
        raise ToolError(_no_match_message(file, old))
    text, start, end, note = result
    write_checked(ws, file, text, check_syntax=check_syntax)
    return _edited(file.path, split_lines(text), start, end, note)


def _replace_exact(file: TextFile, old: str, new: str) -> tuple[str, int, int, str] | None:
    count = file.text.count(old)
    if count == 0:
        return None
    if count > 1:
        starts = [m.start() for m in re.finditer(re.escape(old), file.text)]
        lines = ", ".join(str(file.text.count("\n", 0, i) + 1) for i in starts[:20])
        raise ToolError(
            f"old_text occurs {count} times in {file.path} (at lines {lines}); include more surrounding lines "
            "so that it matches exactly one place."
        )
    index = file.text.index(old)
    start = file.text.count("\n", 0, index)
    return file.text[:index] + new + file.text[index + len(old) :], start, start + new.count("\n") + 1, ""


def _replace_fuzzy(file: TextFile, old: str, new: str, note: str = "") -> tuple[str, int, int, str] | None:
    """Whole-line replacement tolerating whitespace drift; None when the block is not found."""
    block, new_lines = _trim_blank_edges(split_lines(old), split_lines(new))
    lines = split_lines(file.text)
    matches = find_block(lines, block, modes=("rstrip", "indent"))
    if not matches:
        return None
    if len(matches) > 1:
        where = ", ".join(str(m.start + 1) for m in matches[:20])
        raise ToolError(
            f"old_text matches {len(matches)} places in {file.path} ({MODE_NOTES[matches[0].mode]}; at lines "
            f"{where}); include more surrounding lines so that it matches exactly one place."
        )
    match: BlockMatch = matches[0]
    replacement = match.adapt(new_lines)
    result = lines[: match.start] + replacement + lines[match.end :]
    text = "\n".join(result) + ("\n" if file.text.endswith("\n") and result else "")
    notes = "; ".join(n for n in (note, MODE_NOTES[match.mode]) if n)
    return text, match.start, match.start + len(replacement), notes


def _trim_blank_edges(block: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """Drop blank lines at the block's edges (and as many at the new text's edges)."""
    lead = next((i for i, line in enumerate(block) if line.strip()), len(block))
    trail = next((i for i, line in enumerate(reversed(block)) if line.strip()), 0)
    new_lead = min(lead, next((i for i, line in enumerate(new) if line.strip()), len(new)))
    new_trail = min(trail, next((i for i, line in enumerate(reversed(new)) if line.strip()), 0))
    return block[lead : len(block) - trail], new[new_lead : len(new) - new_trail]


def _unnumber(text: str) -> str:
    return "\n".join(_NUMBERED.sub("", line) for line in text.split("\n"))


def _no_match_message(file: TextFile, old: str) -> str:
    lines = split_lines(file.text)
    block = split_lines(old)
    region = closest_region(lines, block)
    message = f"old_text was not found in {file.path}"
    if region is None:
        return f"{message}, and nothing there resembles it. View the file and copy old_text from it exactly."
    start, end = region
    return (
        f"{message}. The most similar part is lines {start + 1}-{end}:\n{numbered(lines[start:end], start + 1)}\n"
        f"First difference: {first_difference(lines, block, start)}. Copy old_text exactly from the file."
    )


def _edited(path: str, lines: list[str], start: int, end: int, note: str) -> str:
    shown_end = min(end, start + SNIPPET_MAX_LINES)
    span = f"Line {start + 1}" if end <= start + 1 else f"Lines {start + 1}-{end}"
    head = f"Edited {path}" + (f" ({note})" if note else "") + f". {span} now:"
    return f"{head}\n{snippet(lines, start, shown_end)}"


def insert(ws: Workspace, path: str, line: int, text: str, *, check_syntax: bool = True) -> str:
    """Insert text after the given line of a file (line 0 puts it at the top, -1 at the end).

    The text is inserted exactly as given, so indent it as the surrounding code needs.

    Args:
        path: The file to change, relative to the repository root.
        line: Line number (1-based) after which the text goes; 0 for the top, -1 for the end.
        text: The lines to insert.
    """
    file = read_text(ws, resolve_path(ws, path))
    new_lines = split_lines(text.replace("\r\n", "\n"))
    if not new_lines:
        raise ToolError("text is empty; nothing to insert.")
    lines = split_lines(file.text)
    after = len(lines) if line == -1 else line
    if not 0 <= after <= len(lines):
        raise ToolError(f"line={line} is outside {file.path}, which has {len(lines)} lines; use 0 to {len(lines)}.")
    result = lines[:after] + new_lines + lines[after:]
    ends_with_newline = file.text.endswith("\n") or not file.text
    write_checked(ws, file, "\n".join(result) + ("\n" if ends_with_newline else ""), check_syntax=check_syntax)
    return _edited(file.path, result, after, after + len(new_lines), "")


def create(ws: Workspace, path: str, content: str, overwrite: bool = False, *, check_syntax: bool = True) -> str:
    """Create a new file with the given content (parent directories are made as needed).

    Args:
        path: The new file's path, relative to the repository root.
        content: The whole text of the file.
        overwrite: Replace the file if it already exists (otherwise that is refused).
    """
    rel = resolve_path(ws, path)
    try:
        before: TextFile | None = read_text(ws, rel)
    except NotAFile:
        raise ToolError(f"{rel} is a directory; give a file path inside it.") from None
    except FileMissing:
        before = None
    if before is not None and not overwrite:
        raise ToolError(
            f"{rel} already exists ({len(split_lines(before.text))} lines). Use `edit` to change it, or set "
            "overwrite=true to replace its whole content."
        )
    text = content.replace("\r\n", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    write_checked(ws, before or TextFile(rel, ""), text, check_syntax=check_syntax)
    verb = "Overwrote" if before is not None else "Created"
    count = len(split_lines(text))
    return f"{verb} {rel} ({count} line{'' if count == 1 else 's'})."
