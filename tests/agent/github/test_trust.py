"""Trust: the sender's permission on the repository, asked of the (fake) collaborator permission endpoint."""

from __future__ import annotations

import pytest

from agent.github.client import GitHubClient, RepoRef
from agent.github.event import check_sender
from tests.agent.github.fake_github import BOT, FakeGitHub

REPO = RepoRef("acme", "calc")
ALLOWED = ["admin", "maintain", "write"]


@pytest.fixture
def acme(fake_github: FakeGitHub):
    repo = fake_github.state.add_repo("acme", "calc")
    repo.permissions.update(writer="write", maintainer="maintain", triager="triage", reader="read")
    return repo


@pytest.mark.parametrize("login, trusted, shown", [
    ("acme", True, "admin"),          # the owner
    ("maintainer", True, "maintain"),  # role_name maintain (permission says write)
    ("writer", True, "write"),
    ("triager", False, "triage"),      # may label, may not start runs
    ("reader", False, "read"),
    ("stranger", False, "read"),       # anyone, on a public repository
])
def test_permission_decides(client: GitHubClient, acme, login: str, trusted: bool, shown: str) -> None:
    decision = check_sender(client, REPO, {"login": login, "type": "User"}, ALLOWED)
    assert (decision.trusted, decision.permission) == (trusted, shown)
    assert decision.reason.startswith(f"@{login} has {shown} access to acme/calc")


def test_custom_role_counts_by_its_base_permission(client: GitHubClient, fake_github: FakeGitHub, acme,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fake_github.state, "get_permission",
                        lambda *a: {"permission": "write", "role_name": "release-manager", "user": {"login": "x"}})
    assert check_sender(client, REPO, {"login": "x", "type": "User"}, ALLOWED).trusted


def test_private_repository_strangers_have_no_access(client: GitHubClient, acme) -> None:
    acme.private = True
    decision = check_sender(client, REPO, {"login": "stranger", "type": "User"}, ALLOWED)
    assert not decision.trusted and "has none access" in decision.reason


def test_bots_and_missing_senders_are_refused_without_asking(client: GitHubClient, fake_github: FakeGitHub,
                                                              acme) -> None:
    assert not check_sender(client, REPO, BOT, ALLOWED).trusted
    assert not check_sender(client, REPO, {"login": "renovate[bot]", "type": "User"}, ALLOWED).trusted
    assert check_sender(client, REPO, None, ALLOWED).reason == "the event names no sender"
    assert fake_github.requests == []


def test_allowed_permissions_are_configurable(client: GitHubClient, acme) -> None:
    assert not check_sender(client, REPO, {"login": "writer"}, ["admin"]).trusted
    assert check_sender(client, REPO, {"login": "triager"}, ["triage", "write"]).trusted
