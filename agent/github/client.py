"""A small GitHub REST client on httpx. Token: GITHUB_TOKEN or GH_TOKEN; API base: `--github-api`, GITHUB_API_URL,
then api.github.com. Retried (`retry_wait`): primary rate limits (`x-ratelimit-reset`), secondary ones (`retry-after`,
else a minute), 5xx and network failures with backoff; 401, 403 for permission, 404, 422 are final, a wait over
`max_wait` is reported, not sat out, and a refused connection or unknown host fails at once. Failures are
one-sentence `GitHubError`s."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import tenacity

from agent import __version__
from agent.models.resilience import unreachable_reason
from core.errors import UserError

DEFAULT_API = "https://api.github.com"
"""GitHub.com's REST API."""
API_VERSION = "2022-11-28"
"""The REST API version requested (`X-GitHub-Api-Version`)."""
HINTS = {401: " (check GITHUB_TOKEN or GH_TOKEN)", 403: " (the token lacks a permission this needs)",
         404: " (no such resource, or the token cannot see it)"}
"""What to check, by status."""


@dataclass(frozen=True)
class RepoRef:
    """A repository on GitHub: owner and name."""

    owner: str
    """User or organisation login."""
    name: str
    """Repository name."""

    @property
    def full_name(self) -> str:
        """`owner/name`."""
        return f"{self.owner}/{self.name}"

    @property
    def path(self) -> str:
        """The repository's API path."""
        return f"/repos/{quote(self.owner, safe='')}/{quote(self.name, safe='')}"


SECONDARY_WAIT = 60.0
"""Seconds to wait on a secondary rate limit that names no time (GitHub's advice: at least a minute)."""


def backoff(attempt: int, initial: float = 1.0, cap: float = 60.0) -> float:
    """Exponential backoff for the `attempt`-th retry (1-based): initial, 2x, 4x, ... up to `cap`."""
    return min(cap, initial * 2 ** (attempt - 1))


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def is_rate_limited(response: httpx.Response) -> bool:
    """True for a 403/429 that is about rate limits rather than permissions."""
    if response.status_code not in (403, 429):
        return False
    if response.status_code == 429 or response.headers.get("retry-after") is not None:
        return True
    if response.headers.get("x-ratelimit-remaining") == "0":
        return True
    return "rate limit" in response.text.lower()


def retry_wait(response: httpx.Response, attempt: int, now: float,
               secondary_wait: float = SECONDARY_WAIT) -> float | None:
    """Seconds to wait before retrying `response` (the `attempt`-th failure), or None when it is final."""
    if response.status_code >= 500:
        return backoff(attempt)
    if not is_rate_limited(response):
        return None
    retry_after = _number(response.headers.get("retry-after"))
    if retry_after is not None:
        return max(0.0, retry_after)
    reset = _number(response.headers.get("x-ratelimit-reset"))
    if response.headers.get("x-ratelimit-remaining") == "0" and reset is not None:
        return max(0.0, reset - now) + 1.0  # the reset second itself may still be limited
    return secondary_wait * 2 ** (attempt - 1)


class GitHubError(UserError):
    """GitHub refused a request, or could not be reached; the text is one sentence for people."""

    def __init__(self, text: str, status: int | None = None):
        super().__init__(text)
        self.status = status
        """HTTP status, None when GitHub was not reached."""


def token_from_env(env: Mapping[str, str] = os.environ) -> str | None:
    """GITHUB_TOKEN, else GH_TOKEN, else None."""
    return env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or None


