"""Which tree-sitter grammar parses a file, and the shipped tag query for each grammar."""

from __future__ import annotations

import posixpath
from functools import cache
from importlib import resources

EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".rb": "ruby",
    ".rake": "ruby",
}
"""File extension (lower case) -> grammar name in tree-sitter-language-pack."""

LANGUAGES: tuple[str, ...] = tuple(sorted(set(EXTENSIONS.values())))
"""Every grammar with a shipped query."""


def language_for(path: str) -> str | None:
    """The grammar that parses `path`, or None when the file is not source code we know."""
    return EXTENSIONS.get(posixpath.splitext(path)[1].lower())


@cache
def query_text(language: str) -> str:
    """The shipped tag query for `language`, after NAME's when its first line is `; inherits: NAME` (TSX, C++)."""
    text = resources.files("tools.repomap").joinpath("queries").joinpath(f"{language}.scm").read_text()
    first = text.split("\n", 1)[0]
    if first.startswith("; inherits:"):
        return query_text(first.split(":", 1)[1].strip()) + "\n" + text
    return text


@cache
def parser_and_query(language: str):
    """A parser and a compiled tag query for `language` (cached per process)."""
    from tree_sitter import Query
    from tree_sitter_language_pack import get_language, get_parser

    return get_parser(language), Query(get_language(language), query_text(language))
