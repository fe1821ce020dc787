"""Which tree-sitter grammar parses a file, and the shipped tag query for each grammar."""

from __future__ import annotations

import posixpath
from functools import cache
from importlib import resources

from tools.syntax import LANGUAGES as SYNTAX_LANGUAGES

_QUERIES = resources.files("tools.repomap").joinpath("queries")

LANGUAGES: tuple[str, ...] = tuple(sorted(f.name[:-4] for f in _QUERIES.iterdir() if f.name.endswith(".scm")))
"""Every grammar with a shipped query."""

EXTENSIONS: dict[str, str] = {
    ext: names[0] for ext, names in SYNTAX_LANGUAGES.items() if names[0] in LANGUAGES
} | {".rake": "ruby"}
"""File extension (lower case) -> grammar name in tree-sitter-language-pack: the syntax check's table (a C header is
parsed as C here), where a tag query is shipped, and Rakefiles."""


def language_for(path: str) -> str | None:
    """The grammar that parses `path`, or None when the file is not source code we know."""
    return EXTENSIONS.get(posixpath.splitext(path)[1].lower())


@cache
def query_text(language: str) -> str:
    """The shipped tag query for `language`, after NAME's when its first line is `; inherits: NAME` (TSX, C++)."""
    text = _QUERIES.joinpath(f"{language}.scm").read_text()
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
