"""Fixtures for the sampling tests: a calculator whose add() passes the wrong sign, and scripted rollouts."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.config import AgentConfig, load_config

SCRIPTS = Path(__file__).parent / "scripts"

SIGNS = {
    "calc.py": '"""A tiny calculator."""\n\n\ndef _combine(a, b, sign):\n    return a + sign * b\n\n\n'
    'def add(a, b):\n    """Return the sum of a and b."""\n    return _combine(a, b, -1)\n\n\n'
    'def sub(a, b):\n    """Return a minus b."""\n    return _combine(a, b, -1)\n\n\n'
    "def mul(a, b):\n    return a * b\n",
    "test_calc.py": "from calc import mul, sub\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n\n\n"
    "def test_mul():\n    assert mul(2, 3) == 6\n",
}
"""add() subtracts; the existing tests (sub, mul) pass on the base commit, and none covers add()."""

ISSUE = "add(2, 3) returns -1 instead of 5: add() subtracts."


@pytest.fixture
def signs_repo(make_repo: Callable[..., Path]) -> Path:
    """The calculator repository."""
    return make_repo(SIGNS, name="signs")


@pytest.fixture(autouse=True)
def tools_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local workspaces find this interpreter's python, pytest and ruff first, as a project's venv would."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))


def sample_config(tmp_path: Path, scripts: list[str], *overrides: str) -> AgentConfig:
    """Local workspaces, scripted rollouts (one script per rollout), runs under tmp_path, no test written from the
    issue (a scripted model would answer that request from a rollout's script)."""
    paths = ",".join(str(SCRIPTS / name) for name in scripts)
    return load_config(["workspace.type=local", f"runs_dir={tmp_path / 'runs'}", "model.type=scripted",
                        f"model.scripts=[{paths}]", f"samples.count={len(scripts)}", "strategy=loop",
                        "repair.reproduce=0", "planner.type=none", *overrides])


def solve_sampled(config: AgentConfig, repo: Path, run_id: str = "r1", issue: str = ISSUE, checks=()):
    """Solve with the config's scripted model; (result, trajectory data)."""
    from agent.issue import IssueText
    from agent.repo import resolve_repo
    from agent.runner import build_job, solve
    from agent.trajectory import load_trajectory

    job = build_job(config, resolve_repo(str(repo)), IssueText(text=issue), run_id=run_id, checks=checks)
    result = solve(job)
    return result, load_trajectory(result.run_dir / "trajectory.json")


def patch_of(repo: Path, files: dict[str, str | None]) -> str:
    """The git diff that turns the repository's HEAD into HEAD with `files` written (None: deleted)."""
    from tests.conftest import git

    for rel, text in files.items():
        if text is None:
            (repo / rel).unlink()
        else:
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_text(text)
    git(repo, "add", "-A")
    diff = git(repo, "diff", "--cached", "--binary", "HEAD")
    git(repo, "reset", "-q", "--hard", "HEAD")
    return diff
