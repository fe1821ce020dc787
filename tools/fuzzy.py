"""Finding a block of lines when the model's copy drifted in whitespace or indentation (`edit`, `apply_patch`):
`exact`, then `rstrip` (trailing whitespace ignored), then `indent` (indentation may differ by the same amount on
every line). Lines come without newline characters."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

MODES = ("exact", "rstrip", "indent")
"""Matching levels, strictest first."""

MODE_NOTES = {
    "exact": "",
    "rstrip": "matched ignoring trailing whitespace",
    "indent": "matched ignoring indentation; the new text was re-indented to the file's",
}
"""What to tell the model about a match that needed tolerance."""


@dataclass(frozen=True)
class BlockMatch:
    """Where a block was found: lines[start:end], and the indentation of both sides for re-indenting."""

    start: int
    """Index of the first matched line (0-based)."""
    end: int
    """Index after the last matched line."""
    mode: str
    """Which level matched (one of MODES)."""
    file_indent: str = ""
    """Common indentation of the matched lines in the file (mode `indent`)."""
    block_indent: str = ""
    """Common indentation of the model's block (mode `indent`)."""

    def adapt(self, new_lines: list[str]) -> list[str]:
        """`new_lines` moved from the model's indentation to the file's (unchanged unless mode is `indent`)."""
        if self.mode != "indent" or self.file_indent == self.block_indent:
            return new_lines
        return [_move_indent(line, self.block_indent, self.file_indent) for line in new_lines]


def _move_indent(line: str, old: str, new: str) -> str:
    if not line.strip():
        return line
    if line.startswith(old):
        return new + line[len(old) :]
    return new + line.lstrip()


def common_indent(lines: list[str]) -> str:
    """The longest leading whitespace shared by all non-blank lines."""
    indents = [line[: len(line) - len(line.lstrip())] for line in lines if line.strip()]
    if not indents:
        return ""
    first, last = min(indents), max(indents)
    size = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), min(len(first), len(last)))
    return first[:size]


def _relative(lines: list[str]) -> list[str]:
    base = len(common_indent(lines))
    return [line[base:].rstrip() if line.strip() else "" for line in lines]


_KEYS = {"exact": list, "rstrip": lambda lines: [line.rstrip() for line in lines], "indent": _relative}
"""What of a block each level compares."""


def find_all(lines: list[str], block: list[str], mode: str) -> list[BlockMatch]:
    """Every position where `block` matches `lines` at the given level."""
    n = len(block)
    if n == 0 or n > len(lines):
        return []
    first, key = block[0].strip(), _KEYS[mode]
    wanted = key(block)
    matches = []
    for i in range(len(lines) - n + 1):
        if lines[i].strip() != first:
            continue  # cheap filter: the first line must agree ignoring all surrounding whitespace
        window = lines[i : i + n]
        if key(window) == wanted:
            indents = (common_indent(window), common_indent(block)) if mode == "indent" else ("", "")
            matches.append(BlockMatch(i, i + n, mode, *indents))
    return matches


def find_block(lines: list[str], block: list[str], modes: tuple[str, ...] = MODES) -> list[BlockMatch]:
    """All matches at the strictest level that has any ([] when none matches)."""
    for mode in modes:
        found = find_all(lines, block, mode)
        if found:
            return found
    return []


def closest_region(lines: list[str], block: list[str]) -> tuple[int, int] | None:
    """The window of `lines` most like `block` (start, end), or None. Block lines found in the file vote for its
    start; without any, the file line most like the block's first non-blank line anchors it."""
    keyed = [line.strip() for line in lines]
    positions: dict[str, list[int]] = {}
    for i, key in enumerate(keyed):
        if key:
            positions.setdefault(key, []).append(i)
    votes: Counter[int] = Counter()
    for j, line in enumerate(block):
        for i in positions.get(line.strip(), [])[:50]:
            votes[i - j] += 1
    if votes:
        start = max(votes, key=lambda s: (votes[s], -abs(s)))
    else:
        anchor_index, anchor = next(((j, b.strip()) for j, b in enumerate(block) if b.strip()), (0, ""))
        close = difflib.get_close_matches(anchor, list(positions), n=1, cutoff=0.5)
        if not close:
            return None
        start = positions[close[0]][0] - anchor_index
    start = max(0, start)
    return start, min(len(lines), start + max(len(block), 1))


def first_difference(lines: list[str], block: list[str], start: int) -> str:
    """Where the block and the file from `start` first disagree, said in one line."""
    for j, expected in enumerate(block):
        i = start + j
        found = lines[i] if i < len(lines) else None
        if found is None:
            return f"the file ends before line {i + 1}, where you expected {expected!r}"
        if found.strip() != expected.strip():
            return f"line {i + 1} is {found!r}, you expected {expected!r}"
    return "they differ only in whitespace or indentation that is not consistent across lines"
