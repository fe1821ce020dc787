"""Detect how a project runs its tests, and which test files relate to given source files."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

from tools.repomap.filekinds import is_test_path
from tools.repomap.index import RepoIndex
from tools.repomap.sources import FileSource, HostSource


class _Tree:
    """The files of a repository (a FileSource's listing) and their text, for the checks below."""

    def __init__(self, source: FileSource | Path):
        self.source = HostSource(source) if isinstance(source, Path) else source
        self.paths = list(self.source.listing().files)
        self.names = set(self.paths)

    def has(self, name: str) -> bool:
        """Whether the file exists."""
        return name in self.names

    def has_dir(self, name: str) -> bool:
        """Whether a folder of that name holds files."""
        return any(p.startswith(name + "/") for p in self.paths)

    def read(self, name: str) -> str:
        """The file's text ("" when absent or unreadable)."""
        if name not in self.names:
            return ""
        try:
            return self.source.read(name).decode("utf-8", "replace")
        except (OSError, UnicodeError):
            return ""


_PYTEST_STYLE = re.compile(r"^\s*import pytest|^\s*from pytest\b|^def test_\w*\(", re.M)


def _pytest_style_tests(tree: _Tree, sample: int = 20) -> bool:
    """Whether the test files need pytest (bare test functions, `import pytest`): unittest discover would miss them."""
    tests = [p for p in tree.paths if is_test_path(p) and p.endswith(".py") and not p.endswith("__init__.py")]
    return any(_PYTEST_STYLE.search(tree.read(p)) for p in tests[:sample])


def _python_command(tree: _Tree) -> str | None:
    config = "".join(tree.read(name) for name in ("pyproject.toml", "setup.cfg", "tox.ini", "noxfile.py"))
    has_tests = any(is_test_path(p) and p.endswith(".py") for p in tree.paths)
    uses_pytest = (
        tree.has("pytest.ini")
        or any(p.rsplit("/", 1)[-1] == "conftest.py" for p in tree.paths)
        or re.search(r"\[(tool[:.])?pytest|\bpytest\b", config) is not None
        or (has_tests and _pytest_style_tests(tree))
    )
    runner = next((p for p in tree.paths if p.rsplit("/", 1)[-1] == "runtests.py" and "/" in p), None)
    if runner and not uses_pytest:
        return f"python {runner}"
    if uses_pytest:
        return "python -m pytest -q"
    if tree.has("tox.ini"):
        return "tox"
    if has_tests:
        return "python -m unittest discover"
    return None


def _js_command(tree: _Tree) -> str | None:
    try:
        scripts = json.loads(tree.read("package.json") or "{}").get("scripts", {})
    except (json.JSONDecodeError, AttributeError):
        return None
    return "npm test" if isinstance(scripts, dict) and "test" in scripts else None


def detect_test_command(source: FileSource | Path) -> str | None:
    """The command that runs the project's tests, from its build files; None when nothing says."""
    tree = _Tree(source)
    if tree.has("go.mod"):
        return "go test ./..."
    if tree.has("Cargo.toml"):
        return "cargo test"
    if tree.has("package.json") and (cmd := _js_command(tree)):
        return cmd
    if tree.has("pom.xml"):
        return "mvn test"
    if tree.has("build.gradle") or tree.has("build.gradle.kts"):
        return "./gradlew test" if tree.has("gradlew") else "gradle test"
    if tree.has("Gemfile") or tree.has("Rakefile"):
        return "bundle exec rspec" if tree.has_dir("spec") else "bundle exec rake test"
    python = _python_command(tree)
    if python:
        return python
    if tree.has("CMakeLists.txt"):
        return "ctest --test-dir build"
    if re.search(r"^test:", tree.read("Makefile"), re.M):
        return "make test"
    return None


def _stem(path: str) -> str:
    name = re.sub(r"\.(test|spec)(?=\.\w+$)", "", path.rsplit("/", 1)[-1])
    stem = posixpath.splitext(name)[0]
    return re.sub(r"^test_|_test$|_spec$|^tests?$", "", stem)


def related_tests(index: RepoIndex, sources: list[str], limit: int = 5) -> list[str]:
    """Test files most related to `sources`: same module name first, then by references to their definitions."""
    tests = [p for p in index.paths if is_test_path(p) and p in index.tags and not p.endswith("__init__.py")]
    test_stems = {test: _stem(test) for test in tests}
    scores: dict[str, float] = {}
    for rank, source in enumerate(sources[:5]):
        weight = 1.0 / (rank + 1)
        stem = _stem(source)
        names = {d.name for d in index.tags.get(source, ()).defs if len(d.name) > 3} if source in index.tags else set()
        for test in tests:
            score = 0.0
            if stem and test_stems[test] == stem:
                score += 3.0
            refs = index.tags[test].refs
            score += sum(1 for n in names if n in refs) / (1 + len(names)) * 2
            if score:
                scores[test] = scores.get(test, 0.0) + weight * score
    return [t for t, _ in sorted(scores.items(), key=lambda x: -x[1])[:limit]]
