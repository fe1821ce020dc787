"""A faithful local stand-in for the GitHub REST API endpoints repo-agent uses, served on 127.0.0.1.

It checks what GitHub checks: a token (`Authorization: Bearer|token ...`, else 401 "Bad credentials"
or "Requires authentication"), a User-Agent (else 403), a supported `X-GitHub-Api-Version` (else
400), JSON bodies of the right shape (else 400/422 with GitHub's error body). It answers with
GitHub's status codes (201 on create), rate-limit headers on every response, and `Link` pagination
(`per_page` up to 100, default 30). Failures can be queued (`fail_next`) to provoke rate limits.
Every request is recorded for assertions. State and endpoints live in fake_github_api.py.

    with FakeGitHub(tokens={"ghs_x": BOT}) as gh:
        repo = gh.state.add_repo("acme", "calc", bare=path_to_bare_repo)
        ...  # point the client at gh.base_url
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import pytest

from tests.agent.github.fake_github_api import ApiError, FakeState

BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
"""The identity GITHUB_TOKEN acts as in Actions."""
SUPPORTED_VERSIONS = ("2022-11-28",)
"""API versions the fake accepts in `X-GitHub-Api-Version`."""

_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], str, int, bool]] = [
    (method, re.compile(f"^{_REPO}{tail}$"), handler, status, paginated)
    for method, tail, handler, status, paginated in [
        ("GET", "", "get_repo", 200, False),
        ("GET", "/issues/comments", "list_repo_comments", 200, True),
        ("PATCH", r"/issues/comments/(?P<comment_id>\d+)", "edit_comment", 200, False),
        ("GET", r"/issues/(?P<number>\d+)", "get_issue", 200, False),
        ("GET", r"/issues/(?P<number>\d+)/comments", "list_issue_comments", 200, True),
        ("POST", r"/issues/(?P<number>\d+)/comments", "create_comment", 201, False),
        ("POST", r"/issues/(?P<number>\d+)/labels", "add_labels", 200, False),
        ("DELETE", r"/issues/(?P<number>\d+)/labels/(?P<name>[^/]+)", "remove_label", 200, False),
        ("GET", r"/collaborators/(?P<login>[^/]+)/permission", "get_permission", 200, False),
        ("POST", "/pulls", "create_pull", 201, False),
        ("GET", "/pulls", "list_pulls", 200, True),
        ("PATCH", r"/pulls/(?P<number>\d+)", "update_pull", 200, False),
    ]
]
"""(method, path pattern, FakeState method, success status, paginated)."""


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    """Names lower-cased."""
    body: Any


@dataclass
class Failure:
    """A queued error answer for the next matching request."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    path_contains: str = ""


class FakeGitHub:
    """The fake server: `state` holds the data, `requests` what was asked."""

    def __init__(self, tokens: dict[str, dict[str, Any]] | None = None, *, anonymous_reads: bool = False):
        self.tokens = tokens if tokens is not None else {"ghs_faketoken0000000000000000000000000000": BOT}
        self.anonymous_reads = anonymous_reads
        self.requests: list[Recorded] = []
        self.failures: list[Failure] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.owner = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.state = FakeState(self.base_url)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status: int, message: str, headers: dict[str, str] | None = None, *, times: int = 1,
                  method: str | None = None, path_contains: str = "") -> None:
        """Answer the next `times` matching requests with this error."""
        self.failures.extend(Failure(status, message, dict(headers or {}), method, path_contains) for _ in range(times))

    def calls(self, method: str, path_contains: str = "") -> list[Recorded]:
        """Recorded requests with this method whose path contains `path_contains`."""
        return [r for r in self.requests if r.method == method and path_contains in r.path]

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any, dict]:
        """Answer one request: (status, JSON body, extra headers)."""
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query))
        body = _decode(raw)
        with self._lock:
            self.requests.append(Recorded(method, parts.path, query, headers, body))
            try:
                self._take_failure(method, parts.path)
                user = self._authenticate(method, headers)
                return self._route(method, parts.path, query, body, user)
            except ApiError as exc:
                return exc.status, exc.body, dict(getattr(exc, "headers", {}))

    def _take_failure(self, method: str, path: str) -> None:
        for failure in self.failures:
            if (failure.method in (None, method)) and failure.path_contains in path:
                self.failures.remove(failure)
                error = ApiError(failure.status, failure.message)
                error.headers = failure.headers  # type: ignore[attr-defined]
                raise error

    def _authenticate(self, method: str, headers: dict[str, str]) -> dict[str, Any] | None:
        if not headers.get("user-agent"):
            raise ApiError(403, "Request forbidden by administrative rules. Please make sure your request has a "
                                "User-Agent header")
        version = headers.get("x-github-api-version")
        if version and version not in SUPPORTED_VERSIONS:
            raise ApiError(400, f"API version {version} is not supported.")
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if not token:
            if method == "GET" and self.anonymous_reads:
                return None
            raise ApiError(401, "Requires authentication")
        if scheme.lower() not in ("bearer", "token") or token not in self.tokens:
            raise ApiError(401, "Bad credentials")
        return self.tokens[token]

    def _route(self, method: str, path: str, query: dict, body: Any, user: dict | None) -> tuple[int, Any, dict]:
        for route_method, pattern, handler, status, paginated in ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                groups = {k: unquote(v) for k, v in match.groupdict().items()}
                repo = self.state.repo(groups.pop("owner"), groups.pop("repo"))
                if method != "GET" and user is None:
                    raise ApiError(401, "Requires authentication")
                result = getattr(self.state, handler)(repo, groups, query, body, user)
                if paginated:
                    return self._page(path, query, result)
                return status, result, {}
        raise ApiError(404, "Not Found")

    def _page(self, path: str, query: dict, items: list) -> tuple[int, Any, dict]:
        per_page = min(int(query.get("per_page", 30)), 100)
        page = int(query.get("page", 1))
        last = max(1, -(-len(items) // per_page))
        links = []
        if page < last:
            links.append(f'<{self.base_url}{path}?{urlencode({**query, "page": page + 1})}>; rel="next"')
            links.append(f'<{self.base_url}{path}?{urlencode({**query, "page": last})}>; rel="last"')
        return 200, items[(page - 1) * per_page: page * per_page], ({"Link": ", ".join(links)} if links else {})


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "Problems parsing JSON") from None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature from the base class
        """Keep test output quiet."""

    def _serve(self) -> None:
        owner: FakeGitHub = self.server.owner  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, body, extra = owner.handle(self.command, self.path, headers, raw)
        except ApiError as exc:  # a body that is not JSON
            status, body, extra = exc.status, exc.body, {}
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        headers = {"Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(data)),
                   "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999",
                   "x-ratelimit-reset": str(int(time.time()) + 3600), "x-ratelimit-resource": "core", **extra}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve  # noqa: N815 - http.server naming


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A running FakeGitHub with one token for the Actions bot."""
    with FakeGitHub() as server:
        yield server
