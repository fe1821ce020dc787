"""Normalised patches, so equivalent fixes count as one vote: Python via `ast`, tree-sitter languages as tokens
without comments, else collapsed non-blank lines; a key covers only files whose normalised form changes."""

from __future__ import annotations

import ast
import hashlib
import json
import warnings
from collections.abc import Mapping

from tools.syntax import languages_for


def normalised(path: str, text: str | None) -> str:
    """The normalised form of a file's text (`""` for a file that does not exist)."""
    if text is None:
        return ""
    if path.endswith((".py", ".pyi")):
        python = _python(text)
        if python is not None:
            return python
    for language in languages_for(path):
        tokens = _tokens(language, text)
        if tokens is not None:
            return tokens
    return _plain(text)


def patch_key(changes: Mapping[str, tuple[str | None, str | None]]) -> str:
    """A short key equal for patches that change the same files to the same normalised form; `changes` maps each
    touched path to its (before, after) text (None: no such file)."""
    effective = {}
    for path, (before, after) in sorted(changes.items()):
        after_form = normalised(path, after)
        if after_form != normalised(path, before):
            effective[path] = after_form if after is not None else None
    digest = hashlib.sha256(json.dumps(effective, sort_keys=True).encode()).hexdigest()
    return digest[:12]


def _python(text: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our business
            return ast.dump(ast.parse(text))
    except (SyntaxError, ValueError, RecursionError):
        return None


def _tokens(language: str, text: str) -> str | None:
    try:
        from tree_sitter_language_pack import get_parser

        parser = get_parser(language)  # type: ignore[arg-type]
    except Exception:  # a grammar missing from this build
        return None
    data = text.encode("utf-8", errors="replace")
    tree = parser.parse(data)
    leaves: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if "comment" in node.type:
            continue
        if node.child_count == 0:
            leaves.append(data[node.start_byte:node.end_byte].decode("utf-8", errors="replace"))
        else:
            stack.extend(reversed(node.children))
    return "\x1f".join(leaves)


def _plain(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
