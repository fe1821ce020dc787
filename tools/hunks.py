"""Placing the hunks of a unified diff in a file whose line numbers may have moved: nearest match to the stated
line (shifted by the previous hunk's offset), then with whitespace drift tolerated (tools/fuzzy.py), then, as
`patch --fuzz` does, with up to MAX_FUZZ context lines at each edge ignored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.fuzzy import MODE_NOTES, MODES, BlockMatch, closest_region, find_all, first_difference
from tools.textfile import numbered

MAX_FUZZ = 2
"""Context lines at each edge of a hunk that may be ignored."""


@dataclass
class Hunk:
    """One hunk as lines: kinds are ' ' (context), '-' (removed) and '+' (added)."""

    header: str
    """The @@ line, for messages."""
    source_start: int
    """Stated first line of the old side (1-based; 0 for an insertion at the top)."""
    lines: list[tuple[str, str]] = field(default_factory=list)
    """(kind, text without newline) in order."""
    old_no_newline: bool = False
    """The old side's last line had no newline at the end of the file."""
    new_no_newline: bool = False
    """The new side's last line has no newline at the end of the file."""

    def sides(self, fuzz: int = 0) -> tuple[list[str], list[str]]:
        """(old lines, new lines), ignoring up to `fuzz` context lines at each edge."""
        lead = _context_run(self.lines)
        trail = _context_run(self.lines[::-1])
        body = self.lines[min(fuzz, lead) : len(self.lines) - min(fuzz, trail)]
        old = [text for kind, text in body if kind != "+"]
        new = [text for kind, text in body if kind != "-"]
        return old, new

    def describe(self, number: int) -> str:
        """`hunk 2 (@@ -10,6 +10,7 @@)`."""
        return f"hunk {number} ({self.header.strip()})"


def _context_run(lines: list[tuple[str, str]]) -> int:
    return next((i for i, (kind, _) in enumerate(lines) if kind != " "), len(lines))


def hunk_from_unidiff(hunk: Any) -> Hunk:
    """Our Hunk from a unidiff Hunk, with the "no newline at end of file" markers noted."""
    result = Hunk(header=f"@@ -{hunk.source_start},{hunk.source_length} +{hunk.target_start},{hunk.target_length} @@",
                  source_start=hunk.source_start)
    previous = None
    for line in hunk:
        if line.line_type == "\\":
            result.old_no_newline |= previous in (" ", "-")
            result.new_no_newline |= previous in (" ", "+")
            continue
        result.lines.append((line.line_type, line.value.rstrip("\n")))
        previous = line.line_type
    return result


class HunkFailed(Exception):
    """A hunk could not be placed; the message says which and why."""


@dataclass
class Placement:
    """Where a hunk went: lines[start:end] of the file become `new`."""

    start: int
    """First file line replaced (0-based)."""
    end: int
    """Index after the last file line replaced."""
    new: list[str]
    """The lines put in their place."""
    anchor: int
    """Where the hunk's whole old side starts (differs from `start` when edge context was ignored)."""
    note: str = ""
    """What tolerance was needed, for the model."""


def place_hunks(lines: list[str], hunks: list[Hunk]) -> tuple[list[str], list[str], bool]:
    """The lines with every hunk applied, notes on hunks that needed tolerance, and whether the last hunk reached
    the end of the file. Raises HunkFailed naming the first hunk that could not be placed."""
    offset, floor = 0, 0
    placements: list[Placement] = []
    for number, hunk in enumerate(hunks, start=1):
        pure_insertion = all(kind == "+" for kind, _ in hunk.lines)
        # "@@ -K,0 ..." inserts after line K; otherwise the old side starts at line K.
        base = hunk.source_start if pure_insertion else max(hunk.source_start - 1, 0)
        expected = min(base + offset, len(lines))
        placement = _place(lines, hunk, expected, floor)
        if placement is None:
            raise HunkFailed(_failure(lines, hunk, number, floor))
        moved = placement.anchor - expected
        if placement.note or moved:
            where = f"{abs(moved)} lines {'below' if moved > 0 else 'above'} its stated position" if moved else ""
            placement.note = f"{hunk.describe(number)}: " + "; ".join(x for x in (where, placement.note) if x)
        placements.append(placement)
        offset = placement.anchor - base
        floor = placement.end
    result: list[str] = []
    cursor = 0
    for p in placements:
        result += lines[cursor : p.start] + p.new
        cursor = p.end
    touches_end = bool(placements) and placements[-1].end == len(lines)
    return result + lines[cursor:], [p.note for p in placements if p.note], touches_end


def _place(lines: list[str], hunk: Hunk, expected: int, floor: int) -> Placement | None:
    old_all, new_all = hunk.sides()
    if not old_all:
        at = max(expected, floor)
        return Placement(at, at, new_all, at)
    removed = sum(1 for kind, _ in hunk.lines if kind == "-")
    previous: list[str] | None = None
    for fuzz in range(MAX_FUZZ + 1):
        old, new = hunk.sides(fuzz)
        if old == previous or (fuzz and len(old) - removed < 1):
            break  # no more context to drop, or none would be left to anchor the hunk
        previous = old
        lead = min(fuzz, _context_run(hunk.lines))
        for mode in MODES:
            candidates = [m for m in find_all(lines, old, mode) if m.start >= floor]
            if fuzz and len(candidates) > 1:
                continue  # with context ignored, only an unambiguous place is safe
            if candidates:
                best: BlockMatch = min(candidates, key=lambda m: (abs(m.start - lead - expected), m.start))
                notes = [MODE_NOTES[mode]] if mode != "exact" else []
                notes += [f"ignored {fuzz} context line(s) at its edges"] if fuzz else []
                return Placement(best.start, best.end, best.adapt(new), best.start - lead, "; ".join(notes))
    return None


def _failure(lines: list[str], hunk: Hunk, number: int, floor: int) -> str:
    old, _ = hunk.sides()
    head = f"{hunk.describe(number)} could not be placed: its context and removed lines are not in the file"
    if floor:
        head += f" after line {floor} (where the previous hunk ended)"
    region = closest_region(lines, old)
    if region is None:
        return head + ", and nothing there resembles them."
    start, end = region
    return (f"{head}. The most similar part is lines {start + 1}-{end}:\n{numbered(lines[start:end], start + 1)}\n"
            f"First difference: {first_difference(lines, old, start)}.")
