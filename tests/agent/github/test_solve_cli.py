"""`agent solve --issue <GitHub issue URL> [--pr] [--github-api URL]` through the real CLI, against the fake."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.agent.github.conftest import ALICE, TOKEN
from tests.agent.github.fake_github import FakeGitHub
from tests.agent.test_cli import PROVIDER_KEYS
from tests.conftest import git

FIX_CALC = Path(__file__).parents[1] / "scripts" / "fix_calc.yaml"
GIVE_UP = Path(__file__).parent / "scripts" / "give_up.yaml"
URL = "https://github.com/acme/calc/issues/1"


@pytest.fixture
def issue_on_fake(fake_github: FakeGitHub, remote: Callable[[], tuple[Path, Path]]):
    bare, _ = remote()
    repo = fake_github.state.add_repo("acme", "calc", bare=bare)
    fake_github.state.add_issue(repo, "add() subtracts", "add(2, 3) returns -1.", ALICE)
    return repo, bare


def solve(fake: FakeGitHub, tmp_path: Path, *args: str, script: Path = FIX_CALC) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_KEYS and not k.startswith("GITHUB_")}
    env.update(COLUMNS="200", GITHUB_TOKEN=TOKEN, REPO_AGENT_CACHE=str(tmp_path / "cache"))
    cmd = [sys.executable, "-m", "agent", "solve", "--github-api", fake.base_url, "-w", "local",
           "-c", "model.type=scripted", "-c", f"model.script={script}", "--strategy", "loop", *args]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=180, env=env)


def test_issue_url_is_read_and_its_repository_cloned(fake_github: FakeGitHub, issue_on_fake, tmp_path: Path) -> None:
    result = solve(fake_github, tmp_path, "--issue", URL)
    assert result.returncode == 0, result.stdout + result.stderr
    trajectory = next((tmp_path / "runs").glob("*/trajectory.json")).read_text()
    assert "add(2, 3) returns -1." in trajectory
    assert (tmp_path / "cache" / "repos").is_dir()  # cloned from the issue's clone_url
    assert fake_github.calls("GET", "/repos/acme/calc/issues/1") and not fake_github.calls("POST")


def test_pr_pushes_a_branch_and_opens_a_draft(fake_github: FakeGitHub, issue_on_fake, tmp_path: Path) -> None:
    repo, bare = issue_on_fake
    result = solve(fake_github, tmp_path, "--issue", URL, "--pr")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pull request: https://github.com/acme/calc/pull/2" in result.stdout
    [pull] = fake_github.state.pulls(repo)
    assert pull["draft"] and pull["title"] == "Fix #1: add() subtracts"
    assert "add subtracted; now it adds." in pull["body"]
    assert "return a + b" in git(bare, "show", "repo-agent/issue-1:calc.py")

    again = solve(fake_github, tmp_path, "--issue", URL, "--pr")  # a second run updates the same pull request
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(fake_github.state.pulls(repo)) == 1 and fake_github.calls("PATCH", "/pulls/2")


def test_pr_without_a_fix_comments_on_the_issue(fake_github: FakeGitHub, issue_on_fake, tmp_path: Path) -> None:
    repo, bare = issue_on_fake
    result = solve(fake_github, tmp_path, "--issue", URL, "--pr", script=GIVE_UP)
    assert result.returncode == 1
    assert "comment: https://github.com/acme/calc/issues/1#issuecomment-" in result.stdout
    assert repo.comments[-1]["body"].startswith("repo-agent could not open a pull request for this issue: the agent "
                                                "made no change.")
    assert git(bare, "branch", "--list", "repo-agent/*") == ""


def test_pr_needs_a_github_issue(fake_github: FakeGitHub, calc_repo: Path, tmp_path: Path) -> None:
    result = solve(fake_github, tmp_path, "--repo", str(calc_repo), "--issue", "add() subtracts", "--pr")
    assert result.returncode == 2 and "needs a GitHub issue" in result.stderr
    assert not (tmp_path / "runs").exists()
