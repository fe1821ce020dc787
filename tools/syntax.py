"""Syntax checks with tree-sitter by file extension (unknown ones pass); only new problems block an edit."""

from __future__ import annotations

import functools
import logging
import posixpath
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

LANGUAGES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys((".py", ".pyi"), ("python",)),
    **dict.fromkeys((".js", ".mjs", ".cjs", ".jsx"), ("javascript",)),
    **dict.fromkeys((".ts", ".mts", ".cts"), ("typescript",)),
    ".tsx": ("tsx",),
    ".go": ("go",),
    ".rs": ("rust",),
    ".java": ("java",),
    ".c": ("c",),
    ".h": ("c", "cpp"),  # C or C++ header: whichever parses with fewer problems
    **dict.fromkeys((".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx"), ("cpp",)),
    ".rb": ("ruby",),
    ".json": ("json",),
    **dict.fromkeys((".yaml", ".yml"), ("yaml",)),
    ".toml": ("toml",),
    **dict.fromkeys((".sh", ".bash"), ("bash",)),
    ".php": ("php",),
    ".cs": ("csharp",),
    **dict.fromkeys((".kt", ".kts"), ("kotlin",)),
    ".scala": ("scala",),
    ".swift": ("swift",),
    ".lua": ("lua",),
    ".css": ("css",),
    ".scss": ("scss",),
}
"""File extension -> tree-sitter-language-pack grammar names to try."""

MAX_PROBLEMS = 20
"""Problems collected per file; more are not useful to anyone."""

TREE_CACHE_SIZE = 16
"""Parse trees kept, by path, so that the next edit of the same file re-parses incrementally."""

_trees: OrderedDict[tuple[str, str], tuple[bytes, Any]] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class SyntaxProblem:
    """One place where the parser gave up or had to invent a token."""

    line: int
    """1-based line number."""
    column: int
    """1-based column (characters)."""
    message: str
    """What is wrong: `unexpected ...` or `missing ...`."""
    snippet: str
    """The text of the offending line."""

    def key(self) -> tuple[str, str]:
        """What identifies the problem independently of where the line moved to."""
        return self.message, self.snippet.strip()


def languages_for(path: str) -> tuple[str, ...]:
    """Grammar names for `path` by extension; empty when the file is not checked."""
    return LANGUAGES.get(posixpath.splitext(path)[1].lower(), ())


@functools.lru_cache(maxsize=64)
def _parser(language: str) -> Any:
    from tree_sitter_language_pack import get_parser

    try:
        return get_parser(language)  # type: ignore[arg-type]
    except Exception:  # a grammar missing from this build: the file simply is not checked
        log.warning("no tree-sitter grammar for %s; files in it are not syntax-checked", language)
        return None


def syntax_problems(path: str, text: str) -> list[SyntaxProblem]:
    """Syntax problems in `text`, judged by the extension of `path` ([] for unknown extensions)."""
    best: list[SyntaxProblem] | None = None
    for language in languages_for(path):
        parser = _parser(language)
        if parser is None:
            continue
        data = text.encode("utf-8", errors="replace")
        problems = _problems(_parse(parser, language, path, data), data)
        if best is None or len(problems) < len(best):
            best = problems
        if not best:
            break
    return best or []


def _parse(parser: Any, language: str, path: str, data: bytes) -> Any:
    """Parse `data`, incrementally from the path's last tree if any: that tree is first told which bytes changed
    (common prefix and suffix), so the result is exact and only the changed region is re-parsed."""
    key = (path, language)
    with _lock:
        cached = _trees.pop(key, None)
        if cached is not None and cached[0] == data:
            tree = cached[1]
        elif cached is not None:
            old_data, old_tree = cached
            old_tree.edit(**_edit_between(old_data, data))
            tree = parser.parse(data, old_tree)
        else:
            tree = parser.parse(data)
        _trees[key] = (data, tree)
        while len(_trees) > TREE_CACHE_SIZE:
            _trees.popitem(last=False)
    return tree


def _edit_between(old: bytes, new: bytes) -> dict[str, Any]:
    """tree-sitter's description of the change from `old` to `new` (one replaced byte range)."""
    prefix = _common_prefix(old, new)
    suffix = min(_common_prefix(old[::-1], new[::-1]), min(len(old), len(new)) - prefix)
    old_end, new_end = len(old) - suffix, len(new) - suffix
    return {
        "start_byte": prefix, "old_end_byte": old_end, "new_end_byte": new_end,
        "start_point": _point(old, prefix), "old_end_point": _point(old, old_end),
        "new_end_point": _point(new, new_end),
    }


def _common_prefix(a: bytes, b: bytes) -> int:
    """The length of the longest common prefix of `a` and `b` (compared by numpy, not byte by byte in Python)."""
    n = min(len(a), len(b))
    differ = np.flatnonzero(np.frombuffer(a, np.uint8, n) != np.frombuffer(b, np.uint8, n))
    return int(differ[0]) if differ.size else n


def _point(data: bytes, index: int) -> tuple[int, int]:
    row = data.count(b"\n", 0, index)
    return row, index - (data.rfind(b"\n", 0, index) + 1)


def _problems(tree: Any, data: bytes) -> list[SyntaxProblem]:
    if not tree.root_node.has_error:
        return []
    lines = data.split(b"\n")
    problems: list[SyntaxProblem] = []
    stack = [tree.root_node]
    while stack and len(problems) < MAX_PROBLEMS:
        node = stack.pop()
        if node.is_error or node.is_missing:
            problems.append(_problem(node, lines))
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return problems


def _problem(node: Any, lines: list[bytes]) -> SyntaxProblem:
    row, byte_col = node.start_point
    raw = lines[row] if row < len(lines) else b""
    column = len(raw[:byte_col].decode("utf-8", errors="replace")) + 1
    if node.is_missing:
        message = f"missing {node.type!r}"
    else:
        first = (node.text or b"").decode("utf-8", errors="replace").strip().split("\n")[0]
        message = f"unexpected {first[:40]!r}" if first else "unexpected end of input"
    return SyntaxProblem(row + 1, column, message, raw.decode("utf-8", errors="replace"))


def introduced_errors(path: str, before: str, after: str) -> list[SyntaxProblem]:
    """Problems in `after` that `before` did not have ([] when the edit made nothing worse)."""
    new = syntax_problems(path, after)
    if not new:
        return []
    old = syntax_problems(path, before)
    if old and len(new) <= len(old):
        return []  # the file was broken already and the edit did not make it worse
    budget = Counter(p.key() for p in old)
    introduced = []
    for problem in new:
        if budget[problem.key()] > 0:
            budget[problem.key()] -= 1
        else:
            introduced.append(problem)
    return introduced


def format_problems(path: str, problems: list[SyntaxProblem], limit: int = 3) -> str:
    """`path:line:col: message` with the line and a caret under the column, for the first `limit` problems."""
    out = []
    for p in problems[:limit]:
        width = len(str(p.line))
        line = p.snippet.replace("\t", " ")
        out.append(f"{path}:{p.line}:{p.column}: {p.message}\n  {p.line} | {line}\n  {' ' * width} | "
                   f"{' ' * (p.column - 1)}^")
    if len(problems) > limit:
        out.append(f"... and {len(problems) - limit} more")
    return "\n".join(out)
