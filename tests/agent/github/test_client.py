"""GitHubClient against the fake GitHub: headers, errors as sentences, pagination, retries on rate limits."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from agent.github.client import (
    API_VERSION,
    GitHubClient,
    GitHubError,
    RepoRef,
    api_url_from_env,
    retry_wait,
    token_from_env,
)
from tests.agent.github.conftest import TOKEN
from tests.agent.github.fake_github import FakeGitHub

ALICE = {"login": "alice", "id": 1, "type": "User"}
REPO = RepoRef("acme", "calc")


@pytest.fixture
def acme(fake_github: FakeGitHub):
    repo = fake_github.state.add_repo("acme", "calc")
    fake_github.state.add_issue(repo, "add() subtracts", "2 + 3 gives -1", ALICE)
    return repo


def test_requests_carry_token_version_accept_and_user_agent(client: GitHubClient, fake_github: FakeGitHub,
                                                            acme) -> None:
    assert client.repository(REPO)["default_branch"] == "main"
    headers = fake_github.requests[-1].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["x-github-api-version"] == API_VERSION
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["user-agent"].startswith("repo-agent/")


def test_bad_token_is_one_sentence_naming_the_request_and_the_variable(fake_github: FakeGitHub, acme) -> None:
    with GitHubClient(fake_github.base_url, "ghp_wrong") as gh, pytest.raises(GitHubError) as caught:
        gh.issue(REPO, 1)
    assert caught.value.status == 401
    assert str(caught.value) == "GitHub answered 401 to GET /repos/acme/calc/issues/1: Bad credentials " \
                                "(check GITHUB_TOKEN or GH_TOKEN)."


def test_missing_token_on_a_write_is_refused(fake_github: FakeGitHub, acme) -> None:
    fake_github.anonymous_reads = True
    with GitHubClient(fake_github.base_url, None) as gh:
        assert gh.issue(REPO, 1)["title"] == "add() subtracts"
        with pytest.raises(GitHubError, match="401.*Requires authentication"):
            gh.add_comment(REPO, 1, "hello")


def test_pagination_follows_link_headers(client: GitHubClient, fake_github: FakeGitHub, acme) -> None:
    for i in range(150):
        fake_github.state.add_comment(acme, 1, f"comment {i}", ALICE)
    comments = client.issue_comments(REPO, 1)
    assert [c["body"] for c in comments] == [f"comment {i}" for i in range(150)]
    pages = fake_github.calls("GET", "/issues/1/comments")
    assert [p.query.get("page", "1") for p in pages] == ["1", "2"]
    assert pages[0].query["per_page"] == "100"


def test_validation_errors_name_the_field(client: GitHubClient, fake_github: FakeGitHub, acme) -> None:
    with pytest.raises(GitHubError) as caught:
        client.request("POST", f"{REPO.path}/issues/1/comments", json={"text": "wrong field"})
    assert caught.value.status == 422 and "Validation Failed" in str(caught.value)


def test_retry_after_is_honoured(client: GitHubClient, fake_github: FakeGitHub, acme) -> None:
    fake_github.fail_next(429, "You have exceeded a secondary rate limit.", {"retry-after": "7"})
    assert client.issue(REPO, 1)["number"] == 1
    assert client.waits == [7.0]
    assert len(fake_github.calls("GET", "/issues/1")) == 2


def test_exhausted_primary_limit_waits_until_reset(client: GitHubClient, fake_github: FakeGitHub, acme) -> None:
    reset = int(time.time()) + 30
    fake_github.fail_next(403, "API rate limit exceeded for installation ID 1.",
                          {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
    client.issue(REPO, 1)
    assert len(client.waits) == 1 and 25 <= client.waits[0] <= 32


def test_a_reset_beyond_max_wait_is_reported_not_sat_out(fake_github: FakeGitHub, acme) -> None:
    reset = int(time.time()) + 3000
    fake_github.fail_next(403, "API rate limit exceeded for user ID 1.",
                          {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
    waits: list[float] = []
    with (GitHubClient(fake_github.base_url, TOKEN, sleep=waits.append, max_wait=600) as gh,
          pytest.raises(GitHubError, match="rate limit exhausted until .* UTC")):
        gh.issue(REPO, 1)
    assert waits == []


def test_secondary_limit_without_headers_waits_a_minute_then_doubles(fake_github: FakeGitHub, acme) -> None:
    fake_github.fail_next(403, "You have exceeded a secondary rate limit. Please wait a few minutes.", times=2)
    waits: list[float] = []
    with GitHubClient(fake_github.base_url, TOKEN, sleep=waits.append, attempts=3) as gh:
        gh.issue(REPO, 1)
    assert waits == [60.0, 120.0]


def test_permission_403_is_final(client: GitHubClient, fake_github: FakeGitHub, acme) -> None:
    fake_github.fail_next(403, "Resource not accessible by integration")
    with pytest.raises(GitHubError, match="403.*lacks a permission"):
        client.add_comment(REPO, 1, "hi")
    assert client.waits == [] and len(fake_github.calls("POST")) == 1


def test_server_errors_back_off_and_give_up_after_the_attempts(client: GitHubClient, fake_github: FakeGitHub,
                                                              acme) -> None:
    fake_github.fail_next(502, "Server Error", times=10)
    with pytest.raises(GitHubError) as caught:
        client.issue(REPO, 1)
    assert caught.value.status == 502
    assert client.waits == [1.0, 2.0, 4.0]  # four attempts


def test_unreachable_api_is_one_sentence() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    with (GitHubClient(f"http://127.0.0.1:{port}", TOKEN, sleep=waits.append, attempts=4) as gh,
          pytest.raises(GitHubError, match=r"Could not reach GitHub at http://127.0.0.1:\d+ \(connection refused\)")):
        gh.issue(REPO, 1)
    assert waits == []  # nothing listens there: no retries


def test_labels_permissions_and_pull_lookups(client: GitHubClient, fake_github: FakeGitHub, acme) -> None:
    client.request("POST", f"{REPO.path}/issues/1/labels", json={"labels": ["agent", "bug"]})
    client.remove_label(REPO, 1, "agent")
    client.remove_label(REPO, 1, "not-there")  # no error: already gone
    assert [label["name"] for label in acme.issues[1]["labels"]] == ["bug"]
    acme.permissions["bob"] = "maintain"
    assert client.permission(REPO, "bob") == {"permission": "write", "role_name": "maintain",
                                              "user": {"login": "bob", "type": "User"}}
    assert client.permission(REPO, "mallory")["permission"] == "read"
    assert client.find_pull(REPO, "repo-agent/issue-1") is None


def test_labels_with_spaces_and_slashes_are_escaped(client: GitHubClient, fake_github: FakeGitHub, acme) -> None:
    client.request("POST", f"{REPO.path}/issues/1/labels", json={"labels": ["agent: fix/this"]})
    client.remove_label(REPO, 1, "agent: fix/this")
    assert acme.issues[1]["labels"] == []
    assert fake_github.calls("DELETE")[0].path.endswith("/labels/agent%3A%20fix%2Fthis")


def test_environment_gives_token_and_api_url() -> None:
    assert token_from_env({"GH_TOKEN": "b"}) == "b"
    assert token_from_env({"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}) == "a"
    assert token_from_env({}) is None
    assert api_url_from_env(None, {"GITHUB_API_URL": "https://ghe.example.com/api/v3/"}) == \
        "https://ghe.example.com/api/v3"
    assert api_url_from_env("https://x/api/v3", {"GITHUB_API_URL": "https://y"}) == "https://x/api/v3"
    assert api_url_from_env(None, {}) == "https://api.github.com"


def response(status: int, headers: dict[str, str] | None = None, text: str = "") -> httpx.Response:
    return httpx.Response(status, headers=headers or {}, text=text)


def test_retry_policy_by_status_and_headers() -> None:
    assert retry_wait(response(404), 1, 0) is None
    assert retry_wait(response(422), 1, 0) is None
    assert retry_wait(response(403, text='{"message": "Must have admin rights"}'), 1, 0) is None
    assert retry_wait(response(500), 3, 0) == 4.0
    assert retry_wait(response(429), 1, 0, secondary_wait=5) == 5
    assert retry_wait(response(403, {"retry-after": "3"}), 1, 0) == 3.0
    assert retry_wait(response(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "110"}), 1, 100) == 11.0
    assert retry_wait(response(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "50"}), 1, 100) == 1.0
