"""Aider's code-editing benchmark the way Aider runs it, with the agent instead of Aider: Exercism's Python practice
exercises, each solved by `agent solve`'s own strategy.

Each exercise of a local clone of exercism/python becomes a one-commit repository of its stub files (the files its
`.meta/config.json` names as the solution); the issue is its instructions (`.docs/introduction.md`,
`instructions.md`, `instructions.append.md`). The tests stay hidden. After the first try the hidden tests run in a
sandbox; when they fail, their output is given as a follow-up and the run tries again from where the first try
left the code. Reported per exercise: passed after try 1, after try 2, and whether a try ended with no patch at all.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from core.errors import UserError
from core.git import git_output
from evals.sandbox import Sandbox

IDENTITY = {"GIT_AUTHOR_NAME": "exercism", "GIT_AUTHOR_EMAIL": "exercism@repo-agent.invalid",
            "GIT_COMMITTER_NAME": "exercism", "GIT_COMMITTER_EMAIL": "exercism@repo-agent.invalid"}
"""Who commits the stub and each try."""
DOCS = ("introduction.md", "instructions.md", "instructions.append.md")
"""The documents that make the issue, in this order."""
TEST_PROGRAM = '''import os, sys, unittest
for _name, _text in {files!r}.items():
    os.makedirs(os.path.dirname(_name) or ".", exist_ok=True)
    with open(_name, "w", encoding="utf-8") as _handle:
        _handle.write(_text)
sys.path.insert(0, os.getcwd())
_suite = unittest.defaultTestLoader.loadTestsFromNames({modules!r})
_result = unittest.TextTestRunner(stream=sys.stdout, verbosity=1).run(_suite)
sys.exit(0 if _result.wasSuccessful() else 1)
'''
"""Writes the solution and the hidden tests into the sandbox's folder and runs the tests with unittest."""


@dataclass(frozen=True)
class Exercise:
    """One practice exercise of a clone of exercism/python."""

    name: str
    """The exercise's slug (`bob`)."""
    folder: Path
    """Its folder in the clone."""
    solution: list[str]
    """The stub files the solver edits."""
    tests: list[str]
    """The hidden test files."""

    def instructions(self) -> str:
        """The issue: the exercise's documents joined."""
        parts = [(self.folder / ".docs" / name).read_text(encoding="utf-8") for name in DOCS
                 if (self.folder / ".docs" / name).is_file()]
        files = ", ".join(self.solution)
        return "\n\n".join([*parts, f"Write the solution in {files}, keeping the names the stub defines."])


@dataclass
class ExerciseResult:
    """How an exercise went."""

    name: str
    """The exercise."""
    passed_1: bool = False
    """The hidden tests passed after try 1."""
    passed_2: bool = False
    """They passed after try 2 (or already after try 1)."""
    empty: list[bool] | None = None
    """Per try: it ended with no patch at all."""
    seconds: list[float] | None = None
    """Per try: wall time of the solve."""
    exit_status: list[str] | None = None
    """Per try: how the solve ended."""
    error: str = ""
    """An infrastructure failure, if any."""


def load_exercises(clone: Path, only: list[str] | None = None, exclude: list[str] | None = None) -> list[Exercise]:
    """The practice exercises of a clone of exercism/python (sorted), `only` those and never the `exclude`d ones; a
    UserError when the folder is no such clone."""
    root = clone / "exercises" / "practice"
    if not root.is_dir():
        raise UserError(f"{clone} is not a clone of exercism/python (no exercises/practice folder); pass --exercises "
                        "with the path of one.")
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if (only and folder.name not in only) or (exclude and folder.name in exclude):
            continue
        config = json.loads((folder / ".meta" / "config.json").read_text(encoding="utf-8"))["files"]
        found.append(Exercise(folder.name, folder, list(config["solution"]), list(config["test"])))
    unknown = sorted(set(only or ()) - {e.name for e in found} - set(exclude or ()))
    if unknown:
        raise UserError(f"No practice exercise named {', '.join(unknown)} in {root}.")
    return found


def make_repo(exercise: Exercise, target: Path) -> Path:
    """A one-commit repository of the exercise's stub files at `target` (replaced when it exists)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in exercise.solution:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(exercise.folder / name, target / name)
    git_output("init", "-q", "-b", "main", cwd=target)
    git_output("add", "-A", cwd=target)
    git_output("commit", "-q", "-m", f"{exercise.name}: stub", cwd=target, env=IDENTITY)
    return target


def hidden_tests(exercise: Exercise, repo: Path, sandbox: Sandbox, timeout: float) -> tuple[bool, str]:
    """Run the exercise's tests on the solution in `repo`, in the sandbox: (passed, the output's tail)."""
    files = {name: (repo / name).read_text(encoding="utf-8") for name in exercise.solution if (repo / name).is_file()}
    files.update({name: (exercise.folder / name).read_text(encoding="utf-8") for name in exercise.tests})
    modules = [name.removesuffix(".py").replace("/", ".") for name in exercise.tests]
    run = sandbox.run(TEST_PROGRAM.format(files=files, modules=modules), timeout)
    return run.status == "passed", run.output


def follow_up(instructions: str, output: str) -> str:
    """Try 2's issue: the instructions and what the hidden tests said (as Aider's benchmark tells Aider)."""
    return (f"{instructions}\n\nYour solution is in the repository now, but the tests fail:\n```\n"
            f"{output.strip()[-3000:]}\n```\nFix the code so that they pass.")


Solve = Callable[[Path, str, str], tuple[str, str, float]]
"""(repository, issue, run id) -> (the patch, the exit status, seconds): one `agent solve` run."""


def run_exercise(exercise: Exercise, work: Path, solve: Solve, sandbox: Sandbox, test_timeout: float = 60.0,
                 tries: int = 2) -> ExerciseResult:
    """Up to `tries` solves of one exercise, the hidden tests after each; the patch of each try is committed."""
    result = ExerciseResult(exercise.name, empty=[], seconds=[], exit_status=[])
    repo = make_repo(exercise, work / exercise.name)
    issue = exercise.instructions()
    for attempt in range(1, tries + 1):
        patch, status, seconds = solve(repo, issue, f"{exercise.name}-{attempt}")
        result.empty.append(not patch.strip())
        result.seconds.append(round(seconds, 1))
        result.exit_status.append(status)
        if patch.strip():
            git_output("apply", "--whitespace=nowarn", "-", cwd=repo, input=patch)
            git_output("add", "-A", cwd=repo)
            git_output("commit", "-q", "-m", f"try {attempt}", cwd=repo, env=IDENTITY)
        passed, output = hidden_tests(exercise, repo, sandbox, test_timeout)
        if passed:
            result.passed_2 = True
            result.passed_1 = result.passed_1 or attempt == 1
            break
        issue = follow_up(exercise.instructions(), output)
    return result


def record(result: ExerciseResult) -> dict:
    """The result as a results.jsonl line."""
    return {**asdict(result), "at": time.strftime("%Y-%m-%dT%H:%M:%S")}
