"""The patch gate on real diffs taken from a real workspace."""

from __future__ import annotations

from pathlib import Path

from agent.config import GateConfig
from agent.gate import run_gate
from tests.conftest import git
from workspaces.local import LocalWorkspace


def gate_for(repo: Path, edit, config: GateConfig | None = None, test_command: str | None = None):
    with LocalWorkspace(repo) as ws:
        edit(ws)
        return run_gate(ws.diff(), repo, ws.base_commit, ws, config or GateConfig(), test_command)


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
        # Pretend the base commit is a different one where calc.py differs.
        (calc_repo / "calc.py").write_text("def add(a, b):\n    return 0\n")
        git(calc_repo, "commit", "-qam", "other")
        other = git(calc_repo, "rev-parse", "HEAD").strip()
        result = run_gate(patch, calc_repo, other, ws, GateConfig())
    apply = next(c for c in result.checks if c.name == "apply")
    assert not apply.passed and "calc.py" in apply.detail
    assert result.status == "failed"


def test_user_checkout_and_index_untouched_by_apply_check(calc_repo: Path) -> None:
    before = git(calc_repo, "status", "--porcelain")
    gate_for(calc_repo, lambda ws: ws.write_file("calc.py", "x = 1\n"))
    assert git(calc_repo, "status", "--porcelain") == before


def test_tests_check_runs_the_command(calc_repo: Path) -> None:
    config = GateConfig(run_tests=True)
    command = "python3 -m pytest -q test_calc.py 2>&1 || python3 -c 'import calc; assert calc.add(2, 3) == 5'"
    failing = gate_for(calc_repo, lambda ws: ws.write_file("README.md", "# calc!\n"), config, command)
    assert next(c for c in failing.checks if c.name == "tests").passed is False
    fixed = gate_for(
        calc_repo,
        lambda ws: ws.write_file("calc.py", ws.read_file("calc.py").replace("a - b", "a + b")),
        config, "python3 -c 'import calc; assert calc.add(2, 3) == 5'",
    )
    assert fixed.status == "passed"
    assert next(c for c in fixed.checks if c.name == "tests").passed


def test_garbage_patch_fails_parse(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        result = run_gate("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n garbage\n", calc_repo, ws.base_commit, ws, GateConfig())
    assert result.status == "failed"
    assert result.checks[0].name == "parse" and not result.checks[0].passed
