"""Tests an issue names (pytest ids, `FAILED ...` lines, test files), matched to the repository by path suffix so a
path from the reporter's checkout still resolves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.repomap.filekinds import is_test_path
from tools.repomap.resolve import PathResolver

_TEST_ID = re.compile(r"(?<![\w.-])((?:[\w.~-]+/)*[\w.-]+\.py)::([\w:.\[\]\-,/=+]+)")
_PATH = re.compile(r"(?<![\w.-])((?:[\w.~-]+/)*[\w.-]+\.py)\b")


@dataclass
class NamedTests:
    """What the issue names, resolved to the repository."""

    ids: list[str] = field(default_factory=list)
    """Test ids (`path::name`), with repository paths."""
    files: list[str] = field(default_factory=list)
    """Test files named (those of the ids first)."""


def _resolve(resolver: PathResolver, printed: str) -> str | None:
    found, matched = resolver.path(printed)
    return found[0] if len(found) == 1 and (matched > 1 or "/" not in printed) else None


def named_tests(text: str, paths: list[str]) -> NamedTests:
    """The test ids and test files `text` names that exist among the repository's `paths`."""
    resolver = PathResolver([p for p in paths if is_test_path(p)])
    text = text.replace("\\", "/")
    ids: dict[str, str] = {}  # test id -> its file, in order, once each
    for match in _TEST_ID.finditer(text):
        path = _resolve(resolver, match.group(1))
        name = match.group(2).rstrip(".,:;)]") if "[" not in match.group(2) else match.group(2).rstrip(".,:;)")
        if path and name:
            ids[f"{path}::{name}"] = path
    files = dict.fromkeys(ids.values())
    for match in _PATH.finditer(text):
        path = _resolve(resolver, match.group(1))
        if path and not path.endswith("conftest.py"):
            files.setdefault(path)
    return NamedTests(list(ids), list(files))
