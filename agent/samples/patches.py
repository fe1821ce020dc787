"""Candidate patches taken apart: one section per file, the fix apart from test files, sizes, files after.

Test files a rollout wrote (tests, and `repro*` scripts) are reproduction material, not part of the fix
that is voted on and judged; the chosen rollout's patch is still handed out whole.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import unidiff

from agent.repo import host_checkout
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


class BaseTree:
    """A scratch checkout of the base commit on this machine: base file contents, and contents after a patch."""

    def __init__(self, root: Path):
        self.root = root
        """The checkout's directory."""

    def text(self, path: str) -> str | None:
        """The base commit's text of `path`, or None when it does not exist there."""
        target = self.root / path
        return target.read_bytes().decode("utf-8", errors="replace") if target.is_file() else None

    def exists(self, path: str) -> bool:
        """Whether `path` is a file at the base commit."""
        return (self.root / path).is_file()

    def after(self, patch: str, paths: list[str] | tuple[str, ...]) -> dict[str, str | None] | None:
        """Text of `paths` once `patch` is applied (None for a file that is gone); None when it does not apply."""
        if not patch.strip():
            return {path: self.text(path) for path in paths}
        applied = self._git("apply", "--whitespace=nowarn", "-", data=patch)
        try:
            return {path: self.text(path) for path in paths} if applied else None
        finally:
            self._git("reset", "-q", "--hard")
            self._git("clean", "-fdq")

    def _git(self, *args: str, data: str | None = None) -> bool:
        result = subprocess.run(["git", *args], cwd=self.root, input=data.encode() if data is not None else None,
                                capture_output=True)
        return result.returncode == 0


@contextmanager
def base_tree(source: Path, commit: str) -> Iterator[BaseTree]:
    """A BaseTree of `commit` from the repository at `source`, removed on exit."""
    with host_checkout(source, commit) as root:
        yield BaseTree(root)
