"""Fixtures for the GitHub integration tests: the fake GitHub, a client on it, and a bare git remote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent.github.client import GitHubClient
from tests.agent.github.fake_github import (
    FakeGitHub,
    fake_github,  # noqa: F401 - the fixture, re-exported
)
from tests.conftest import git

TOKEN = "ghs_faketoken0000000000000000000000000000"
"""The token the fake accepts (it acts as github-actions[bot])."""


@pytest.fixture
def client(fake_github: FakeGitHub) -> Iterator[GitHubClient]:  # noqa: F811 - uses the re-exported fixture
    """A client on the fake that records waits instead of sleeping."""
    waits: list[float] = []
    with GitHubClient(fake_github.base_url, TOKEN, sleep=waits.append, attempts=4) as gh:
        gh.waits = waits  # type: ignore[attr-defined]
        yield gh


@pytest.fixture
def remote(calc_repo: Path, tmp_path: Path) -> Callable[[], tuple[Path, Path]]:
    """Factory: (bare remote, checkout cloned from it) of the calc repository."""

    def factory() -> tuple[Path, Path]:
        bare = tmp_path / "remote" / "calc.git"
        bare.parent.mkdir(exist_ok=True)
        git(tmp_path, "clone", "-q", "--bare", str(calc_repo), str(bare))
        checkout = tmp_path / "checkout"
        git(tmp_path, "clone", "-q", str(bare), str(checkout))
        return bare, checkout

    return factory


ALICE = {"login": "alice", "id": 11, "type": "User"}
"""A maintainer (write access in the fixtures)."""
MALLORY = {"login": "mallory", "id": 66, "type": "User"}
"""Anyone on the internet (read access, as on a public repository)."""


def labeled_event(fake: FakeGitHub, repo_name: str, number: int, sender: dict, label: str = "agent") -> dict:
    """An `issues: labeled` payload as GitHub sends it (the fields repo-agent reads, and a few around them)."""
    repo = fake.state.repos[repo_name]
    issue = repo.issues[number]
    return {
        "action": "labeled",
        "issue": {**issue, "labels": [*issue["labels"], {"name": label}]},
        "label": {"id": 7, "name": label, "color": "0e8a16", "default": False},
        "repository": {"id": 1, "name": repo.name, "full_name": repo.full_name, "private": False,
                       "owner": {"login": repo.owner, "type": "Organization"}, "default_branch": repo.default_branch,
                       "clone_url": repo.bare.as_uri(), "html_url": f"https://github.com/{repo.full_name}"},
        "sender": sender,
    }
