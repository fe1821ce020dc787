"""Candidates made without the model: small, generic edits of the suspect lines (program-repair operators).

A small model often points at the right line and still cannot write the fix; many real bugs are one token
off (`<` for `<=`, a missing `+ 1`, two operands swapped, a sibling attribute). For each suspect line, in the
order given, this yields variants of it: comparisons and arithmetic flipped, integer literals moved by one,
`+ 1`/`- 1` removed or added at a closing bracket, two simple operands swapped, `and`/`or`, `min`/`max`,
`True`/`False` exchanged, a condition negated, an attribute replaced by a similar one the file uses. Only
variants that parse and change the syntax tree are kept; the tests decide. Python only.
"""

from __future__ import annotations

import ast
import difflib
import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

FLIPS = {"<": ["<=", ">"], "<=": ["<", ">="], ">": [">=", "<"], ">=": [">", "<="], "==": ["!="], "!=": ["=="],
         "+": ["-"], "-": ["+"], "//": ["/"], "/": ["//"], "+=": ["-="], "-=": ["+="], "and": ["or"],
         "or": ["and"], "True": ["False"], "False": ["True"], "min": ["max"], "max": ["min"], "is": ["is not"],
         "in": ["not in"]}
"""Token -> the tokens tried in its place."""

SIMPLE = (tokenize.NAME, tokenize.NUMBER)


@dataclass(frozen=True)
class Mutant:
    """One variant of a file."""

    path: str
    """The file changed."""
    line: int
    """1-based line changed."""
    what: str
    """The edit, in a few words (`'<' -> '<='`)."""
    text: str
    """The whole new file."""


def mutants(path: str, text: str, lines: list[int]) -> Iterator[Mutant]:
    """Variants of `text`'s `lines`, each parsing and differing from the original in its syntax tree: the
    likeliest kind of edit on every line (in the order of `lines`) before the next kind. Nothing for a file that
    does not parse."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        original = ast.dump(ast.parse(text))
    except (SyntaxError, tokenize.TokenError, ValueError):
        return
    source = text.splitlines(keepends=True)
    attributes = sorted({b.string for a, b in pairwise(tokens) if a.string == "." and b.type == tokenize.NAME})
    numbers = [n for n in dict.fromkeys(lines) if 1 <= n <= len(source)]
    on_line: dict[int, list[tokenize.TokenInfo]] = {n: [] for n in numbers}
    for token in tokens:
        if token.start[0] == token.end[0] and token.start[0] in on_line:
            on_line[token.start[0]].append(token)
    seen = {text}
    for kind in KINDS:
        for number in numbers:
            for what, new_line in kind(source[number - 1], on_line[number], attributes):
                new_text = "".join(source[:number - 1]) + new_line + "".join(source[number:])
                if new_text in seen or not _changes_tree(new_text, original):
                    continue
                seen.add(new_text)
                yield Mutant(path, number, what, new_text)


def _changes_tree(text: str, original: str) -> bool:
    try:
        return ast.dump(ast.parse(text)) != original
    except (SyntaxError, ValueError):
        return False


def _splice(line: str, token: tokenize.TokenInfo, new: str) -> str:
    return line[:token.start[1]] + new + line[token.end[1]:]


def _flips(line: str, tokens: list[tokenize.TokenInfo], _: list[str]) -> Iterator[tuple[str, str]]:
    for token in tokens:
        for other in FLIPS.get(token.string, []):
            yield f"{token.string!r} -> {other!r}", _splice(line, token, other)


def _one_removed(line: str, tokens: list[tokenize.TokenInfo], _: list[str]) -> Iterator[tuple[str, str]]:
    for before, token in pairwise(tokens):
        if before.type == tokenize.OP and before.string in "+-" and token.type == tokenize.NUMBER:
            yield f"{before.string} {token.string} removed", line[:before.start[1]].rstrip(" ") + line[token.end[1]:]


def _numbers(line: str, tokens: list[tokenize.TokenInfo], _: list[str]) -> Iterator[tuple[str, str]]:
    for before, token in pairwise([None, *tokens]):
        if token.type == tokenize.NUMBER and token.string.isdigit():
            value = int(token.string)
            after_sign = before is not None and before.string in "+-"  # `- 1` to `- 0` is `- 1` removed
            for other in [n for n in (value + 1, value - 1) if not (after_sign and n == 0)] if value else [1]:
                yield f"{value} -> {other}", _splice(line, token, str(other))


def _siblings(line: str, tokens: list[tokenize.TokenInfo], attributes: list[str]) -> Iterator[tuple[str, str]]:
    """An attribute replaced by the file's most similar other attributes."""
    for before, token in pairwise(tokens):
        if before.string == "." and token.type == tokenize.NAME:
            for other in difflib.get_close_matches(token.string, [a for a in attributes if a != token.string], 2, 0.4):
                yield f".{token.string} -> .{other}", _splice(line, token, other)


def _one_added(line: str, tokens: list[tokenize.TokenInfo], _: list[str]) -> Iterator[tuple[str, str]]:
    """`+ 1` or `- 1` before a closing bracket that follows an operand."""
    for before, token in pairwise(tokens):
        if token.string in ")]" and (before.type in SIMPLE or before.string in ")]"):
            for step in (" + 1", " - 1"):
                yield f"{step.strip()} before {token.string!r}", line[:token.start[1]] + step + line[token.start[1]:]


def _swaps(line: str, tokens: list[tokenize.TokenInfo], _: list[str]) -> Iterator[tuple[str, str]]:
    """Two simple operands in brackets exchanged: `f(a, b)` -> `f(b, a)`, `m[i, j]` -> `m[j, i]`."""
    for i in range(2, len(tokens) - 2):
        left, comma, right = tokens[i - 1], tokens[i], tokens[i + 1]
        if comma.string != "," or left.type not in SIMPLE or right.type not in SIMPLE:
            continue
        if tokens[i - 2].string not in "([," or tokens[i + 2].string not in ")],":
            continue
        swapped = (line[:left.start[1]] + right.string + line[left.end[1]:right.start[1]] + left.string
                   + line[right.end[1]:])
        yield f"{left.string}, {right.string} swapped", swapped


def _negations(line: str, tokens: list[tokenize.TokenInfo], _: list[str]) -> Iterator[tuple[str, str]]:
    """A `not` removed; the condition of an `if`/`elif`/`while` on one line negated."""
    for token in tokens:
        if token.string == "not":
            yield "not removed", line[:token.start[1]] + line[token.end[1]:].lstrip(" ")
    code = [t for t in tokens if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT,
                                                tokenize.DEDENT)]
    if len(code) > 2 and code[0].string in ("if", "elif", "while") and code[-1].string == ":":
        head, colon = code[0].end[1], code[-1].start[1]
        condition = line[head:colon].strip()
        yield "condition negated", line[:head] + f" not ({condition})" + line[colon:]


def changed_lines(original: str, text: str) -> list[int]:
    """1-based lines of `original` that `text` replaces or deletes, or next to which it inserts."""
    matcher = difflib.SequenceMatcher(None, original.splitlines(), text.splitlines(), autojunk=False)
    lines: list[int] = []
    for tag, start, end, _, _ in matcher.get_opcodes():
        if tag != "equal":
            lines += range(start + 1, end + 1) if end > start else [start, start + 1]
    return [n for n in dict.fromkeys(lines) if n >= 1]


KINDS = (_flips, _one_removed, _numbers, _swaps, _siblings, _negations, _one_added)
"""The kinds of edit, likeliest first; each maps (line, its tokens, the file's attribute names) to (what, new line)."""
