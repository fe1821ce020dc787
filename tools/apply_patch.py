"""The `apply_patch` tool: a unified diff over one or more files, tidied (fences, hunk counts, blank context
lines), placed by tools/hunks.py and written all-or-nothing (every hunk placed, no new syntax error)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from unidiff import PatchSet, UnidiffParseError

from tools.function_tool import ToolError
from tools.hunks import HunkFailed, hunk_from_unidiff, place_hunks
from tools.paths import resolve_path
from tools.textfile import FileMissing, TextFile, ensure_parses, read_text, split_lines
from workspaces.base import Workspace

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$")


@dataclass
class FileChange:
    """What one file will become: `after` None means deleted; `source` set means renamed from there."""

    path: str
    before: TextFile | None
    after: str | None
    source: str | None = None
    notes: list[str] = field(default_factory=list)


def apply_patch(ws: Workspace, patch: str, *, check_syntax: bool = True) -> str:
    """Apply a unified diff (as `git diff` or `diff -u` print it) to one or more files.

    New files (--- /dev/null) and deletions (+++ /dev/null) are supported. Line numbers in the @@
    headers may be approximate: each hunk is placed where its context lines match, nearest to the
    stated line. Nothing is written unless every hunk applies.

    Args:
        patch: The unified diff text, with ---/+++ file headers and @@ hunks whose context lines match the file.
    """
    try:
        patchset = PatchSet(repair_patch(patch))
    except UnidiffParseError as exc:
        raise ToolError(f"The patch could not be parsed: {exc}. Give a unified diff with ---/+++ headers and "
                        "@@ hunks.") from None
    if not len(patchset):
        raise ToolError("The patch holds no file changes; it needs ---/+++ file headers followed by @@ hunks.")
    changes, failures = [], []
    for patched in patchset:
        try:
            changes.append(_plan(ws, patched))
        except ToolError as exc:
            failures.append(str(exc))
    if failures:
        raise ToolError("The patch was not applied; no file was changed.\n" + "\n".join(failures))
    for change in changes:
        if change.after is not None:
            ensure_parses(change.path, change.before.text if change.before else "", change.after,
                          check_syntax=check_syntax)
    _write(ws, changes)
    return "\n".join(_summary(change) for change in changes)


def _plan(ws: Workspace, patched) -> FileChange:  # noqa: ANN001 - a unidiff PatchedFile
    if patched.is_binary_file:
        raise ToolError(f"{patched.path}: binary patches are not supported.")
    source = None if patched.is_added_file else resolve_path(ws, patched.source_file.removeprefix("a/"))
    target = None if patched.is_removed_file else resolve_path(ws, patched.target_file.removeprefix("b/"))
    if target is None:
        return FileChange(source, _read(ws, source, must_exist=True), None)
    current = _current(ws, patched, source, target)
    hunks = [hunk_from_unidiff(h) for h in patched if h.source_length or h.target_length]
    if not hunks and not patched.is_rename and not patched.is_added_file:
        raise ToolError(f"{target}: the patch has a header for this file but no @@ hunks.")
    base = current or TextFile(target, "")
    try:
        lines, notes, touches_end = place_hunks(split_lines(base.text), hunks)
    except HunkFailed as exc:
        raise ToolError(f"{base.path}: {exc}") from None
    ends_with_newline = base.text.endswith("\n") or not base.text
    if touches_end and any(h.old_no_newline or h.new_no_newline for h in hunks):
        ends_with_newline = not hunks[-1].new_no_newline
    text = "\n".join(lines) + ("\n" if ends_with_newline and lines else "")
    if patched.is_rename and source is not None and source != target:
        return FileChange(target, None, text, source, notes)
    return FileChange(target, current, text, None, notes)


def _current(ws: Workspace, patched, source: str | None, target: str) -> TextFile | None:  # noqa: ANN001
    """The file the hunks apply to: none for a new file; the source of a rename; else the target (or,
    for `diff -u old new` headers, whichever of the two names exists)."""
    if source is None:
        if _read(ws, target, must_exist=False) is not None:
            raise ToolError(f"{target} already exists; write the diff against its current content instead.")
        return None
    if patched.is_rename:
        return _read(ws, source, must_exist=True)
    current = _read(ws, target, must_exist=False) or _read(ws, source, must_exist=False)
    if current is None and not _only_additions(patched):
        raise ToolError(f"{target} does not exist, but the patch changes it.")
    return current


def _only_additions(patched) -> bool:  # noqa: ANN001 - a unidiff PatchedFile
    return all(line.line_type in "+\\" for hunk in patched for line in hunk)


def _read(ws: Workspace, path: str, *, must_exist: bool) -> TextFile | None:
    try:
        return read_text(ws, path)
    except FileMissing:
        if must_exist:
            raise ToolError(f"{path} does not exist, but the patch changes or deletes it.") from None
        return None


def _write(ws: Workspace, changes: list[FileChange]) -> None:
    for change in changes:
        if change.after is not None:
            crlf = change.before is not None and change.before.crlf
            ws.write_file(change.path, change.after.replace("\n", "\r\n") if crlf else change.after)
    removed = [c.path for c in changes if c.after is None] + [c.source for c in changes if c.source]
    if removed:
        result = ws.exec("rm -f -- " + " ".join(shlex.quote(p) for p in removed), timeout=30)
        if result.exit_code != 0:
            raise ToolError(f"Could not delete {', '.join(removed)}: {result.output.strip()}")


def _summary(change: FileChange) -> str:
    if change.after is None:
        return f"Deleted {change.path}."
    if change.source:
        verb = f"Renamed {change.source} to {change.path}"
    elif change.before is None:
        verb = f"Created {change.path}"
    else:
        verb = f"Patched {change.path}"
    count = len(split_lines(change.after))
    return "\n  ".join([f"{verb} ({count} lines).", *change.notes])


def repair_patch(text: str) -> str:
    """Tidy a model-written diff: drop markdown fences, restore blank context lines, recount @@ headers."""
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if not line.startswith("```")]
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("@@"):
            body, end = _hunk_body(lines, i + 1)
            out += [_recounted(lines[i], body), *body]
            i = end
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out).rstrip("\n") + "\n"


def _hunk_body(lines: list[str], i: int) -> tuple[list[str], int]:
    """The hunk lines from index `i`, and the index after them. An empty line inside a hunk is a context line
    whose leading space was lost; empty lines after the last hunk line are left outside."""
    body: list[str] = []
    blanks = 0
    while i < len(lines):
        line = lines[i]
        if line == "":
            blanks += 1
        elif line.startswith("@@") or _is_file_header(lines, i) or line[0] not in " +-\\":
            break
        else:
            body += [" "] * blanks + [line]
            blanks = 0
        i += 1
    return body, i - blanks


def _is_file_header(lines: list[str], i: int) -> bool:
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _recounted(header: str, body: list[str]) -> str:
    old = sum(1 for line in body if line[0] in " -")
    new = sum(1 for line in body if line[0] in " +")
    match = _HUNK_HEADER.match(header)
    if match:
        old_start, new_start, tail = int(match[1]), int(match[2]), match[3]
    else:  # "@@ @@" or "@@ some text": no line numbers, so placement goes by content alone
        old_start, new_start, tail = int(old > 0), int(new > 0), ""
    return f"@@ -{old_start},{old} +{new_start},{new} @@{tail}"
