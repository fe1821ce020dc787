"""`agent github event` end to end, as the Action runs it: the real CLI in a subprocess, the fake GitHub on
127.0.0.1, a bare git remote, the scripted model and the local workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.agent.github.conftest import ALICE, MALLORY, TOKEN, labeled_event
from tests.agent.github.fake_github import BOT, FakeGitHub
from tests.agent.test_cli import PROVIDER_KEYS
from tests.conftest import git

SCRIPTS = Path(__file__).parent / "scripts"
PLANTED = "ghp_PLANTEDPLANTEDPLANTEDPLANTEDPLANTED1234"
"""A GitHub token pasted into the issue body (and repeated by the scripted model)."""
MODEL_KEY = "sk-test-planted-key-0123456789abcdef"
"""A model key in the environment (and repeated by the scripted model)."""
SECRETS = (PLANTED, MODEL_KEY, TOKEN)
GATE_CONFIG = """
gate:
  run_tests: true
  test_command: "python3 -c 'import test_calc; test_calc.test_add(); test_calc.test_mul()'"
"""


@pytest.fixture
def github_repo(fake_github: FakeGitHub, remote: Callable[[], tuple[Path, Path]]):
    """acme/calc on the fake, backed by a bare remote; issue #1 carries a planted token; alice may write."""
    bare, checkout = remote()
    repo = fake_github.state.add_repo("acme", "calc", bare=bare)
    repo.permissions["alice"] = "write"
    fake_github.state.add_issue(repo, "add() subtracts", f"2 + 3 gives -1. My token is {PLANTED}, oops.", MALLORY)
    fake_github.state.add_comment(repo, 1, "Confirmed: add(2, 3) == -1 on main.", ALICE)
    fake_github.state.add_comment(repo, 1, "I am a bot and should not be in the task.", BOT)
    return repo, bare, checkout


def run_event(fake: FakeGitHub, tmp_path: Path, checkout: Path, sender: dict, script: str, *extra: str,
              env: dict | None = None) -> subprocess.CompletedProcess:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(labeled_event(fake, "acme/calc", 1, sender)))
    config = tmp_path / "gate.yaml"
    config.write_text(GATE_CONFIG)
    base = {k: v for k, v in os.environ.items() if k not in PROVIDER_KEYS and not k.startswith("GITHUB_")}
    base.update(COLUMNS="200", GITHUB_TOKEN=TOKEN, GITHUB_API_URL=fake.base_url, OPENAI_API_KEY=MODEL_KEY,
                GITHUB_OUTPUT=str(tmp_path / "output.txt"), GITHUB_STEP_SUMMARY=str(tmp_path / "step-summary.md"))
    args = ["github", "event", "--event-path", str(event), "--repo", str(checkout), "-w", "local",
            "-c", "model.type=scripted", "-c", f"model.script={SCRIPTS / script}", "-c", str(config), "-c",
            "strategy=loop", *extra]
    return subprocess.run([sys.executable, "-m", "agent", *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=180, env={**base, **(env or {})})


def output_files(tmp_path: Path) -> dict[Path, str]:
    """Every file the run wrote (run folder, Action outputs)."""
    return {p: p.read_text(errors="replace") for p in tmp_path.rglob("*")
            if p.is_file() and "remote" not in p.parts and "checkout" not in p.parts and "calc" not in p.parts
            and p.suffix != ".yaml" and p.name != "event.json"}


def test_trusted_label_opens_a_draft_pull_request(fake_github: FakeGitHub, github_repo, tmp_path: Path) -> None:
    repo, bare, checkout = github_repo
    result = run_event(fake_github, tmp_path, checkout, ALICE, "fix_calc_with_secrets.yaml",
                       "--cost-limit", "1.0", "--daily-budget", "5")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "trusted: @alice has write access to acme/calc" in result.stderr

    # The branch: one commit on main that names the issue, with the fix; the checkout is untouched.
    log = git(bare, "log", "--format=%s%n%b", "main..repo-agent/issue-1")
    assert log.startswith("Fix #1: add() subtracts") and "Resolves #1" in log
    assert git(bare, "rev-list", "--count", "main..repo-agent/issue-1").strip() == "1"
    assert "return a + b" in git(bare, "show", "repo-agent/issue-1:calc.py")
    assert git(checkout, "status", "--porcelain") == "" and "return a - b" in (checkout / "calc.py").read_text()

    # The pull request: a draft into main with summary, gate, tests, cost and trajectory.
    [pull] = fake_github.state.pulls(repo)
    assert pull["draft"] is True and pull["head"]["ref"] == "repo-agent/issue-1" and pull["base"]["ref"] == "main"
    body = pull["body"]
    for expected in ("Resolves #1.", "add() subtracted; it adds now", "Patch gate: passed", "✅ tests",
                     "Tests run by the agent:", "— passed", "cost $0.7500", "trajectory.json", "`calc.py`"):
        assert expected in body, expected

    # The status comment holds the settled ledger entry; the label is gone.
    [status] = [c for c in repo.comments if "repo-agent-budget" in c["body"]]
    assert '"state": "spent"' in status["body"] and '"amount": 0.75' in status["body"]
    assert "opened pull request #2" in status["body"]
    assert all(label["name"] != "agent" for label in repo.issues[1]["labels"])
    assert "status=pull request" in (tmp_path / "output.txt").read_text()

    # The task had the human comment but not the bot's; the planted token never reached the model.
    trajectory = next((tmp_path / "runs").glob("*/trajectory.json")).read_text()
    assert "Confirmed: add(2, 3)" in trajectory and "should not be in the task" not in trajectory

    # No secret anywhere: run folder, Action outputs, logs, and everything sent to GitHub.
    sent = json.dumps([r.body for r in fake_github.requests])
    texts = {**{str(p): t for p, t in output_files(tmp_path).items()}, "stdout": result.stdout,
             "stderr": result.stderr, "requests": sent}
    assert {"trajectory.json", "patch.diff", "summary.md", "output.txt", "step-summary.md"} <= \
        {Path(name).name for name in texts}
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret[:12]}... leaked into {name}"
    assert "[REDACTED]" in trajectory and "[REDACTED]" in body


