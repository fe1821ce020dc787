"""Test runs in a real local workspace (per-test and per-file verdicts) and lint output read."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agent.search.lint import LintError, new_errors, parse_errors
from agent.testing.runner import TestRunner, detect_runner
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


def test_lint_output_of_ruff_and_pyflakes_is_read_and_only_new_errors_count() -> None:
    ruff = "calc.py:1:8: F401 [*] `os` imported but unused\ncalc.py:9:5: F821 Undefined name `y`\nFound 2 errors.\n"
    pyflakes = "./calc.py:3:1: 'os' imported but unused\ncalc.py:7: undefined name 'y'\n"
    assert parse_errors(ruff) == [LintError("calc.py", 1, "F401", "`os` imported but unused"),
                                  LintError("calc.py", 9, "F821", "Undefined name `y`")]
    assert [(e.path, e.line, e.code) for e in parse_errors(pyflakes)] == [("calc.py", 3, ""), ("calc.py", 7, "")]
    before = parse_errors("calc.py:1:8: F401 `os` imported but unused\n")
    after = parse_errors("calc.py:4:8: F401 `os` imported but unused\ncalc.py:4:8: F401 `os` imported but unused\n")
    assert [e.line for e in new_errors(before, after)] == [4]  # moved: old; the second copy: new
