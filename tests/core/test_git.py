"""The one git helper: output, bytes, failures with git's own words, timeouts; and nothing else runs git itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.git import GitError, git_bytes, git_output, run_git

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "agent", "tools", "workspaces", "swebench")


def test_output_bytes_stdin_and_environment(tmp_path: Path) -> None:
    git_output("init", "-q", str(tmp_path))
    blob = git_output("hash-object", "-w", "--stdin", cwd=tmp_path, input="hello\n")
    assert git_bytes("cat-file", "-p", blob, git_dir=tmp_path / ".git") == b"hello\n"
    author = {"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "a@b"}
    assert git_output("var", "GIT_AUTHOR_IDENT", cwd=tmp_path, env=author).startswith("Ada <a@b>")


def test_a_failure_carries_gits_last_words_and_a_run_never_raises_for_an_exit_code(tmp_path: Path) -> None:
    with pytest.raises(GitError, match=rf"git rev-parse --verify failed in {re.escape(str(tmp_path))}: .*") as info:
        git_output("rev-parse", "--verify", "nope", cwd=tmp_path)
    assert "not a git repository" in info.value.stderr
    assert run_git("rev-parse", "--verify", "nope", cwd=tmp_path).returncode != 0


def test_a_command_past_its_timeout_is_a_git_error(tmp_path: Path) -> None:
    git_output("init", "-q", str(tmp_path))
    with pytest.raises(GitError, match="no answer within 0.5 s"):
        run_git("-c", "alias.wait=!sleep 2", "wait", cwd=tmp_path, timeout=0.5)


def test_no_product_module_runs_git_but_the_helper() -> None:
    calls = re.compile(r"""\[\s*["']git["']\s*,""")
    offenders = [str(path.relative_to(ROOT)) for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                 if path != ROOT / "core" / "git.py" and calls.search(path.read_text(encoding="utf-8"))]
    allowed = {"workspaces/base_image.py"}  # `git` there is a Debian package name, not a command
    assert set(offenders) <= allowed, offenders
