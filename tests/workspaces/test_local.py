"""LocalWorkspace against real git repositories and real processes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.errors import WorkspaceError
from workspaces.base import Workspace
from workspaces.local import LocalWorkspace


def test_satisfies_protocol_and_clones_at_commit(calc_repo: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=calc_repo, capture_output=True, text=True).stdout.strip()
    with LocalWorkspace(calc_repo) as ws:
        assert isinstance(ws, Workspace)
        assert ws.base_commit == head
        assert Path(ws.root) != calc_repo
        assert "return a - b" in ws.read_file("calc.py")


def test_user_checkout_is_never_touched(calc_repo: Path) -> None:
    before = (calc_repo / "calc.py").read_text()
    with LocalWorkspace(calc_repo) as ws:
        ws.write_file("calc.py", "changed\n")
        ws.write_file("new/dir/file.txt", "hello\n")
        ws.exec("rm README.md", timeout=10)
    assert (calc_repo / "calc.py").read_text() == before
    assert (calc_repo / "README.md").exists()
    assert not (calc_repo / "new").exists()


def test_temporary_clone_is_removed_on_exit(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        root = Path(ws.root)
        assert root.exists()
    assert not root.exists()


def test_exec_returns_exit_code_and_interleaved_output(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        result = ws.exec("echo out; echo err >&2; exit 3", timeout=10)
        assert result.exit_code == 3
        assert "out" in result.output and "err" in result.output
        assert not result.timed_out
        assert ws.exec("pwd", timeout=10).output.strip() == ws.root


def test_exec_cwd_is_relative_to_root(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        ws.write_file("sub/x.txt", "x")
        assert ws.exec("ls", timeout=10, cwd="sub").output.strip() == "x.txt"


def test_timeout_kills_the_whole_process_group(calc_repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "survived"
    with LocalWorkspace(calc_repo) as ws:
        # A background grandchild that would write the marker if it outlived the kill.
        result = ws.exec(f"(sleep 3; touch {marker}) & sleep 30", timeout=1)
        assert result.timed_out and result.exit_code == -1
        assert result.duration < 5
    subprocess.run(["sleep", "3.5"])
    assert not marker.exists()


def test_long_output_keeps_head_and_tail(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        result = ws.exec("echo FIRST; head -c 5000000 /dev/zero | tr '\\0' x; echo; echo LAST", timeout=30)
    assert result.output.startswith("FIRST")
    assert result.output.rstrip().endswith("LAST")
    assert "omitted" in result.output
    assert len(result.output) < 300_000


def test_secrets_do_not_reach_commands(calc_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-secret")
    with LocalWorkspace(calc_repo) as ws:
        output = ws.exec("env", timeout=10).output
    assert "sk-secret-value" not in output and "ghp-secret" not in output


def test_read_file_errors_follow_the_contract(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        ws.write_file("pkg/a.py", "")
        with pytest.raises(FileNotFoundError):
            ws.read_file("missing.py")
        with pytest.raises(IsADirectoryError):
            ws.read_file("pkg")


def test_diff_includes_new_files_and_applies_to_base(calc_repo: Path, tmp_path: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        assert ws.diff() == ""
        ws.write_file("calc.py", ws.read_file("calc.py").replace("a - b", "a + b"))
        ws.write_file("docs/notes.md", "new file\n")
        ws.exec("git add calc.py", timeout=10)  # the agent's own staging must not matter
        patch = ws.diff()
    assert "+    return a + b" in patch
    assert "docs/notes.md" in patch and "new file mode" in patch
    (tmp_path / "p.diff").write_text(patch)
    check = subprocess.run(["git", "apply", "--check", str(tmp_path / "p.diff")], cwd=calc_repo, capture_output=True)
    assert check.returncode == 0, check.stderr


def test_reset_returns_to_base(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        ws.write_file("calc.py", "broken")
        ws.write_file("extra.txt", "x")
        ws.reset()
        assert ws.diff() == ""
        assert "return a - b" in ws.read_file("calc.py")


def test_clone_of_unknown_commit_is_a_workspace_error(calc_repo: Path) -> None:
    with pytest.raises(WorkspaceError, match="Could not clone"), LocalWorkspace(calc_repo, commit="deadbeef"):
        pass


def test_same_size_edit_right_after_clone_shows_in_diff(calc_repo: Path) -> None:
    # Same size, same second as the index: only git's racy-entry check can see this change.
    for _ in range(5):
        with LocalWorkspace(calc_repo) as ws:
            ws.write_file("calc.py", ws.read_file("calc.py").replace("a - b", "a + b"))
            assert "+    return a + b" in ws.diff()
