"""Candidates made without the model: small generic edits of suspect Python lines (see agent/search/README.md),
kept only if they parse and change the syntax tree."""

from __future__ import annotations

import ast
import difflib
import io
import sys
import tokenize
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

FLIPS = {"<": ["<=", ">"], "<=": ["<", ">="], ">": [">=", "<"], ">=": [">", "<="], "==": ["!="], "!=": ["=="],
         "+": ["-"], "-": ["+"], "//": ["/"], "/": ["//"], "+=": ["-="], "-=": ["+="], "and": ["or"],
         "or": ["and"], "True": ["False"], "False": ["True"], "min": ["max"], "max": ["min"], "is": ["is not"],
         "in": ["not in"]}
"""Token -> the tokens tried in its place."""

SIMPLE = (tokenize.NAME, tokenize.NUMBER)
BORROWED_NAMES = 3
"""Variables tried in place of one call or subscript (the nearest bindings above it)."""
FORM_CHARS = 30
"""Longest form of a variable borrowed (`items[i - 1]`)."""
GUARD_VALUES = 3
"""Values a guard tries returning (the function's first literal return values)."""


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


@dataclass(frozen=True)
class Line:
    """A suspect line, and what the kinds of edit need to know of it and its file."""

    text: str
    """The line, with its end of line."""
    number: int
    """1-based."""
    tokens: list[tokenize.TokenInfo]
    """Its tokens."""
    attributes: list[str]
    """Attribute names the file uses."""
    tree: ast.Module
    """The file's syntax tree."""


def mutants(path: str, text: str, lines: list[int]) -> Iterator[Mutant]:
    """Variants of `text`'s `lines` that parse and change the syntax tree, the likeliest kind of edit on every line
    before the next kind; nothing for a file that does not parse."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        tree = ast.parse(text)
    except (SyntaxError, tokenize.TokenError, ValueError):
        return
    source, original = text.splitlines(keepends=True), ast.dump(tree)
    attributes = sorted({b.string for a, b in pairwise(tokens) if a.string == "." and b.type == tokenize.NAME})
    numbers = [n for n in dict.fromkeys(lines) if 1 <= n <= len(source)]
    on_line: dict[int, list[tokenize.TokenInfo]] = {n: [] for n in numbers}
    for token in tokens:
        if token.start[0] == token.end[0] and token.start[0] in on_line:
            on_line[token.start[0]].append(token)
    suspects = [Line(source[n - 1], n, on_line[n], attributes, tree) for n in numbers]
    seen = {text}
    for kind in KINDS:
        for line in suspects:
            for what, new_line in kind(line):
                new_text = "".join(source[:line.number - 1]) + new_line + "".join(source[line.number:])
                if new_text in seen or not _changes_tree(new_text, original):
                    continue
                seen.add(new_text)
                yield Mutant(path, line.number, what, new_text)


def _changes_tree(text: str, original: str) -> bool:
    try:
        return ast.dump(ast.parse(text)) != original
    except (SyntaxError, ValueError):
        return False


def _splice(line: str, token: tokenize.TokenInfo, new: str) -> str:
    return line[:token.start[1]] + new + line[token.end[1]:]


def _flips(line: Line) -> Iterator[tuple[str, str]]:
    for token in line.tokens:
        for other in FLIPS.get(token.string, []):
            yield f"{token.string!r} -> {other!r}", _splice(line.text, token, other)


def _one_removed(line: Line) -> Iterator[tuple[str, str]]:
    text = line.text
    for before, token in pairwise(line.tokens):
        if before.type == tokenize.OP and before.string in "+-" and token.type == tokenize.NUMBER:
            yield f"{before.string} {token.string} removed", text[:before.start[1]].rstrip(" ") + text[token.end[1]:]


def _numbers(line: Line) -> Iterator[tuple[str, str]]:
    for before, token in pairwise([None, *line.tokens]):
        if token.type == tokenize.NUMBER and token.string.isdigit():
            value = int(token.string)
            after_sign = before is not None and before.string in "+-"  # `- 1` to `- 0` is `- 1` removed
            for other in [n for n in (value + 1, value - 1) if not (after_sign and n == 0)] if value else [1]:
                yield f"{value} -> {other}", _splice(line.text, token, str(other))


def _siblings(line: Line) -> Iterator[tuple[str, str]]:
    """An attribute replaced by the file's most similar other attributes."""
    for before, token in pairwise(line.tokens):
        if before.string == "." and token.type == tokenize.NAME:
            others = [a for a in line.attributes if a != token.string]
            for other in difflib.get_close_matches(token.string, others, 2, 0.4):
                yield f".{token.string} -> .{other}", _splice(line.text, token, other)


