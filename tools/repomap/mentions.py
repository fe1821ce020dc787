"""What an issue mentions: file paths, dotted modules, identifiers, stack-trace frames, error messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.repomap.tokens import STOPWORDS

_SUFFIXES = "py|pyi|pyx|js|jsx|mjs|ts|tsx|go|rs|java|c|h|cc|cpp|hpp|rb"
_PATH = re.compile(rf"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.(?:{_SUFFIXES}))\b")
_FRAME_PY = re.compile(r'File "([^"]+)", line (\d+)(?:, in ([\w<>.]+))?')
_FRAME_COLON = re.compile(r"([\w./\\-]+\.\w+):(\d+)(?::\d+)?:? (?:in )?([\w<>.]+)?")
_DOTTED = re.compile(r"\b([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\b")
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)
_NOISE = re.compile(
    r"<!--.*?-->"  # template comments
    r"|^\s*[-*] \[[ xX]\].*$"  # checklists
    r"|^\s*[A-Za-z][\w.\[\]-]*\s+v?\d+(?:\.[\w+!-]+)+(?:\s+\S+)?\s*$",  # `pip list` / `conda list` rows
    re.S | re.M,
)
_ERROR = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception|Warning|Exit)):\s*(.+?)\s*$", re.M)


@dataclass
class Frame:
    """One stack-trace frame."""

    path: str
    """The path as printed (may be absolute, from site-packages, Windows-style)."""
    line: int
    """Line number."""
    function: str | None
    """Function name, when printed."""


@dataclass
class Mentions:
    """Everything the issue names that can be looked up in the repository."""

    paths: list[str] = field(default_factory=list)
    """File paths as written."""
    modules: list[str] = field(default_factory=list)
    """Dotted names (`pkg.mod.Class`)."""
    identifiers: dict[str, float] = field(default_factory=dict)
    """Identifier -> emphasis (code spans and call syntax weigh more than prose)."""
    frames: list[Frame] = field(default_factory=list)
    """Stack-trace frames, outermost first."""
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(exception class, message) pairs."""


def _looks_like_code(word: str) -> bool:
    return "_" in word.strip("_") or any(c.isupper() for c in word[1:]) or word.isupper() and len(word) > 2


def _identifiers(issue: str) -> dict[str, float]:
    found: dict[str, float] = {}
    code = " ".join(m.group(0) for m in _CODE.finditer(issue))
    for text, emphasis in ((issue, 1.0), (code, 2.0)):
        for m in _IDENT.finditer(text):
            word = m.group(0)
            if len(word) < 3 or word.lower() in STOPWORDS:
                continue
            weight = emphasis * (1.5 if _looks_like_code(word) else 1.0)
            if text[m.end() : m.end() + 1] == "(":
                weight *= 1.5
            found[word] = max(found.get(word, 0.0), weight)
    return found


def _errors(issue: str) -> list[tuple[str, str]]:
    errors = []
    for m in _ERROR.finditer(issue):
        message = m.group(2).strip().strip("'\"")
        if message:
            errors.append((m.group(1), message))
    return errors


def clean_issue(issue: str) -> str:
    """The issue without template comments, checklists and package-version listings."""
    return _NOISE.sub("", issue)


def extract_mentions(issue: str) -> Mentions:
    """Parse the issue text for things to look up."""
    issue = clean_issue(issue)
    frames = [Frame(m.group(1), int(m.group(2)), m.group(3)) for m in _FRAME_PY.finditer(issue)]
    if not frames:
        frames = [Frame(m.group(1), int(m.group(2)), m.group(3)) for m in _FRAME_COLON.finditer(issue)]
    paths = list(dict.fromkeys(m.group(1).replace("\\", "/") for m in _PATH.finditer(issue.replace("\\", "/"))))
    modules = [m for m in dict.fromkeys(_DOTTED.findall(issue)) if not _PATH.fullmatch(m)]
    return Mentions(paths, modules, _identifiers(issue), frames, _errors(issue))
