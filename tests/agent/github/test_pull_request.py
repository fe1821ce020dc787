"""publish(): pull request or comment, updating an open pull request, refusing patches with secrets; report texts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agent.config import GitHubConfig
from agent.gate import GateCheck, GateResult
from agent.github.client import GitHubClient, RepoRef
from agent.github.issue_reader import GitHubIssue
from agent.github.pull_request import blocker, publish
from agent.github.report import RunFacts, failure_comment, pull_request_title, trajectory_location
from agent.repo import RepoSource
from agent.runner import SolveResult
from tests.agent.github.conftest import ALICE, TOKEN
from tests.agent.github.fake_github import FakeGitHub
from tests.agent.github.test_branch import FIX
from tests.conftest import git

PASSED = GateResult(status="passed", checks=[GateCheck(name="parse", passed=True, detail="1 file(s)")],
                    files=["calc.py"])


def result(tmp_path: Path, patch: str = FIX, gate: GateResult = PASSED, message: str = "fixed add") -> SolveResult:
    return SolveResult(run_dir=tmp_path / "runs" / "run-1", exit_status="Submitted", patch=patch, gate=gate,
                       cost=0.125, steps=3, message=message)


@pytest.fixture
def setup(fake_github: FakeGitHub, remote: Callable[[], tuple[Path, Path]]):
    bare, checkout = remote()
    repo = fake_github.state.add_repo("acme", "calc", bare=bare)
    fake_github.state.add_issue(repo, "add() subtracts", "", ALICE)
    issue = GitHubIssue(RepoRef("acme", "calc"), 1, "add() subtracts", "https://github.com/acme/calc/issues/1",
                        str(bare), "main", fake_github.base_url)
    source = RepoSource(checkout, git(checkout, "rev-parse", "HEAD").strip())
    return repo, bare, issue, source


def test_passing_patch_opens_then_updates_one_draft(client: GitHubClient, fake_github: FakeGitHub, setup,
                                                    tmp_path: Path) -> None:
    repo, bare, issue, source = setup
    first = publish(client, issue, source, result(tmp_path), GitHubConfig(), TOKEN)
    assert (first.kind, first.number, first.url) == ("pull_request", 2, "https://github.com/acme/calc/pull/2")
    second = publish(client, issue, source, result(tmp_path, message="fixed add, again"), GitHubConfig(), TOKEN)
    assert second.number == 2 and len(fake_github.state.pulls(repo)) == 1
    assert "fixed add, again" in fake_github.state.pulls(repo)[0]["body"]
    assert [r.body["draft"] for r in fake_github.calls("POST", "/pulls")] == [True, True]


def test_draft_and_branch_prefix_follow_the_config(client: GitHubClient, fake_github: FakeGitHub, setup,
                                                   tmp_path: Path) -> None:
    repo, bare, issue, source = setup
    publish(client, issue, source, result(tmp_path), GitHubConfig(draft=False, branch_prefix="bot/fix-"), TOKEN)
    [pull] = fake_github.state.pulls(repo)
    assert pull["draft"] is False and pull["head"]["ref"] == "bot/fix-1"


@pytest.mark.parametrize("gate, patch, reason", [
    (GateResult(status="no change"), "", "the agent made no change."),
    (GateResult(status="failed", checks=[GateCheck(name="apply", passed=False), GateCheck(name="syntax", passed=True),
                                         GateCheck(name="tests", passed=False)]), FIX,
     "the patch failed the gate (apply, tests)."),
    (PASSED, FIX.replace("return a + b", "return 'ghp_" + "k" * 36 + "'"),
     "the patch contains something that looks like a secret, so it was not pushed."),
])
def test_what_does_not_become_a_pull_request(client: GitHubClient, fake_github: FakeGitHub, setup, tmp_path: Path,
                                             gate: GateResult, patch: str, reason: str) -> None:
    repo, bare, issue, source = setup
    outcome = publish(client, issue, source, result(tmp_path, patch, gate), GitHubConfig(), TOKEN)
    assert outcome.kind == "comment" and blocker(result(tmp_path, patch, gate)) == reason
    assert repo.comments[-1]["body"].startswith(f"repo-agent could not open a pull request for this issue: {reason}")
    assert git(bare, "branch", "--list", "repo-agent/*") == "" and fake_github.state.pulls(repo) == []
    assert "ghp_kkkk" not in repo.comments[-1]["body"]


def test_report_texts() -> None:
    issue = GitHubIssue(RepoRef("a", "b"), 5, "x" * 200, "u", "c", "main", "api")
    assert len(pull_request_title(issue)) == 120 and pull_request_title(issue).startswith("Fix #5: xxx")
    nothing = RunFacts("r", "StepLimitExceeded", "", 60, 3.0, "no change", location="`t.json`")
    text = failure_comment(issue, nothing, "the agent made no change.")
    assert "- nothing: the agent made no edits and ran no commands" in text
    assert "Run `r`: 60 steps, cost $3.0000, ended by StepLimitExceeded." in text
    env = {"GITHUB_RUN_ID": "42", "GITHUB_REPOSITORY": "a/b", "GITHUB_SERVER_URL": "https://github.com",
           "REPO_AGENT_ARTIFACT": "repo-agent-run-42-1"}
    assert trajectory_location(Path("runs/r"), env) == \
        "`runs/r/trajectory.json` in the `repo-agent-run-42-1` artifact of https://github.com/a/b/actions/runs/42"
    assert trajectory_location(Path("runs/r"), {}) == "`runs/r/trajectory.json`"
