"""Detect how a project runs its tests, and which test files relate to given source files."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

from tools.repomap.filekinds import is_test_path
from tools.repomap.index import RepoIndex


def _read(root: Path, name: str) -> str:
    try:
        return (root / name).read_text(errors="replace")
    except OSError:
        return ""


_PYTEST_STYLE = re.compile(r"^\s*import pytest|^\s*from pytest\b|^def test_\w*\(", re.M)


def _pytest_style_tests(root: Path, paths: list[str], sample: int = 20) -> bool:
    """Whether the project's test files are written for pytest (bare test functions, `import pytest`), which
    `unittest discover` would not run."""
    tests = [p for p in paths if is_test_path(p) and p.endswith(".py") and not p.endswith("__init__.py")][:sample]
    return any(_PYTEST_STYLE.search(_read(root, p)) for p in tests)


def _python_command(root: Path, paths: list[str]) -> str | None:
    config = "".join(_read(root, name) for name in ("pyproject.toml", "setup.cfg", "tox.ini", "noxfile.py"))
    has_tests = any(is_test_path(p) and p.endswith(".py") for p in paths)
    uses_pytest = (
        (root / "pytest.ini").exists()
        or any(p.rsplit("/", 1)[-1] == "conftest.py" for p in paths)
        or re.search(r"\[(tool[:.])?pytest|\bpytest\b", config) is not None
        or (has_tests and _pytest_style_tests(root, paths))
    )
    runner = next((p for p in paths if p.rsplit("/", 1)[-1] == "runtests.py" and "/" in p), None)
    if runner and not uses_pytest:
        return f"python {runner}"
    if uses_pytest:
        return "python -m pytest -q"
    if (root / "tox.ini").exists():
        return "tox"
    if has_tests:
        return "python -m unittest discover"
    return None


def _js_command(root: Path) -> str | None:
    try:
        scripts = json.loads(_read(root, "package.json") or "{}").get("scripts", {})
    except (json.JSONDecodeError, AttributeError):
        return None
    return "npm test" if isinstance(scripts, dict) and "test" in scripts else None


def detect_test_command(root: Path, paths: list[str]) -> str | None:
    """The command that runs the project's tests, from its build files; None when nothing says."""
    if (root / "go.mod").exists():
        return "go test ./..."
    if (root / "Cargo.toml").exists():
        return "cargo test"
    if (root / "package.json").exists() and (cmd := _js_command(root)):
        return cmd
    if (root / "pom.xml").exists():
        return "mvn test"
    if (root / "build.gradle").exists() or (root / "build.gradle.kts").exists():
        return "./gradlew test" if (root / "gradlew").exists() else "gradle test"
    if (root / "Gemfile").exists() or (root / "Rakefile").exists():
        return "bundle exec rspec" if (root / "spec").is_dir() else "bundle exec rake test"
    python = _python_command(root, paths)
    if python:
        return python
    if (root / "CMakeLists.txt").exists():
        return "ctest --test-dir build"
    if re.search(r"^test:", _read(root, "Makefile"), re.M):
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