def _one_added(line: Line) -> Iterator[tuple[str, str]]:
    """`+ 1` or `- 1` before a closing bracket that follows an operand."""
    text = line.text
    for before, token in pairwise(line.tokens):
        if token.string in ")]" and (before.type in SIMPLE or before.string in ")]"):
            for step in (" + 1", " - 1"):
                yield f"{step.strip()} before {token.string!r}", text[:token.start[1]] + step + text[token.start[1]:]


def _swaps(line: Line) -> Iterator[tuple[str, str]]:
    """Two simple operands in brackets exchanged: `f(a, b)` -> `f(b, a)`, `m[i, j]` -> `m[j, i]`."""
    text, tokens = line.text, line.tokens
    for i in range(2, len(tokens) - 2):
        left, comma, right = tokens[i - 1], tokens[i], tokens[i + 1]
        if comma.string != "," or left.type not in SIMPLE or right.type not in SIMPLE:
            continue
        if tokens[i - 2].string not in "([," or tokens[i + 2].string not in ")],":
            continue
        swapped = (text[:left.start[1]] + right.string + text[left.end[1]:right.start[1]] + left.string
                   + text[right.end[1]:])
        yield f"{left.string}, {right.string} swapped", swapped


def _negations(line: Line) -> Iterator[tuple[str, str]]:
    """A `not` removed; the condition of an `if`/`elif`/`while` on one line negated."""
    text = line.text
    for token in line.tokens:
        if token.string == "not":
            yield "not removed", text[:token.start[1]] + text[token.end[1]:].lstrip(" ")
    code = [t for t in line.tokens if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT,
                                                tokenize.DEDENT)]
    if len(code) > 2 and code[0].string in ("if", "elif", "while") and code[-1].string == ":":
        head, colon = code[0].end[1], code[-1].start[1]
        condition = text[head:colon].strip()
        yield "condition negated", text[:head] + f" not ({condition})" + text[colon:]


def _borrowed(line: Line) -> Iterator[tuple[str, str]]:
    """Code the same function has, in place of code on the line: a variable by a form of it used elsewhere in the
    function (`b` -> `b[1:]`), a call or subscript by one of the variables bound nearest above the line."""
    scope = _scope(line.tree, line.number)
    statements = {id(n.value) for n in ast.walk(scope) if isinstance(n, ast.Expr)}
    indexed = {id(n.value) for n in ast.walk(scope) if isinstance(n, ast.Subscript | ast.Attribute)}
    forms, bound, reads = _forms(scope), _bound_above(scope, line.number), _reads(scope)
    every_bound = set(_bound_above(scope, sys.maxsize))
    here = [n for n in ast.walk(scope) if getattr(n, "lineno", 0) == getattr(n, "end_lineno", 0) == line.number]
    for node in sorted(here, key=lambda n: n.col_offset):
        if not _is_read(node) or id(node) in statements:
            continue
        if isinstance(node, ast.Name) and id(node) not in indexed:  # `b[0]` to `b[1:][0]` is a stretch
            others = {shown: text for form, shown, text in forms.get(node.id, []) if not _around(form, node)}
            for shown, text in others.items():  # a form holding this very variable would only grow
                yield f"{node.id} -> {shown}", _replace(line.text, node, text)
        elif isinstance(node, ast.Call | ast.Subscript) and not _last_reads(node, reads, every_bound):
            inside = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            for name in [b for b in bound if b not in inside][:BORROWED_NAMES]:
                shown = ast.unparse(node)
                yield f"{shown if len(shown) <= FORM_CHARS else shown[:FORM_CHARS] + '...'} -> {name}", \
                    _replace(line.text, node, name)


def _guards(line: Line) -> Iterator[tuple[str, str]]:
    """`if not v: return x` before a simple statement reading `v` (a parameter or bound above), for literals `x` the
    function returns elsewhere: an unhandled empty input is a common bug, its fix a base case the function knows."""
    scope = _scope(line.tree, line.number)
    statement = next((n for n in ast.walk(scope) if isinstance(n, ast.stmt) and n.lineno == line.number
                      and not hasattr(n, "body") and not isinstance(n, ast.Raise)), None)
    if statement is None or scope is line.tree:
        return
    values = list(dict.fromkeys(ast.unparse(n.value) for n in ast.walk(scope) if isinstance(n, ast.Return)
                                and n.value is not None and _is_literal(n.value)))[:GUARD_VALUES]
    bound = set(_bound_above(scope, line.number))
    read = [n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and _is_read(n) and n.id in bound]
    indent = line.text[:len(line.text) - len(line.text.lstrip())]
    for name in dict.fromkeys(read):
        for value in values:
            yield f"`if not {name}: return {value}` added", \
                f"{indent}if not {name}:\n{indent}    return {value}\n{line.text}"


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _last_reads(node: ast.expr, everywhere: Counter[str], bound: set[str]) -> bool:
    """`node` holds every read (of `everywhere`, the scope's) of a variable the scope binds: replacing it would leave
    a parameter or loop variable unused, which makes tests pass for the wrong reason more often than it fixes a bug."""
    return any(name in bound and everywhere[name] == count for name, count in _reads(node).items())


