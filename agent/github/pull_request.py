"""`--pr`: a patch that passed the gate and holds nothing secret-looking becomes a draft pull request (updated on a
re-run); otherwise the issue gets a comment saying what was tried."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agent.config import GitHubConfig
from agent.github.branch import branch_name, commit_patch, push_branch
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
from agent.issue import IssueText
from agent.redact import contains_secret
from agent.repo import RepoSource
from agent.runner import SolveResult


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
    branch = branch_name(settings.branch_prefix, issue.number)
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


def require_github_issue(issue: IssueText) -> GitHubIssue:
    """The GitHub issue behind `--issue`, checked before solving (UserError for text or file issues)."""
    return GitHubIssue.from_meta(issue.meta)


def publish_from_cli(issue: GitHubIssue, source: RepoSource, result: SolveResult, settings: GitHubConfig) -> Published:
    """`agent solve --pr`: publish with the token from the environment."""
    with GitHubClient(issue.api_url, token_from_env()) as client:
        return publish(client, issue, source, result, settings, token_from_env())
