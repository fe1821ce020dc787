"""The patch gate on real diffs taken from a real workspace."""

from __future__ import annotations

from pathlib import Path

from agent.config import GateConfig
from agent.gate import run_gate
from agent.testing.baseline import measure
from agent.testing.runner import detect_runner
from tests.conftest import git
from workspaces.local import LocalWorkspace


def gate_for(repo: Path, edit, config: GateConfig | None = None, issue: str = "", related: list[str] | None = None):
    """The gate's verdict on `edit`, with the known tests measured first (as a run does) when tests run."""
    config = config or GateConfig(run_tests=False)
    with LocalWorkspace(repo) as ws:
        baseline = None
        if config.run_tests:
            runner = detect_runner(ws, config.test_command, 60, config.case_timeout or None)
            baseline = measure(runner, issue, related or [])
        edit(ws)
        return run_gate(ws.diff(), ws, config, baseline)


def test_empty_diff_is_no_change_not_success(calc_repo: Path) -> None:
    result = gate_for(calc_repo, lambda ws: None)
    assert result.status == "no change"
    assert not result.passed


def test_good_fix_passes_parse_apply_syntax(calc_repo: Path) -> None:
    def fix(ws):
        ws.write_file("calc.py", ws.read_file("calc.py").replace("a - b", "a + b"))
        ws.write_file("docs/new.md", "notes\n")

    result = gate_for(calc_repo, fix)
    assert result.status == "passed", result.checks
    assert [c.name for c in result.checks] == ["parse", "apply", "syntax"]
    assert sorted(result.files) == ["calc.py", "docs/new.md"]


def test_syntax_error_fails_and_says_where(calc_repo: Path) -> None:
    result = gate_for(calc_repo, lambda ws: ws.write_file("calc.py", "def add(a, b:\n    return a + b\n"))
    assert result.status == "failed"
    syntax = next(c for c in result.checks if c.name == "syntax")
    assert not syntax.passed and "calc.py:" in syntax.detail


def test_preexisting_syntax_error_does_not_block(make_repo) -> None:
    repo = make_repo({"broken.py": "def f(:\n    pass\n", "ok.py": "x = 1\n"})
    result = gate_for(repo, lambda ws: ws.write_file("broken.py", "def f(:\n    pass\n# touched\n"))
    assert next(c for c in result.checks if c.name == "syntax").passed


def test_patch_that_no_longer_applies_to_base_fails(calc_repo: Path) -> None:
    def edit_then_move_base(ws):
        ws.write_file("calc.py", ws.read_file("calc.py").replace("a - b", "a + b"))

    with LocalWorkspace(calc_repo) as ws:
        edit_then_move_base(ws)
        patch = ws.diff()
    (calc_repo / "calc.py").write_text("def add(a, b):\n    return 0\n")  # a later base where calc.py differs
    git(calc_repo, "commit", "-qam", "other")
    with LocalWorkspace(calc_repo) as ws:
        result = run_gate(patch, ws, GateConfig())
    apply = next(c for c in result.checks if c.name == "apply")
    assert not apply.passed and "calc.py" in apply.detail
    assert result.status == "failed"


def test_user_checkout_and_index_untouched_by_apply_check(calc_repo: Path) -> None:
    before = git(calc_repo, "status", "--porcelain")
    gate_for(calc_repo, lambda ws: ws.write_file("calc.py", "x = 1\n"))
    assert git(calc_repo, "status", "--porcelain") == before


def test_the_workspace_keeps_its_changes_and_no_scratch_file(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        fix_add(ws)
        status = ws.exec("git status --porcelain", timeout=30).output
        assert run_gate(ws.diff(), ws, GateConfig(run_tests=False)).status == "passed"
        assert ws.exec("git status --porcelain", timeout=30).output == status
        assert ws.exec("ls .git | grep repo-agent-gate", timeout=30).exit_code == 1


def fix_add(ws) -> None:
    ws.write_file("calc.py", ws.read_file("calc.py").replace("a - b", "a + b"))


def test_the_failing_test_the_issue_names_must_pass(calc_repo: Path) -> None:
    issue = "add is wrong: test_calc.py::test_add fails"
    unfixed = gate_for(calc_repo, lambda ws: ws.write_file("README.md", "# calc!\n"), GateConfig(), issue)
    tests = next(c for c in unfixed.checks if c.name == "tests")
    assert unfixed.status == "failed" and "0/1 failing tests now pass" in tests.detail and "test_add" in tests.detail
    fixed = gate_for(calc_repo, fix_add, GateConfig(), issue)
    tests = next(c for c in fixed.checks if c.name == "tests")
    assert fixed.status == "passed" and tests.detail.startswith("1/1 failing tests now pass; 1/1 passing tests still")


def test_a_test_that_passed_before_must_not_fail_after(calc_repo: Path) -> None:
    def break_mul(ws):
        fix_add(ws)
        ws.write_file("calc.py", ws.read_file("calc.py").replace("a * b", "a ** b"))

    result = gate_for(calc_repo, break_mul, GateConfig(), related=["test_calc.py"])
    tests = next(c for c in result.checks if c.name == "tests")
    assert result.status == "failed" and "0/1 passing tests still pass" in tests.detail and "test_mul" in tests.detail


def test_no_known_test_is_unverified_never_a_pass(calc_repo: Path) -> None:
    result = gate_for(calc_repo, fix_add, GateConfig(), issue="add is wrong")
    tests = next(c for c in result.checks if c.name == "tests")
    assert result.status == "unverified" and not result.passed
    assert tests.detail.startswith("no tests found: no test file is named in the issue or related to the code")


def test_a_test_file_the_patch_adds_must_pass(calc_repo: Path) -> None:
    def fix_with_test(ws):
        fix_add(ws)
        ws.write_file("test_new.py", "from calc import add\n\n\ndef test_more():\n    assert add(1, 1) == 3\n")

    result = gate_for(calc_repo, fix_with_test, GateConfig(), issue="add is wrong")
    tests = next(c for c in result.checks if c.name == "tests")
    assert result.status == "failed" and "0/1 added test files pass" in tests.detail


def test_a_configured_command_decides_by_its_exit_status(calc_repo: Path) -> None:
    config = GateConfig(test_command="python3 -c 'import calc; assert calc.add(2, 3) == 5'")
    result = gate_for(calc_repo, fix_add, config, related=["test_calc.py"])
    assert result.status == "passed" and "command" in next(c for c in result.checks if c.name == "tests").detail


def test_garbage_patch_fails_parse(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        result = run_gate("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n garbage\n", ws, GateConfig())
    assert result.status == "failed"
    assert result.checks[0].name == "parse" and not result.checks[0].passed
