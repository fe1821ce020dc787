"""handle_event() in process: which events are acted on, and what happens when the run itself breaks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agent.config import load_config
from agent.github.client import GitHubClient
from agent.github.event import (
    EventContext,
    EventOutcome,
    annotation,
    handle_event,
    labeled_issue,
    load_event,
    write_outputs,
)
from agent.repo import RepoSource
from agent.trajectory import Trajectory, TrajectoryData
from core.errors import UserError
from tests.agent.github.conftest import ALICE, labeled_event
from tests.agent.github.fake_github import FakeGitHub


@pytest.fixture
def acme(fake_github: FakeGitHub, remote: Callable[[], tuple[Path, Path]]):
    bare, checkout = remote()
    repo = fake_github.state.add_repo("acme", "calc", bare=bare)
    repo.permissions["alice"] = "write"
    fake_github.state.add_issue(repo, "add() subtracts", "please fix", ALICE, labels=["agent"])
    return repo, checkout


def context(client: GitHubClient, checkout: Path, tmp_path: Path, run, *overrides: str) -> tuple[EventContext, list]:
    logs: list[str] = []
    settings = load_config([f"runs_dir={tmp_path / 'runs'}", "limits.cost=2", *overrides])
    source = RepoSource(checkout, "HEAD")
    return EventContext(client, settings, source, None, run, logs.append), logs


def never(*args):
    raise AssertionError("no run expected")


@pytest.mark.parametrize("change, reason", [
    ({"action": "opened"}, "action 'opened' is not `labeled`"),
    ({"label": {"name": "bug"}}, "label 'bug' is not 'agent'"),
    ({"issue": {"number": 1, "pull_request": {}}}, "the label was added to a pull request, not an issue"),
])
def test_events_that_are_not_ours_are_ignored_without_requests(client: GitHubClient, fake_github: FakeGitHub, acme,
                                                                tmp_path: Path, change: dict, reason: str) -> None:
    repo, checkout = acme
    payload = {**labeled_event(fake_github, "acme/calc", 1, ALICE), **change}
    ctx, logs = context(client, checkout, tmp_path, never)
    outcome = handle_event(payload, ctx)
    assert (outcome.status, outcome.message, outcome.exit_code) == ("ignored", reason, 0)
    assert logs == [f"ignored: {reason}"] and fake_github.requests == []


def test_payload_without_issue_or_repository_is_a_user_error() -> None:
    with pytest.raises(UserError, match="is it an `issues` event payload"):
        labeled_issue({"action": "labeled", "label": {"name": "agent"}}, "agent")


def test_event_file_problems_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="could not be read"):
        load_event(tmp_path / "missing.json")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(UserError, match="must hold a JSON object"):
        load_event(tmp_path / "list.json")


def test_a_broken_run_settles_its_cost_comments_and_reraises(client: GitHubClient, fake_github: FakeGitHub, acme,
                                                             tmp_path: Path) -> None:
    repo, checkout = acme

    def broken(issue, run_id):
        assert "please fix" in issue.text
        trajectory = Trajectory(tmp_path / "runs" / run_id / "trajectory.json", TrajectoryData(run_id=run_id))
        trajectory.data.cost = 0.4
        trajectory.save()
        raise RuntimeError("workspace vanished")

    ctx, logs = context(client, checkout, tmp_path, broken)
    with pytest.raises(RuntimeError, match="workspace vanished"):
        handle_event(labeled_event(fake_github, "acme/calc", 1, ALICE), ctx)
    status, failure = repo.comments
    assert '"amount": 0.4, "state": "spent"' in status["body"] and "failed; cost $0.4000" in status["body"]
    assert failure["body"].startswith("repo-agent could not open a pull request for this issue: the run failed "
                                      "(RuntimeError: workspace vanished).")
    assert repo.issues[1]["labels"] == []  # label removed: adding it again retries


def test_a_run_that_leaves_no_trajectory_keeps_its_whole_reservation(client: GitHubClient, fake_github: FakeGitHub,
                                                                      acme, tmp_path: Path) -> None:
    repo, checkout = acme

    def broken(issue, run_id):
        raise OSError("disk full")

    ctx, _ = context(client, checkout, tmp_path, broken)
    with pytest.raises(OSError):
        handle_event(labeled_event(fake_github, "acme/calc", 1, ALICE), ctx)
    assert '"amount": 2.0, "state": "spent"' in repo.comments[0]["body"]


def test_a_daily_budget_needs_a_cost_limit(client: GitHubClient, fake_github: FakeGitHub, acme,
                                           tmp_path: Path) -> None:
    repo, checkout = acme
    ctx, _ = context(client, checkout, tmp_path, never, "limits.cost=0")
    with pytest.raises(UserError, match="needs a per-run cost limit"):
        handle_event(labeled_event(fake_github, "acme/calc", 1, ALICE), ctx)
    assert not fake_github.calls("POST")


def test_action_outputs_summary_and_annotations(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "summary.md").write_text("# repo-agent run r\n")
    env = {"GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary")}
    write_outputs(EventOutcome("pull request", "ok", "https://x/pull/2", 0.5, run_dir), env)
    assert (tmp_path / "out").read_text() == \
        f"status=pull request\nurl=https://x/pull/2\ncost=0.5000\nrun-dir={run_dir}\n"
    assert "# repo-agent run r" in (tmp_path / "summary").read_text()
    refused = EventOutcome("over budget", "spent")
    assert annotation(refused, {"GITHUB_ACTIONS": "true"}) == "::warning title=repo-agent over budget::spent"
    assert annotation(refused, {}) is None
    write_outputs(refused, {})  # outside Actions: nothing to write, no error
    assert EventOutcome("comment", "x").exit_code == 1
