"""Syntax checks with tree-sitter, chosen by file extension; unknown extensions always pass.

`introduced_errors` compares a file before and after an edit so that only new problems block it
(a file that was already broken can still be edited). The patch gate checks whole files with
`syntax_problems` and reports them with `format_problems`.
"""

from __future__ import annotations

import functools
import logging
import posixpath
from collections import Counter
from dataclasses import dataclass
from typing import Any

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
        problems = _problems(parser, text)
        if best is None or len(problems) < len(best):
            best = problems
        if not best:
            break
    return best or []


def _problems(parser: Any, text: str) -> list[SyntaxProblem]:
    data = text.encode("utf-8", errors="replace")
    tree = parser.parse(data)
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
