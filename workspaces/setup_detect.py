"""Guess the `--setup` commands of a repository when the user gives none (files read from the commit). Python
projects get a virtualenv outside the repository with their requirements, the project and pytest; Python code
without packaging files gets one with pytest if it has tests; other ecosystems are named, to ask for `--setup`."""

from __future__ import annotations

import contextlib
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from core.git import git_output, run_git

VENV = "/workspace/.venv"
"""Where the auto-detected virtualenv lives in the container (outside the repository, so not in diffs)."""
TEST_EXTRAS = ("test", "tests", "testing", "dev")
"""Optional-dependency groups installed with the project when present (the first found)."""
OTHER_ECOSYSTEMS = {
    "package.json": "Node.js", "go.mod": "Go", "Cargo.toml": "Rust", "pom.xml": "Java (Maven)",
    "build.gradle": "Java (Gradle)", "build.gradle.kts": "Kotlin (Gradle)", "Gemfile": "Ruby",
    "composer.json": "PHP", "mix.exs": "Elixir", "CMakeLists.txt": "C/C++ (CMake)",
}
"""Manifest file -> ecosystem that auto-setup does not cover."""


@dataclass
class SetupPlan:
    """What to bake into the environment image, and why."""

    steps: list[str] = field(default_factory=list)
    """Shell commands, run as root in the repository root."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment baked into the image."""
    path: list[str] = field(default_factory=list)
    """Directories put in front of the image's PATH (the virtualenv's bin)."""
    reason: str = ""
    """One line saying what was detected."""
    ecosystem: str | None = None
    """Name of a non-Python ecosystem found instead (the caller asks for `--setup`)."""


def top_level_files(source_dir: Path, commit: str) -> list[str]:
    """Names of the files at the top of the tree of `commit`."""
    return git_output("ls-tree", "--name-only", commit, cwd=source_dir).split()


def read_at_commit(source_dir: Path, commit: str, path: str) -> str:
    """Text of `path` at `commit` ("" when missing)."""
    result = run_git("show", f"{commit}:{path}", cwd=source_dir)
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else ""


def test_extra(pyproject: str, setup_py: str, setup_cfg: str) -> str | None:
    """The first test-ish extra declared in pyproject.toml, setup.py (extras_require) or setup.cfg."""
    declared: set[str] = set()
    with contextlib.suppress(tomllib.TOMLDecodeError):
        declared |= set(tomllib.loads(pyproject).get("project", {}).get("optional-dependencies", {}))
    declared |= set(re.findall(r"""['"]([\w.-]+)['"]\s*:""", setup_py.partition("extras_require")[2]))
    extras_section = setup_cfg.partition("[options.extras_require]")[2].split("\n[", 1)[0]
    declared |= set(re.findall(r"^([\w.-]+)\s*=", extras_section, re.M))
    return next((extra for extra in TEST_EXTRAS if extra in declared), None)


def python_plan(source_dir: Path, commit: str, names: list[str]) -> SetupPlan:
    """Virtualenv, requirements files, the project itself (with its test extra) and pytest."""
    pip = f"{VENV}/bin/pip install --disable-pip-version-check --no-input"
    steps = [f"python3 -m venv {VENV}"]
    requirements = sorted(name for name in names if re.fullmatch(r"requirements.*\.txt", name))
    steps += [f"{pip} -r {shlex.quote(name)}" for name in requirements]
    installable = any(name in names for name in ("pyproject.toml", "setup.py", "setup.cfg"))
    pyproject = read_at_commit(source_dir, commit, "pyproject.toml") if "pyproject.toml" in names else ""
    if "pyproject.toml" in names and "setup.py" not in names and "[build-system]" not in pyproject \
            and "[project]" not in pyproject:
        installable = False  # a pyproject.toml that only configures tools
    extra = None
    if installable:
        extra = test_extra(pyproject, read_at_commit(source_dir, commit, "setup.py"),
                           read_at_commit(source_dir, commit, "setup.cfg"))
        steps.append(f"{pip} -e " + shlex.quote(f".[{extra}]" if extra else "."))
    steps.append(f"{pip} pytest")
    project = ["the project" + (f" with [{extra}]" if extra else "")] if installable else []
    what = ", ".join([*requirements, *project, "pytest"])
    return SetupPlan(steps=steps, env={"VIRTUAL_ENV": VENV}, path=[f"{VENV}/bin"],
                     reason=f"Python project: virtualenv at {VENV} with {what} installed")


def python_tests_at_commit(source_dir: Path, commit: str) -> bool:
    """Whether the tree of `commit` holds Python test files (`test_*.py`, `*_test.py`)."""
    out = git_output("ls-tree", "-r", "--name-only", commit, cwd=source_dir)
    return any(re.search(r"(^|/)test_[^/]*\.py$|_test\.py$", name) for name in out.split("\n"))


def detect_setup(source_dir: Path, commit: str) -> SetupPlan:
    """The setup plan for the repository at `commit`: Python gets one; another ecosystem is named; else nothing."""
    names = top_level_files(source_dir, commit)
    python_markers = {"pyproject.toml", "setup.py", "setup.cfg"}
    if python_markers & set(names) or any(re.fullmatch(r"requirements.*\.txt", name) for name in names):
        return python_plan(source_dir, commit, names)
    for manifest, ecosystem in OTHER_ECOSYSTEMS.items():
        if manifest in names:
            return SetupPlan(reason=f"{ecosystem} project ({manifest})", ecosystem=ecosystem)
    if python_tests_at_commit(source_dir, commit):
        return python_plan(source_dir, commit, names)  # no packaging files: a virtualenv with pytest only
    return SetupPlan(reason="no known project manifest; nothing to install")
