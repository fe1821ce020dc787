"""Judging in a real local workspace: test runners, reproduction test verdicts, regressions and lint."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agent.config import load_config
from agent.samples.judge import Judge
from agent.samples.lint import LintError, detect_linter, new_errors, parse_errors
from agent.samples.patches import split_patch
from agent.samples.reproduction import ReproTest, batches, run_pool, validate
from agent.samples.selection import Candidate
from agent.testing.runner import TestRunner, detect_runner
from tests.agent.samples.conftest import SIGNS, patch_of
from workspaces.local import LocalWorkspace

ADD_TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
BROKEN = "from calc import add\n\ndef test_add(:\n    pass\n"


@pytest.fixture
def ws(signs_repo: Path):
    with LocalWorkspace(signs_repo) as workspace:
        yield workspace


def test_pytest_runs_give_per_test_and_per_file_verdicts(ws: LocalWorkspace) -> None:
    runner = detect_runner(ws)
    assert runner.kind == "pytest"
    ws.write_file("test_add.py", ADD_TEST)
    ws.write_file("test_broken.py", BROKEN)
    run = runner.run(["test_calc.py", "test_add.py", "test_broken.py", "test_missing.py"])
    assert run.statuses["test_calc.py::test_sub"] == "PASSED" and run.statuses["test_add.py::test_add"] == "FAILED"
    verdicts = {f: run.file_verdict(f) for f in ("test_calc.py", "test_add.py", "test_broken.py", "test_missing.py")}
    assert verdicts == {"test_calc.py": "passed", "test_add.py": "failed", "test_broken.py": "error",
                        "test_missing.py": "error"}


def test_script_and_command_runners_judge_whole_files(ws: LocalWorkspace) -> None:
    ws.write_file("repro_add.py", "from calc import add\nassert add(2, 3) == 5\n")
    ws.write_file("repro_ok.py", "from calc import sub\nassert sub(5, 3) == 2\n")
    ws.write_file("repro_broken.py", "if True\n")
    files = ["repro_add.py", "repro_ok.py", "repro_broken.py"]
    script = TestRunner(ws, "script", sys.executable)
    assert {f: script.run(files).file_verdict(f) for f in files} == {
        "repro_add.py": "failed", "repro_ok.py": "passed", "repro_broken.py": "error"}
    command = detect_runner(ws, "python -c 'import sys; sys.exit(len(sys.argv) > 2)' {files}")
    assert command.kind == "command"
    assert command.run(["repro_ok.py"]).file_verdict("repro_ok.py") == "passed"
    assert command.run(files).file_verdict("repro_ok.py") == "failed"  # one verdict for the whole command


def test_reproduction_tests_share_runs_unless_their_paths_collide(ws: LocalWorkspace) -> None:
    tests = [ReproTest("test_add.py", ADD_TEST, ["#0"]), ReproTest("test_add.py", ADD_TEST.replace("5", "-1"), ["#1"]),
             ReproTest("test_calc.py", "def test_x():\n    assert False\n", ["#2"]),
             ReproTest("test_broken.py", BROKEN, ["#3"]), ReproTest("test_sub.py", "from calc import sub\n\n\n"
                                                                    "def test_s():\n    assert sub(5, 3) == 2\n")]
    groups = batches(tests, {"test_calc.py"})
    assert [[t.origins for t in g] for g in groups] == [[["#0"], ["#3"], []], [["#1"], ["#2"]]]
    related_run = validate(tests, ws, detect_runner(ws), ["test_calc.py"])
    assert [t.kept for t in tests] == [True, False, True, False, False]
    assert "passes on the base commit" in tests[1].verdict and "does not run" in tests[3].verdict
    assert related_run.of_files({"test_calc.py"}) == {"test_calc.py::test_sub": "PASSED",
                                                       "test_calc.py::test_mul": "PASSED"}
    assert ws.diff() == ""  # every test was taken out again, the existing file restored
    _, verdicts = run_pool(ws, detect_runner(ws), [], tests[:2])
    assert verdicts == ["failed", "passed"]


def test_lint_output_of_ruff_and_pyflakes_is_read_and_only_new_errors_count() -> None:
    ruff = "calc.py:1:8: F401 [*] `os` imported but unused\ncalc.py:9:5: F821 Undefined name `y`\nFound 2 errors.\n"
    pyflakes = "./calc.py:3:1: 'os' imported but unused\ncalc.py:7: undefined name 'y'\n"
    assert parse_errors(ruff) == [LintError("calc.py", 1, "F401", "`os` imported but unused"),
                                  LintError("calc.py", 9, "F821", "Undefined name `y`")]
    assert [(e.path, e.line, e.code) for e in parse_errors(pyflakes)] == [("calc.py", 3, ""), ("calc.py", 7, "")]
    before = parse_errors("calc.py:1:8: F401 `os` imported but unused\n")
    after = parse_errors("calc.py:4:8: F401 `os` imported but unused\ncalc.py:4:8: F401 `os` imported but unused\n")
    assert [e.line for e in new_errors(before, after)] == [4]  # moved: old; the second copy: new


def test_judge_counts_regressions_lint_and_reproduction(ws: LocalWorkspace, signs_repo: Path) -> None:
    linter = detect_linter(ws)
    assert linter is not None and linter.kind == "ruff"
    config = load_config(["workspace.type=local"])
    old = "    return _combine(a, b, -1)\n\n\ndef sub"
    right = SIGNS["calc.py"].replace(old, old.replace("-1", "1"))
    sloppy = right.replace("def mul(a, b):\n    return a * b", "def mul(a, b):\n    return a * b * factor")
    wrong = SIGNS["calc.py"].replace("a + sign * b", "a - sign * b")
    candidates = [Candidate(i, p, split_patch(p)) for i, p in
                  enumerate(patch_of(signs_repo, {"calc.py": text}) for text in (right, sloppy, wrong))]
    pool = [ReproTest("test_add.py", ADD_TEST, ["#0"])]
    judge = Judge(ws, config, ["test_calc.py"])
    report = judge.prepare(pool, {"calc.py"})
    assert report.runner == "pytest" and "ruff" in report.linter and pool[0].kept
    for candidate in candidates:
        judge.judge(candidate, pool)
    assert [c.repro_passed for c in candidates] == [["test_add.py"], ["test_add.py"], ["test_add.py"]]
    assert [c.regressions for c in candidates] == [[], ["test_calc.py::test_mul"], ["test_calc.py::test_sub"]]
    assert candidates[1].lint_new == ["calc.py:19: F821 Undefined name `factor`"] and candidates[0].lint_new == []
    assert [c.score for c in candidates] == [1, -1, 0]
    assert ws.diff() == ""
    bad = Candidate(3, "diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1 +1 @@\n-nope\n+x\n",
                    split_patch("diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1 +1 @@\n-no\n+x\n"))
    judge.judge(bad, pool)
    assert bad.dropped == "does not apply in the judge workspace" and not bad.judged
