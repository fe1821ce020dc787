"""QuixBugs programs as agent tasks: a one-commit repository per program and the issue a user would file.

Read from the bare mirror of jkoppel/QuixBugs at run time (never copied into the project). A task holds the
buggy `python_programs/<prog>.py`, the helpers its tests import, `python_testcases/test_<prog>.py`, the JSON
test data when the test loads it, the root conftest.py, a pytest.ini and a short README: nothing of the
corrected programs and no other program. The issue names the program and pastes the failing pytest output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.scoring import TestRun, run_tests

MIRROR = Path("/work/.mirror/jkoppel+QuixBugs/repo")
"""Bare mirror of jkoppel/QuixBugs."""

DEV = ("bucketsort", "depth_first_search", "find_first_in_sorted", "get_factors", "kheapsort", "knapsack",
       "lcs_length", "longest_common_subsequence", "max_sublist_sum", "minimum_spanning_tree", "next_palindrome",
       "possible_change", "quicksort", "reverse_linked_list", "shortest_path_length", "shortest_path_lengths",
       "shortest_paths", "sqrt", "subsequences", "topological_ordering")
"""The development set: the default, and the only programs run without --heldout."""

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost",
                "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@localhost",
                "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}

PYTEST_INI = "[pytest]\ntestpaths = python_testcases\n"
GITIGNORE = "__pycache__/\n*.pyc\n.pytest_cache/\n.benchmarks/\n"
ISSUE_LINES = 60
"""The pasted pytest output is clipped to about this many lines (head and summary kept)."""


@dataclass
class Task:
    """One program ready for the agents."""

    name: str
    """The program name, e.g. `quicksort`."""
    repo: Path
    """The one-commit repository."""
    commit: str
    """Its commit."""
    issue: str
    """The issue text."""
    issue_path: Path
    """The issue text as a file (outside the repository)."""
    test_path: str
    """The program's test file, relative to the repository."""
    buggy_run: TestRun
    """The test run on the buggy program (pasted into the issue)."""


def mirror_show(path: str, mirror: Path = MIRROR) -> str:
    """A file of the mirror's HEAD."""
    return subprocess.run(["git", "--git-dir", str(mirror), "show", f"HEAD:{path}"], check=True,
                          capture_output=True, text=True).stdout


def all_programs(mirror: Path = MIRROR) -> list[str]:
    """Every QuixBugs Python program (not the helpers, not the old `_test.py` drivers)."""
    names = subprocess.run(["git", "--git-dir", str(mirror), "ls-tree", "--name-only", "HEAD", "python_programs/"],
                           check=True, capture_output=True, text=True).stdout.split()
    stems = [Path(n).stem for n in names if n.endswith(".py")]
    return sorted(s for s in stems if s != "node" and not s.endswith("_test"))


def held_out(mirror: Path = MIRROR) -> list[str]:
    """The programs outside the development set."""
    return [p for p in all_programs(mirror) if p not in DEV]


def select(requested: list[str] | None, heldout: bool, mirror: Path = MIRROR) -> list[str]:
    """The programs to run: the development set by default, held-out ones only with `heldout`."""
    hidden = held_out(mirror)
    if not requested:
        return hidden if heldout else list(DEV)
    unknown = [p for p in requested if p not in DEV and p not in hidden]
    if unknown:
        raise SystemExit(f"Unknown QuixBugs program(s): {', '.join(unknown)}.")
    refused = [p for p in requested if p in hidden]
    if refused and not heldout:
        raise SystemExit(f"{', '.join(refused)} belong(s) to the held-out set; pass --heldout to run them.")
    return requested


def task_files(prog: str, mirror: Path = MIRROR) -> dict[str, str]:
    """Path -> content of the files a task repository holds."""
    test_path = f"python_testcases/test_{prog}.py"
    test = mirror_show(test_path, mirror)
    files = {f"python_programs/{prog}.py": mirror_show(f"python_programs/{prog}.py", mirror), test_path: test,
             "conftest.py": mirror_show("conftest.py", mirror), "pytest.ini": PYTEST_INI, ".gitignore": GITIGNORE,
             "README.md": readme(prog)}
    if re.search(r"^\s*from node import|^\s*import node", test, re.M):
        files["python_testcases/node.py"] = mirror_show("python_testcases/node.py", mirror)
        files["python_programs/node.py"] = mirror_show("python_programs/node.py", mirror)
    if "load_testdata" in test:
        files["python_testcases/load_testdata.py"] = mirror_show("python_testcases/load_testdata.py", mirror)
    if "load_json_testcases" in test:
        files[f"json_testcases/{prog}.json"] = mirror_show(f"json_testcases/{prog}.json", mirror)
    return files


