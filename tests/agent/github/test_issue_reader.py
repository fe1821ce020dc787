"""Issue URLs: recognising them, reading title/body/people's comments through the fake, and the registered reader."""

from __future__ import annotations

import pytest

from agent.cli.github import is_issue_url, read_issue_url
from agent.github.client import GitHubClient, RepoRef
from agent.github.issue_reader import (
    GitHubIssue,
    is_github_issue_url,
    parse_issue_url,
    read_issue,
    web_host,
)
from agent.issue import register_url_reader, resolve_issue
from core.errors import UserError
from tests.agent.github.conftest import ALICE, MALLORY, TOKEN
from tests.agent.github.fake_github import BOT, FakeGitHub

REPO = RepoRef("acme", "calc")
PLANTED = "ghp_" + "Z9" * 18


@pytest.fixture
def acme(fake_github: FakeGitHub, tmp_path):
    repo = fake_github.state.add_repo("acme", "calc", bare=tmp_path / "calc.git")
    fake_github.state.add_issue(repo, "add() subtracts", f"2 + 3 gives -1 (token {PLANTED})", MALLORY)
    fake_github.state.add_comment(repo, 1, "Confirmed on main.", ALICE)
    fake_github.state.add_comment(repo, 1, "Thanks for the report! (automated)", BOT)
    fake_github.state.add_comment(repo, 1, "status\n\n<!-- repo-agent-budget {} -->", {**ALICE, "login": "ci-user"})
    fake_github.state.add_comment(repo, 1, "dependabot says hi", {"login": "dependabot[bot]", "type": "User"})
    return repo


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/acme/calc/issues/12", ("github.com", REPO, 12)),
    ("https://github.com/acme/calc/issues/12/", ("github.com", REPO, 12)),
    ("https://github.com/acme/calc/issues/12#issuecomment-99", ("github.com", REPO, 12)),
    ("https://ghe.corp.example/acme/calc/issues/3?x=1", ("ghe.corp.example", REPO, 3)),
    ("https://github.com/acme/calc/pull/12", None),
    ("https://gitlab.com/acme/calc/-/issues/12", None),
    ("https://github.com/acme/calc/issues/new", None),
])
def test_parse_issue_url(url: str, expected) -> None:
    assert parse_issue_url(url) == expected


def test_github_com_and_the_configured_enterprise_host_are_recognised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_API_URL", raising=False)
    assert is_github_issue_url("https://github.com/a/b/issues/1")
    assert not is_github_issue_url("https://ghe.corp.example/a/b/issues/1")
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.corp.example/api/v3")
    assert is_github_issue_url("https://ghe.corp.example/a/b/issues/1")
    assert web_host("https://api.github.com") == "github.com"


def test_task_is_title_body_and_peoples_comments_redacted(client: GitHubClient, acme) -> None:
    issue = read_issue(client, REPO, 1)
    assert issue.text.startswith("add() subtracts\n\n2 + 3 gives -1 (token [REDACTED])")
    assert "@alice:\nConfirmed on main." in issue.text
    for absent in ("automated", "dependabot", "repo-agent-budget", PLANTED):
        assert absent not in issue.text
    assert issue.source == "https://github.com/acme/calc/issues/1"
    gh = GitHubIssue.from_meta(issue.meta)
    assert gh == GitHubIssue(REPO, 1, "add() subtracts", "https://github.com/acme/calc/issues/1",
                             acme.bare.as_uri(), "main", client.api_url)


def test_pull_requests_and_text_issues_are_refused(client: GitHubClient, fake_github: FakeGitHub, acme) -> None:
    acme.issues[1]["pull_request"] = {"url": "x"}
    with pytest.raises(UserError, match="is a pull request"):
        read_issue(client, REPO, 1)
    with pytest.raises(UserError, match="needs a GitHub issue"):
        GitHubIssue.from_meta({})


def test_registered_reader_serves_resolve_issue(fake_github: FakeGitHub, acme,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent.issue.URL_READERS", [])
    monkeypatch.setenv("GITHUB_API_URL", fake_github.base_url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    register_url_reader(is_issue_url, read_issue_url)  # as `agent` registers it (agent.cli.github.register)
    issue = resolve_issue("https://github.com/acme/calc/issues/1")
    assert issue.meta["clone_url"] == acme.bare.as_uri() and "Confirmed on main." in issue.text