def test_untrusted_sender_starts_nothing(fake_github: FakeGitHub, github_repo, tmp_path: Path) -> None:
    repo, bare, checkout = github_repo
    result = run_event(fake_github, tmp_path, checkout, MALLORY, "fix_calc_with_secrets.yaml",
                       env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "refused: @mallory has read access to acme/calc; starting a run needs one of: admin, maintain, write" \
        in result.stderr
    assert "::warning title=repo-agent untrusted::" in result.stdout
    assert not (tmp_path / "runs").exists()
    assert fake_github.state.pulls(repo) == []
    assert git(bare, "branch", "--list", "repo-agent/*") == ""
    assert repo.comments[-1]["body"].startswith("repo-agent did not start: @mallory has read access")
    assert all(label["name"] != "agent" for label in repo.issues[1]["labels"])
    assert not fake_github.calls("GET", "/issues/comments")  # no budget lookups, no issue reading


def test_daily_budget_refuses_the_next_run(fake_github: FakeGitHub, github_repo, tmp_path: Path) -> None:
    repo, bare, checkout = github_repo
    budget = ["--cost-limit", "1.0", "--daily-budget", "1.5"]
    first = run_event(fake_github, tmp_path, checkout, ALICE, "fix_calc_with_secrets.yaml", *budget)
    assert first.returncode == 0, first.stdout + first.stderr
    assert len(fake_github.state.pulls(repo)) == 1

    second = run_event(fake_github, tmp_path, checkout, ALICE, "fix_calc_with_secrets.yaml", *budget)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "refused: today's budget for acme/calc is spent: $0.75 of $1.50 used, and a run may cost up to $1.00" \
        in second.stderr
    assert len(list((tmp_path / "runs").iterdir())) == 1  # the second run never started
    refused = [c for c in repo.comments if '"state": "refused"' in c["body"]]
    assert len(refused) == 1 and "did not start: today's budget" in refused[0]["body"]


def test_failed_run_comments_what_was_tried(fake_github: FakeGitHub, github_repo, tmp_path: Path) -> None:
    repo, bare, checkout = github_repo
    result = run_event(fake_github, tmp_path, checkout, ALICE, "give_up.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert fake_github.state.pulls(repo) == [] and git(bare, "branch", "--list", "repo-agent/*") == ""
    comment = next(c["body"] for c in repo.comments if c["body"].startswith("repo-agent could not open"))
    assert "the agent made no change." in comment
    assert "Could not find the bug." in comment
    assert "`python3 -c 'import test_calc; test_calc.test_add()'` — failed (exit 1)" in comment
    assert "trajectory.json" in comment and "cost $0.0100" in comment
    status = next(c["body"] for c in repo.comments if "repo-agent-budget" in c["body"])
    assert "opened no pull request" in status and '"amount": 0.01' in status


def test_other_labels_and_actions_are_ignored_without_calling_github(fake_github: FakeGitHub, github_repo,
                                                                     tmp_path: Path) -> None:
    repo, bare, checkout = github_repo
    result = run_event(fake_github, tmp_path, checkout, ALICE, "give_up.yaml", "--label", "fix-me")
    assert result.returncode == 0 and "ignored: label 'agent' is not 'fix-me'" in result.stderr
    assert fake_github.requests == []


def test_missing_token_and_bad_event_file_are_one_sentence(fake_github: FakeGitHub, github_repo,
                                                           tmp_path: Path) -> None:
    repo, bare, checkout = github_repo
    result = run_event(fake_github, tmp_path, checkout, ALICE, "give_up.yaml", env={"GITHUB_TOKEN": ""})
    assert result.returncode == 2 and "GITHUB_TOKEN (or GH_TOKEN) is not set" in result.stderr
    (tmp_path / "bad.json").write_text("{not json")
    bad = subprocess.run([sys.executable, "-m", "agent", "github", "event", "--event-path", str(tmp_path / "bad.json")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert bad.returncode == 2 and "is not JSON" in bad.stderr
