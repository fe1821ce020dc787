"""`--pr`: a patch that passed the gate and holds nothing secret-looking becomes a draft pull request (updated on a
re-run); otherwise the issue gets a comment saying what was tried.

The pull request's branch: one plumbing commit (private index, `commit-tree`) of the patch on the base commit,
force-pushed to `repo-agent/issue-N`; the checkout is never touched. For https remotes the token goes in an
`http.<origin>.extraheader` via GIT_CONFIG_* variables, never on the command line or in `.git/config`."""

from __future__ import annotations

import base64
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from agent.config import GitHubConfig
from agent.github.client import GitHubClient, GitHubError, token_from_env
from agent.github.issue_reader import GitHubIssue
from agent.github.report import (
    RunFacts,
    commit_message,
    failure_comment,
    pull_request_body,
    pull_request_title,
    run_facts,
)
from agent.redact import contains_secret, redact
from agent.repo import RepoSource
from agent.runner import SolveResult
from core.errors import UserError
from core.git import GitError, git_output

AUTHOR = re.compile(r"^\s*(?P<name>[^<]+?)\s*<(?P<email>[^>]+)>\s*$")
"""`Name <email>`."""


def _git(repo: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    """git in `repo`; a UserError with git's reason (secrets redacted) when it fails."""
    try:
        return git_output(*args, cwd=repo, env=env, input=stdin)
    except GitError as exc:
        reason = (exc.stderr.splitlines() or ["git failed"])[-1]
        raise UserError(redact(f"git {args[0]} failed in {repo}: {reason}")) from None


def identity_env(author: str) -> dict[str, str]:
    """GIT_AUTHOR_*/GIT_COMMITTER_* for `Name <email>`."""
    match = AUTHOR.match(author)
    if not match:
        raise UserError(f"github.commit_author {author!r} is not of the form `Name <email>`.")
    return {"GIT_AUTHOR_NAME": match["name"], "GIT_AUTHOR_EMAIL": match["email"],
            "GIT_COMMITTER_NAME": match["name"], "GIT_COMMITTER_EMAIL": match["email"]}


def commit_patch(repo: Path, base_commit: str, patch: str, message: str, author: str) -> str:
    """A commit of `patch` on top of `base_commit` in `repo` (work tree and index untouched); its hash."""
    with tempfile.TemporaryDirectory(prefix="repo-agent-commit-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index"), **identity_env(author)}
        _git(repo, "read-tree", base_commit, env=env)
        _git(repo, "apply", "--cached", "--whitespace=nowarn", "-", env=env, stdin=patch)
        tree = _git(repo, "write-tree", env=env)
        return _git(repo, "commit-tree", tree, "-p", base_commit, "-F", "-", env=env, stdin=message)


def auth_env(url: str, token: str | None, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """GIT_CONFIG_* variables that send `token` to an https remote (none for other remotes or no token)."""
    parts = urlsplit(url)
    if not token or parts.scheme != "https":
        return {}
    index = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
    credentials = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {"GIT_CONFIG_COUNT": str(index + 1), f"GIT_CONFIG_KEY_{index}": f"http.https://{parts.netloc}/.extraheader",
            f"GIT_CONFIG_VALUE_{index}": f"AUTHORIZATION: basic {credentials}"}


def push_branch(repo: Path, remote: str, commit: str, branch: str, token: str | None) -> None:
    """Force-push `commit` to `branch` of `remote` (a remote name of `repo`, or a URL or path)."""
    try:
        url = _git(repo, "remote", "get-url", remote)
    except UserError:
        url = remote  # not a remote name: a URL or path
    _git(repo, "push", "--force", "--quiet", url, f"{commit}:refs/heads/{branch}", env=auth_env(url, token))


@dataclass
class Published:
    """What was posted on GitHub for a run."""

    kind: Literal["pull_request", "comment"]
    """A pull request was opened (or updated), or the issue got a comment."""
    url: str
    """Its web address."""
    number: int | None = None
    """The pull request's number."""


def blocker(result: SolveResult) -> str | None:
    """Why `result` must not become a pull request, or None."""
    if result.gate.status == "no change":
        return "the agent made no change."
    if not result.gate.passed:
        failed = [c.name for c in result.gate.checks if not c.passed]
        return f"the patch failed the gate ({', '.join(failed) or result.gate.status})."
    if contains_secret(result.patch):
        return "the patch contains something that looks like a secret, so it was not pushed."
    return None


def publish(client: GitHubClient, issue: GitHubIssue, source: RepoSource, result: SolveResult,
            settings: GitHubConfig, token: str | None) -> Published:
    """Open (or update) the draft pull request for a passing patch, or comment on the issue why not."""
    facts = run_facts(result)
    reason = blocker(result)
    if reason:
        return comment_failure(client, issue, facts, reason)
    branch = f"{settings.branch_prefix}{issue.number}"  # repo-agent/issue-N
    commit = commit_patch(source.path, source.commit, result.patch, commit_message(issue, facts),
                          settings.commit_author)
    push_branch(source.path, settings.remote, commit, branch, token)
    pull = open_or_update(client, issue, branch, pull_request_body(issue, facts), settings.draft)
    return Published("pull_request", str(pull.get("html_url", "")), int(pull["number"]))


def open_or_update(client: GitHubClient, issue: GitHubIssue, branch: str, body: str, draft: bool) -> dict:
    """Create the pull request; when one is already open from `branch`, replace its title and body."""
    title = pull_request_title(issue)
    try:
        return client.create_pull(issue.repo, title=title, head=branch, base=issue.default_branch, body=body,
                                  draft=draft)
    except GitHubError as exc:
        existing = client.find_pull(issue.repo, branch) if exc.status == 422 else None
        if existing is None:
            raise
        return client.update_pull(issue.repo, int(existing["number"]), title=title, body=body)


def comment_failure(client: GitHubClient, issue: GitHubIssue, facts: RunFacts, reason: str) -> Published:
    """Tell the issue what was tried and why there is no pull request."""
    comment = client.add_comment(issue.repo, issue.number, failure_comment(issue, facts, reason))
    return Published("comment", str(comment.get("html_url", "")))


def publish_from_cli(issue: GitHubIssue, source: RepoSource, result: SolveResult, settings: GitHubConfig) -> Published:
    """`agent solve --pr`: publish with the token from the environment."""
    with GitHubClient(issue.api_url, token_from_env()) as client:
        return publish(client, issue, source, result, settings, token_from_env())
