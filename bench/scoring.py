"""Scoring independent of the agent: apply its final diff to a clean copy, restore the tests, run them.

Every test run is bounded twice: each test by the per-test timeout plugin of agent/testing/inside/ (a hang
fails that test) and the whole run by `timeout` (a run that still does not end fails). resolved = exit 0.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[1] / "agent" / "testing" / "inside"
CASE_TIMEOUT = 5.0
"""Seconds one test may run."""
RUN_TIMEOUT = 120.0
"""Seconds one test file may run."""
PROTECTED = ("python_testcases", "json_testcases", "conftest.py", "pytest.ini")
"""Restored from the task's commit before scoring (whatever the agent did to them)."""


def test_python() -> str:
    """The interpreter for test runs: `python3` on PATH, as the agents see it."""
    return shutil.which("python3") or shutil.which("python") or "python3"


@dataclass
class TestRun:
    """One run of a test file."""

    returncode: int
    """Exit code of `timeout ... pytest`."""
    output: str
    """stdout and stderr."""
    timed_out: bool = False
    """The whole run was stopped by the outer timeout."""

    @property
    def passed(self) -> bool:
        """Every test passed (pytest exits 0 only then, and only when some test ran)."""
        return self.returncode == 0 and not self.timed_out

    @property
    def case_timeouts(self) -> int:
        """Tests stopped by the per-test timeout."""
        return self.output.count("TimeoutError: the test ran longer than")

    @property
    def summary(self) -> str:
        """pytest's final line (`3 failed, 2 passed in 0.1s`), or why there is none."""
        if self.timed_out:
            return f"run stopped after {RUN_TIMEOUT:.0f} s"
        lines = [line.strip("= ") for line in self.output.strip().splitlines() if line.strip()]
        return lines[-1] if lines else f"exit {self.returncode}, no output"


def run_tests(repo: Path, test_path: str, python: str | None = None, timeout: float = RUN_TIMEOUT) -> TestRun:
    """`python -m pytest TEST` in `repo` with the per-test and whole-run timeouts."""
    env = {**os.environ, "PYTHONPATH": str(PLUGINS), "REPO_AGENT_CASE_TIMEOUT": str(CASE_TIMEOUT),
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    command = ["timeout", "-k", "5", str(int(timeout)), python or test_python(), "-m", "pytest",
               "-p", "repo_agent_timeouts", "-p", "no:cacheprovider", test_path]
    result = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, errors="replace")
    output = result.stdout + result.stderr
    return TestRun(result.returncode, output, timed_out=result.returncode in (124, 137))


@dataclass
class Score:
    """The verdict on one diff."""

    resolved: bool
    """Every test of the program passed with the diff applied."""
    summary: str
    """pytest's last line, or why the tests did not run."""
    applied: bool
    """The diff applied to the clean copy."""
    output: str = ""
    """The test run's output."""


def diff_size(diff: str) -> int:
    """Changed lines (added + removed) in a unified diff."""
    return sum(1 for line in diff.splitlines()
               if (line.startswith("+") or line.startswith("-")) and not re.match(r"^(\+\+\+|---) ", line))


def score(task_repo: Path, commit: str, test_path: str, diff: str, scratch: Path) -> Score:
    """Apply `diff` to a fresh clone of the task at `commit`, restore the test files, run the tests."""
    if not diff.strip():
        return Score(False, "empty diff", applied=False)
    clone = scratch / "score"
    if clone.exists():
        shutil.rmtree(clone)
    subprocess.run(["git", "clone", "-q", str(task_repo), str(clone)], check=True, capture_output=True)
    try:
        subprocess.run(["git", "checkout", "-q", "--detach", commit], cwd=clone, check=True, capture_output=True)
        applied = subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], cwd=clone, input=diff.encode(),
                                 capture_output=True)
        if applied.returncode != 0:
            reason = (applied.stderr.decode(errors="replace").strip().splitlines() or ["git apply failed"])[-1]
            return Score(False, f"diff does not apply: {reason}", applied=False)
        restore(clone, commit)
        run = run_tests(clone, test_path)
        return Score(run.passed, run.summary, applied=True, output=run.output)
    finally:
        shutil.rmtree(clone, ignore_errors=True)


def restore(clone: Path, commit: str) -> None:
    """Put the protected paths back exactly as the task's commit has them (added files removed too)."""
    tracked = subprocess.run(["git", "ls-tree", "--name-only", commit], cwd=clone, check=True,
                             capture_output=True, text=True).stdout.split()
    for name in PROTECTED:
        path = clone / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    present = [name for name in PROTECTED if name in tracked]
    subprocess.run(["git", "checkout", "-q", commit, "--", *present], cwd=clone, check=True, capture_output=True)