def readme(prog: str) -> str:
    """A minimal README: what is where and how the tests run."""
    return (f"# {prog}\n\nAn algorithm implementation (`python_programs/{prog}.py`) and its tests "
            f"(`python_testcases/test_{prog}.py`).\n\nRun the tests from this folder:\n\n"
            f"    python -m pytest python_testcases/test_{prog}.py\n")


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a fixed identity; its stdout."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_IDENTITY}).stdout


def make_repo(root: Path, files: dict[str, str], message: str) -> str:
    """A fresh one-commit repository at `root` holding `files`; its commit."""
    if root.exists():
        shutil.rmtree(root)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def clip(output: str, root: Path, lines: int = ISSUE_LINES) -> str:
    """Pytest output without this machine's paths, clipped to the head and the summary."""
    text = output.replace(str(root) + "/", "").replace(str(root), ".")
    rows = text.rstrip().splitlines()
    if len(rows) <= lines:
        return "\n".join(rows)
    head, tail = lines // 3, lines - lines // 3
    return "\n".join([*rows[:head], f"... ({len(rows) - lines} lines omitted) ...", *rows[-tail:]])


def issue_text(prog: str, test_path: str, run: TestRun, root: Path) -> str:
    """What a user would file: the program, that its tests fail, and the output."""
    hang = ("\nSome tests never finish; they were stopped after a few seconds each.\n" if run.case_timeouts else "")
    if run.timed_out:
        hang = "\nThe test run never finished; it was stopped. The output up to then:\n"
    return (f"# {prog}: the tests fail\n\n"
            f"`python_programs/{prog}.py` (the `{prog}` function) does not pass its tests. Running\n\n"
            f"    python -m pytest {test_path}\n\nfrom the repository root fails:\n{hang}\n"
            f"```\n{clip(run.output, root)}\n```\n")


def build(prog: str, tasks_dir: Path, mirror: Path = MIRROR) -> Task:
    """The task repository and issue for `prog` under `tasks_dir/prog/`."""
    folder = tasks_dir / prog
    repo = folder / "repo"
    files = task_files(prog, mirror)
    commit = make_repo(repo, files, f"{prog}: program and tests")
    test_path = f"python_testcases/test_{prog}.py"
    run = run_tests(repo, test_path)
    issue = issue_text(prog, test_path, run, repo)
    issue_path = folder / "issue.md"
    issue_path.write_text(issue, encoding="utf-8")
    return Task(prog, repo, commit, issue, issue_path, test_path, run)


@dataclass
class Verification:
    """Whether a task is sound: the buggy version fails and the corrected one passes."""

    task: str
    """The program."""
    buggy_fails: bool
    """The tests fail (or hang) on the buggy program."""
    correct_passes: bool
    """The tests pass on the corrected program."""
    buggy_summary: str
    """pytest's summary line on the buggy program."""
    correct_summary: str
    """pytest's summary line on the corrected program."""

    @property
    def ok(self) -> bool:
        """Both hold."""
        return self.buggy_fails and self.correct_passes


def verify(task: Task, scratch: Path, mirror: Path = MIRROR) -> Verification:
    """The buggy task's test run (made for the issue) and a run on a copy with the corrected program."""
    buggy = task.buggy_run
    copy = scratch / f"{task.name}-correct"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(task.repo, copy, ignore=shutil.ignore_patterns(".git"))
    (copy / f"python_programs/{task.name}.py").write_text(
        mirror_show(f"correct_python_programs/{task.name}.py", mirror), encoding="utf-8")
    correct = run_tests(copy, task.test_path)
    shutil.rmtree(copy, ignore_errors=True)
    return Verification(task.name, not buggy.passed, correct.passed, buggy.summary, correct.summary)
