"""Candidate patches taken apart: one section per file, sizes, and the fix apart from test files (tests and `repro*`
scripts are not voted on or judged; the chosen rollout's patch is still handed out whole)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

import unidiff

from tools.repomap.filekinds import is_test_path

_SECTION = re.compile(r"(?m)^(?=diff --git )")
_GIT_HEADER = re.compile(r"^diff --git a/(.*) b/(.*)$", re.M)


@dataclass(frozen=True)
class FileSection:
    """The part of a diff about one file."""

    path: str
    """Path of the file (its old path when deleted)."""
    text: str
    """The section's diff text, header included."""
    added: int
    """Lines added."""
    removed: int
    """Lines removed."""
    deleted: bool
    """The file is deleted."""


@dataclass(frozen=True)
class SplitPatch:
    """A patch as the fix and the test files."""

    source: str
    """Diff of every file that is not a test file: the fix."""
    tests: str
    """Diff of the test files."""
    source_files: tuple[str, ...]
    """Paths the fix touches."""
    test_files: tuple[str, ...]
    """Test files the patch adds or changes (deleted ones excluded)."""
    size: int
    """Lines added plus lines removed by the fix."""


def is_reproduction_path(path: str) -> bool:
    """Whether a file a rollout wrote counts as a test (a test file, or a `repro*` script)."""
    return is_test_path(path) or posixpath.basename(path).lower().startswith("repro")


def file_sections(patch: str) -> list[FileSection]:
    """The diff cut into one section per file (git diffs; other unified diffs by unidiff's reading)."""
    if not patch.strip():
        return []
    if _GIT_HEADER.search(patch):
        texts = [part for part in _SECTION.split(patch) if part.strip()]
    else:
        texts = [str(patched) for patched in _parse(patch)]
    return [_section(text) for text in texts]


def _parse(text: str) -> list[unidiff.PatchedFile]:
    try:
        return list(unidiff.PatchSet(text))
    except unidiff.UnidiffParseError:
        return []


def _section(text: str) -> FileSection:
    parsed = _parse(text)
    if parsed:
        patched = parsed[0]
        return FileSection(patched.path, text, patched.added, patched.removed, patched.is_removed_file)
    header = _GIT_HEADER.search(text)
    path = header.group(2) if header else ""
    return FileSection(path, text, 0, 0, False)


def split_patch(patch: str) -> SplitPatch:
    """Separate the fix from the test files of `patch`."""
    sections = file_sections(patch)
    source = [s for s in sections if not is_reproduction_path(s.path)]
    tests = [s for s in sections if is_reproduction_path(s.path)]
    return SplitPatch(
        source="".join(s.text for s in source), tests="".join(s.text for s in tests),
        source_files=tuple(s.path for s in source), test_files=tuple(s.path for s in tests if not s.deleted),
        size=sum(s.added + s.removed for s in source),
    )
