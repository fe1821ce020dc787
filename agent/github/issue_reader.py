"""A GitHub issue URL (github.com or the GITHUB_API_URL host) as the agent's task: title, body and people's
comments (not bots' or repo-agent's), redacted; `meta` carries owner, repo, number, clone_url and the like."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from agent.github.client import GitHubClient, RepoRef, api_url_from_env
from agent.issue import IssueText
from agent.redact import redact
from core.errors import UserError

ISSUE_URL = re.compile(
    r"^https?://(?P<host>[^/\s]+)/(?P<owner>[^/\s]+)/(?P<name>[^/\s]+)/issues/(?P<number>\d+)/?(?:[?#]\S*)?$"
)
"""An issue's web address."""
MARKER = "<!-- repo-agent"
"""Start of the hidden marker in repo-agent's own comments (left out of the task)."""


@dataclass(frozen=True)
class GitHubIssue:
    """The issue a run works on, as the pull request and comment code needs it."""

    repo: RepoRef
    """Its repository."""
    number: int
    """Issue number."""
    title: str
    """Issue title."""
    html_url: str
    """Its web address."""
    clone_url: str
    """The repository's clone URL."""
    default_branch: str
    """The branch pull requests go into."""
    api_url: str
    """The REST API it was read from."""

    def meta(self) -> dict[str, object]:
        """The IssueText.meta form."""
        return {"owner": self.repo.owner, "repo": self.repo.name, "number": self.number, "title": self.title,
                "html_url": self.html_url, "clone_url": self.clone_url, "default_branch": self.default_branch,
                "api_url": self.api_url}

    @classmethod
    def from_meta(cls, meta: Mapping[str, object]) -> GitHubIssue:
        """Back from IssueText.meta; UserError when the issue did not come from GitHub."""
        if not {"owner", "repo", "number", "clone_url"} <= set(meta):
            raise UserError("This needs a GitHub issue: pass --issue https://github.com/OWNER/REPO/issues/N.")
        return cls(RepoRef(str(meta["owner"]), str(meta["repo"])), int(str(meta["number"])), str(meta.get("title", "")),
                   str(meta.get("html_url", "")), str(meta["clone_url"]), str(meta.get("default_branch") or "main"),
                   str(meta.get("api_url") or api_url_from_env()))


def web_host(api_url: str) -> str:
    """The web host of an API: api.github.com -> github.com; https://HOST/api/v3 -> HOST."""
    host = urlsplit(api_url).netloc
    return "github.com" if host == "api.github.com" else host


def parse_issue_url(url: str) -> tuple[str, RepoRef, int] | None:
    """(host, repository, number) of an issue URL, or None."""
    match = ISSUE_URL.match(url.strip())
    if not match:
        return None
    return match["host"], RepoRef(match["owner"], match["name"].removesuffix(".git")), int(match["number"])


def is_github_issue_url(url: str) -> bool:
    """True for issue URLs on github.com or on the configured GitHub Enterprise host."""
    parsed = parse_issue_url(url)
    return parsed is not None and parsed[0] in ("github.com", "www.github.com", web_host(api_url_from_env()))


def is_bot(user: Mapping[str, Any] | None) -> bool:
    """True for GitHub Apps and bot accounts."""
    user = user or {}
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def task_text(issue: Mapping[str, Any], comments: list[Mapping[str, Any]]) -> str:
    """Title, body and people's comments as one text."""
    parts = [str(issue.get("title") or "").strip(), str(issue.get("body") or "").strip()]
    said = [c for c in comments if not is_bot(c.get("user")) and MARKER not in str(c.get("body") or "")]
    if said:
        parts.append("Comments on the issue:")
        for comment in said:
            login = (comment.get("user") or {}).get("login", "someone")
            parts.append(f"@{login}:\n{str(comment.get('body') or '').strip()}")
    return "\n\n".join(p for p in parts if p) + "\n"


def read_issue(client: GitHubClient, repo: RepoRef, number: int) -> IssueText:
    """Fetch the issue, its comments and its repository's metadata; the task text is redacted."""
    issue = client.issue(repo, number)
    if "pull_request" in issue:
        raise UserError(f"{issue.get('html_url', number)} is a pull request; give an issue URL.")
    comments = client.issue_comments(repo, number) if issue.get("comments", 1) else []
    metadata = client.repository(repo)
    found = GitHubIssue(repo, number, str(issue.get("title") or ""), str(issue.get("html_url") or ""),
                        str(metadata.get("clone_url") or ""), str(metadata.get("default_branch") or "main"),
                        client.api_url)
    return IssueText(text=redact(task_text(issue, comments)), source=found.html_url, meta=found.meta())


def read_issue_url(url: str) -> IssueText:
    """The registered reader: an issue URL -> IssueText, with the token and API URL from the environment."""
    parsed = parse_issue_url(url)
    if parsed is None:
        raise UserError(f"{url} is not a GitHub issue URL (https://github.com/OWNER/REPO/issues/N).")
    _, repo, number = parsed
    with GitHubClient.from_env() as client:
        return read_issue(client, repo, number)