def api_url_from_env(explicit: str | None = None, env: Mapping[str, str] = os.environ) -> str:
    """The API base URL: `explicit`, else GITHUB_API_URL, else GitHub.com's."""
    return (explicit or env.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")


class GitHubClient:
    """The REST endpoints repo-agent uses; a context manager that closes its connection pool."""

    def __init__(self, api_url: str = DEFAULT_API, token: str | None = None, *, attempts: int = 5,
                 max_wait: float = 900.0, sleep: Callable[[float], None] = time.sleep):
        self.api_url = api_url.rstrip("/")
        self.attempts, self.max_wait, self._sleep = attempts, max_wait, sleep
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
                   "User-Agent": f"repo-agent/{__version__}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(headers=headers, timeout=30.0)

    @classmethod
    def from_env(cls, api_url: str | None = None) -> GitHubClient:
        """A client with the token and API URL from the environment (`api_url` wins when given)."""
        return cls(api_url_from_env(api_url), token_from_env())

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None,
                missing_ok: bool = False) -> Any:
        """Send one request (retried as ratelimit.py says); the decoded JSON, None for 204 or a tolerated 404."""
        response = self._send(method, path, json, params)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise self._error(method, path, response)
        return response.json() if response.content else None

    def paginate(self, path: str, params: Mapping[str, Any] | None = None, limit: int = 1000) -> list[Any]:
        """Every item of a list endpoint, following `Link: rel="next"` (at most `limit` items)."""
        items: list[Any] = []
        url: str | None = path
        query: Mapping[str, Any] | None = {"per_page": 100, **(params or {})}
        while url and len(items) < limit:
            response = self._send("GET", url, None, query)
            if response.status_code >= 400:
                raise self._error("GET", path, response)
            items.extend(response.json())
            url, query = response.links.get("next", {}).get("url"), None  # the next URL carries the query
        return items[:limit]

    def _send(self, method: str, path: str, json: Any, params: Mapping[str, Any] | None) -> httpx.Response:
        url = path if path.startswith(("http://", "https://")) else self.api_url + path

        def wait(state: tenacity.RetryCallState) -> float | None:
            """Seconds before the next attempt, None when the outcome is final (see `retry_wait`)."""
            exc = state.outcome.exception()
            if exc is None:
                return retry_wait(state.outcome.result(), state.attempt_number, time.time())
            # nothing listens there, or no such host: waiting will not help
            transient = isinstance(exc, httpx.TransportError) and not unreachable_reason(exc)
            return backoff(state.attempt_number) if transient else None

        def again(state: tenacity.RetryCallState) -> bool:
            seconds = wait(state)
            return seconds is not None and seconds <= self.max_wait  # a longer wait is reported, not sat out

        retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(self.attempts), wait=wait, retry=again,
                                     sleep=self._sleep, retry_error_callback=lambda state: state.outcome.result())
        try:
            return retrying(self._http.request, method, url, json=json, params=params)
        except httpx.TransportError as exc:
            reason = unreachable_reason(exc) or type(exc).__name__
            raise GitHubError(f"Could not reach GitHub at {self.api_url} ({reason}); check the network and "
                              "--github-api.") from None

    def _error(self, method: str, path: str, response: httpx.Response) -> GitHubError:
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        message = payload.get("message", "") if isinstance(payload, dict) else str(payload)[:200]
        details = payload.get("errors") if isinstance(payload, dict) else None
        if details:
            message += ": " + "; ".join(str(e.get("message") or e.get("code") or e) if isinstance(e, dict) else str(e)
                                        for e in details)
        hint = HINTS.get(response.status_code, "")
        reset = response.headers.get("x-ratelimit-reset")
        if response.headers.get("x-ratelimit-remaining") == "0" and reset:
            hint = f" (rate limit exhausted until {time.strftime('%H:%M UTC', time.gmtime(float(reset)))})"
        short = path.removeprefix(self.api_url)
        return GitHubError(f"GitHub answered {response.status_code} to {method} {short}: {message.rstrip('.')}"
                           f"{hint}.", response.status_code)

    # The endpoints.

    def repository(self, repo: RepoRef) -> dict[str, Any]:
        """Repository metadata (default_branch, clone_url, html_url, ...)."""
        return self.request("GET", repo.path)

    def issue(self, repo: RepoRef, number: int) -> dict[str, Any]:
        """One issue."""
        return self.request("GET", f"{repo.path}/issues/{number}")

    def issue_comments(self, repo: RepoRef, number: int) -> list[dict[str, Any]]:
        """Every comment of an issue, oldest first."""
        return self.paginate(f"{repo.path}/issues/{number}/comments")

    def repo_comments_since(self, repo: RepoRef, since: str) -> list[dict[str, Any]]:
        """Issue comments of the whole repository updated at or after `since` (ISO 8601), oldest first."""
        query = {"since": since, "sort": "created", "direction": "asc"}
        return self.paginate(f"{repo.path}/issues/comments", query, limit=10_000)

    def add_comment(self, repo: RepoRef, number: int, body: str) -> dict[str, Any]:
        """Comment on an issue or pull request."""
        return self.request("POST", f"{repo.path}/issues/{number}/comments", json={"body": body})

    def edit_comment(self, repo: RepoRef, comment_id: int, body: str) -> dict[str, Any]:
        """Replace a comment's text."""
        return self.request("PATCH", f"{repo.path}/issues/comments/{comment_id}", json={"body": body})

    def remove_label(self, repo: RepoRef, number: int, label: str) -> None:
        """Take a label off an issue; nothing happens when it is not there."""
        self.request("DELETE", f"{repo.path}/issues/{number}/labels/{quote(label, safe='')}", missing_ok=True)

    def permission(self, repo: RepoRef, login: str) -> dict[str, Any]:
        """`login`'s permission on the repository (`permission`: admin/write/read/none, and `role_name`)."""
        found = self.request("GET", f"{repo.path}/collaborators/{quote(login, safe='')}/permission", missing_ok=True)
        return found or {"permission": "none", "role_name": "none"}

    def create_pull(self, repo: RepoRef, *, title: str, head: str, base: str, body: str,
                    draft: bool) -> dict[str, Any]:
        """Open a pull request from branch `head` into `base`."""
        payload = {"title": title, "head": head, "base": base, "body": body, "draft": draft}
        return self.request("POST", f"{repo.path}/pulls", json=payload)

    def find_pull(self, repo: RepoRef, branch: str) -> dict[str, Any] | None:
        """The open pull request from `branch` of this repository, if any."""
        found = self.request("GET", f"{repo.path}/pulls", params={"head": f"{repo.owner}:{branch}", "state": "open"})
        return found[0] if found else None

    def update_pull(self, repo: RepoRef, number: int, *, title: str, body: str) -> dict[str, Any]:
        """Replace a pull request's title and body."""
        return self.request("PATCH", f"{repo.path}/pulls/{number}", json={"title": title, "body": body})