def _reads(tree: ast.AST) -> Counter[str]:
    return Counter(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))


def _is_read(node: ast.AST) -> bool:
    """An expression read (not a target); nodes without a context count as read."""
    return isinstance(getattr(node, "ctx", ast.Load()), ast.Load)


def _scope(tree: ast.Module, number: int) -> ast.AST:
    """The innermost function holding line `number` (the module outside any)."""
    scope: ast.AST = tree
    for node in ast.walk(tree):  # breadth first: an inner function comes after the one holding it
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.lineno <= number <= node.end_lineno:
            scope = node
    return scope


def _forms(scope: ast.AST) -> dict[str, list[tuple[ast.expr, str, str]]]:
    """Variable -> the short one-line subscripts and arithmetic of it alone in `scope`: (node, shown, as inserted)."""
    forms: dict[str, list[tuple[ast.expr, str, str]]] = {}
    for node in ast.walk(scope):
        if not isinstance(node, ast.Subscript | ast.BinOp) or node.lineno != node.end_lineno:
            continue
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        shown, other = ast.unparse(node), _other_part(node)
        if len(shown) > FORM_CHARS or not _is_read(node):
            continue
        if len(names) == 1:
            forms.setdefault(names.pop(), []).append((node, shown, f"({shown})" if isinstance(node, ast.BinOp)
                                                      else shown))
        if other:  # `a[:k]` also stands for `a[k:]`, whatever `k` is
            forms.setdefault(node.value.id, []).append((node, other, other))
    return forms


def _other_part(node: ast.expr) -> str | None:
    """`a[k:]` for `a[:k]` and the reverse: the part a slice with one bound and no step leaves out."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.value, ast.Name) \
            or not isinstance(node.slice, ast.Slice) or node.slice.step:
        return None
    lower, upper = node.slice.lower, node.slice.upper
    if (lower is None) == (upper is None):
        return None
    bound = ast.unparse(lower or upper)
    return f"{node.value.id}[{bound}:]" if upper else f"{node.value.id}[:{bound}]"


def _around(outer: ast.expr, inner: ast.expr) -> bool:
    return (outer.lineno, outer.col_offset) <= (inner.lineno, inner.col_offset) and \
        (inner.end_lineno, inner.end_col_offset) <= (outer.end_lineno, outer.end_col_offset)


def _bound_above(scope: ast.AST, number: int) -> list[str]:
    """Variables `scope` binds before line `number`, the nearest first (parameters last)."""
    stored = sorted((-n.lineno, n.col_offset, n.id) for n in ast.walk(scope)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.lineno < number)
    parameters = [a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)] if hasattr(scope, "args") else []
    return list(dict.fromkeys([name for _, _, name in stored] + parameters))


def _replace(text: str, node: ast.expr, new: str) -> str:
    raw = text.encode()  # the syntax tree's columns count bytes
    return (raw[:node.col_offset] + new.encode() + raw[node.end_col_offset:]).decode()


def statement_lines(text: str, numbers: list[int]) -> list[int]:
    """`numbers`, each followed by the other lines of the multi-line simple statement spanning it (a model naming
    one of its lines often means another); unchanged for a file that does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return list(dict.fromkeys(numbers))
    spans = [(n.lineno, n.end_lineno) for n in ast.walk(tree)
             if isinstance(n, ast.stmt) and not hasattr(n, "body") and n.end_lineno > n.lineno]
    lines: list[int] = []
    for number in numbers:
        around = [range(start, end + 1) for start, end in spans if start <= number <= end]
        lines += [number, *(around[0] if around else [])]
    return list(dict.fromkeys(lines))


def changed_lines(original: str, text: str) -> list[int]:
    """1-based lines of `original` that `text` replaces or deletes, or next to which it inserts."""
    matcher = difflib.SequenceMatcher(None, original.splitlines(), text.splitlines(), autojunk=False)
    lines: list[int] = []
    for tag, start, end, _, _ in matcher.get_opcodes():
        if tag != "equal":
            lines += range(start + 1, end + 1) if end > start else [start, start + 1]
    return [n for n in dict.fromkeys(lines) if n >= 1]


KINDS = (_flips, _one_removed, _numbers, _swaps, _siblings, _negations, _borrowed, _one_added, _guards)
"""The kinds of edit, likeliest first; each maps a suspect Line to (what, new line text) pairs."""
