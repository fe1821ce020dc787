"""Definitions and references of one file, from tree-sitter and the shipped tag queries."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from tools.repomap.languages import parser_and_query
from tools.repomap.tokens import term_counts

SIGNATURE_CHARS = 200
"""Longest signature kept for a definition."""
_COMMENT_STARTS = ("#", "//", "/*", "* ", "*/")


class Definition(NamedTuple):
    """One definition: a class, function, method, type, constant, ..."""

    name: str
    """The bare name (`subs`)."""
    qualname: str
    """The name qualified by its enclosing definitions in the file (`Basic.subs`)."""
    kind: str
    """What it is, from the query capture: class, function, method, type, constant, ..."""
    line: int
    """1-based first line."""
    end_line: int
    """1-based last line."""
    signature: str
    """The header of the definition (up to its body), whitespace collapsed."""


class FileTags(NamedTuple):
    """Everything the index keeps about one file; cached by content."""

    defs: tuple[Definition, ...]
    """Definitions in source order."""
    refs: dict[str, int]
    """Referenced names and how often."""
    terms: dict[str, int]
    """BM25 terms and their counts."""
    lines: int
    """Number of lines."""
    note: str | None = None
    """Why the file was only partly indexed (syntax errors, parse failure), if it was."""
    chunks: tuple[tuple[str, dict[str, int]], ...] = ()
    """(qualified name, BM25 terms) of every function and method body, for chunk-level BM25."""


def _signature(node, source: bytes) -> str:
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None and body.start_byte > node.start_byte else None
    if end is None:
        newline = source.find(b"\n", node.start_byte, node.end_byte)
        end = node.end_byte if newline < 0 else newline
    lines = source[node.start_byte : end].decode("utf-8", "replace").splitlines()
    header = [line for line in lines if not line.lstrip().startswith(_COMMENT_STARTS)]  # comments before the body
    text = " ".join(" ".join(header).split())
    return text[:SIGNATURE_CHARS].rstrip(" {:")


def _definitions(found: list, source: bytes) -> list[Definition]:
    """Definitions from (node, name, kind) triples, qualified by the definitions enclosing them."""
    found.sort(key=lambda item: (item[0].start_byte, -item[0].end_byte))
    defs: list[Definition] = []
    stack: list[tuple[int, str]] = []  # (end_byte, qualname) of enclosing definitions
    for node, name, kind in found:
        while stack and stack[-1][0] <= node.start_byte:
            stack.pop()
        qualname = f"{stack[-1][1]}.{name}" if stack else name
        if kind == "function" and stack:
            kind = "method"
        defs.append(
            Definition(name, qualname, kind, node.start_point[0] + 1, node.end_point[0] + 1, _signature(node, source))
        )
        stack.append((node.end_byte, qualname))
    return defs


def extract(language: str | None, text: str) -> FileTags:
    """Tags of a file's text; `language` None means: terms only (not a language we parse)."""
    terms = dict(term_counts(text))
    lines = text.count("\n") + 1
    if language is None:
        return FileTags((), {}, terms, lines)
    from tree_sitter import QueryCursor

    try:
        parser, query = parser_and_query(language)
        source = text.encode("utf-8", "replace")
        tree = parser.parse(source)
        matches = QueryCursor(query).matches(tree.root_node)
    except Exception as exc:  # a grammar failing on odd input must not stop the map
        return FileTags((), {}, terms, lines, f"not parsed ({type(exc).__name__})")
    refs: Counter[str] = Counter()
    found = []
    for _, captures in matches:
        for key, nodes in captures.items():
            if key.startswith("name.reference."):
                refs.update(n.text.decode("utf-8", "replace") for n in nodes)
            elif key.startswith("name.definition."):
                outer = next((v[0] for k, v in captures.items() if k.startswith("definition.")), nodes[0])
                found.append((outer, nodes[0].text.decode("utf-8", "replace"), key.rsplit(".", 1)[1]))
    note = "has syntax errors; tags may be incomplete" if tree.root_node.has_error else None
    defs = tuple(_definitions(found, source))
    return FileTags(defs, dict(refs), terms, lines, note, _chunks(defs, text))


def _chunks(defs: tuple[Definition, ...], text: str) -> tuple[tuple[str, dict[str, int]], ...]:
    lines = text.split("\n")
    return tuple(
        (d.qualname, dict(term_counts("\n".join(lines[d.line - 1 : d.end_line]))))
        for d in defs
        if d.kind in ("function", "method")
    )
