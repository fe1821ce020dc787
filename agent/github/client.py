"""A small GitHub REST client on httpx. Token: GITHUB_TOKEN or GH_TOKEN; API base: `--github-api`, GITHUB_API_URL,
then api.github.com. Rate limits and 5xx are retried as ratelimit.py says (a wait over `max_wait` is reported, not
sat out); a refused connection or unknown host fails at once. Failures are one-sentence `GitHubError`s."""

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
from agent.github.ratelimit import SECONDARY_WAIT, backoff, retry_wait
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


class GitHubError(UserError):
    """GitHub refused a request, or could not be reached; the text is one sentence for people."""

    def __init__(self, text: str, status: int | None = None, payload: Any = None):
        super().__init__(text)
        self.status = status
        """HTTP status, None when GitHub was not reached."""
        self.payload = payload
        """The decoded error body."""


class _Retry(Exception):
    """Internal: this attempt failed in a way worth retrying after `wait` seconds."""

    def __init__(self, wait: float, response: httpx.Response | None = None, reason: str = ""):
        super().__init__(reason)
        self.wait, self.response, self.reason = wait, response, reason


def token_from_env(env: Mapping[str, str] | None = None) -> str | None:
    """GITHUB_TOKEN, else GH_TOKEN, else None."""
    env = os.environ if env is None else env
    return env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or None


def api_url_from_env(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The API base URL: `explicit`, else GITHUB_API_URL, else GitHub.com's."""
    env = os.environ if env is None else env
    return (explicit or env.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")


class GitHubClient:
    """The REST endpoints repo-agent uses; a context manager that closes its connection pool."""

    def __init__(self, api_url: str = DEFAULT_API, token: str | None = None, *, timeout: float = 30.0,
                 attempts: int = 5, max_wait: float = 900.0, secondary_wait: float = SECONDARY_WAIT,
                 sleep: Callable[[float], None] = time.sleep):
        self.api_url = api_url.rstrip("/")
        self.attempts, self.max_wait, self.secondary_wait, self._sleep = attempts, max_wait, secondary_wait, sleep
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
                   "User-Agent": f"repo-agent/{__version__}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(headers=headers, timeout=timeout)

    @classmethod
    def from_env(cls, api_url: str | None = None, **options: Any) -> GitHubClient:
        """A client with the token and API URL from the environment (`api_url` wins when given)."""
        return cls(api_url_from_env(api_url), token_from_env(), **options)

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
        retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(self.attempts), sleep=self._sleep,
                                     wait=lambda state: state.outcome.exception().wait,
                                     retry=tenacity.retry_if_exception_type(_Retry), reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(method, url, json, params, attempt.retry_state.attempt_number)
        except _Retry as exc:
            if exc.response is not None:
                return exc.response
            raise GitHubError(f"Could not reach GitHub at {self.api_url} ({exc.reason}); check the network "
                              "and --github-api.") from None
        raise AssertionError("unreachable")  # pragma: no cover - tenacity either returns or raises

    def _attempt(self, method: str, url: str, json: Any, params: Mapping[str, Any] | None,
                 attempt: int) -> httpx.Response:
        try:
            response = self._http.request(method, url, json=json, params=params)
        except httpx.TransportError as exc:
            if reason := unreachable_reason(exc):  # nothing listens there, or no such host: waiting will not help
                raise GitHubError(f"Could not reach GitHub at {self.api_url} ({reason}); check the network and "
                                  "--github-api.") from None
            raise _Retry(backoff(attempt), reason=type(exc).__name__) from exc
        wait = retry_wait(response, attempt, time.time(), self.secondary_wait)
        if wait is None or wait > self.max_wait:
            return response
        raise _Retry(wait, response)

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
                           f"{hint}.", response.status_code, payload)

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
