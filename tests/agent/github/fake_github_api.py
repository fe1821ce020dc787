"""The state and endpoints of the fake GitHub: repositories, issues, comments, labels, permissions, pulls.

Objects carry the fields GitHub's REST API returns for them that repo-agent could read (ids,
numbers, users with `type`, `author_association`, ISO 8601 `created_at`/`updated_at`, html URLs).
Payloads are validated as GitHub does (a 422 "Validation Failed" with an `errors` list when a
required field is missing or has the wrong type; a pull request's head branch must exist in the
repository's bare git remote).
"""

from __future__ import annotations

import itertools
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ApiError(Exception):
    """An error answer: status and GitHub's JSON error body."""

    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "documentation_url": "https://docs.github.com/rest",
                                     "status": str(status)}
        if errors:
            self.body["errors"] = errors


def iso(t: float) -> str:
    """GitHub's timestamp format."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def require(payload: Any, resource: str, **fields: type) -> dict[str, Any]:
    """Check a JSON body has `fields` of the given types, as GitHub's validation does."""
    if not isinstance(payload, dict):
        raise ApiError(400, "Problems parsing JSON")
    errors = [{"resource": resource, "field": name, "code": "missing_field" if name not in payload else "invalid"}
              for name, kind in fields.items() if not isinstance(payload.get(name), kind)]
    if errors:
        raise ApiError(422, "Validation Failed", errors)
    return payload


@dataclass
class FakeRepo:
    """One repository and everything in it."""

    owner: str
    name: str
    bare: Path | None = None
    """Bare git repository standing in for the remote (pull request heads are checked against it)."""
    default_branch: str = "main"
    private: bool = False
    permissions: dict[str, str] = field(default_factory=dict)
    """login -> role (admin, maintain, write, triage, read)."""
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Issues and pull requests share numbers, as on GitHub."""
    comments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


LEGACY_PERMISSION = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}
"""The `permission` field of the permission endpoint folds maintain into write and triage into read."""


class FakeState:
    """Everything the fake knows; endpoint methods take (repo, match groups, query, body, user)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.web = "https://github.com"
        self.repos: dict[str, FakeRepo] = {}
        self._ids = itertools.count(1001)
        now = int(time.time())  # an hour back, but never before today's UTC midnight: budgets count today's comments
        self._clock = itertools.count(max(now - 3600, now - now % 86400))

    def now(self) -> float:
        """A strictly increasing clock, so ordering by time is deterministic."""
        return float(next(self._clock))

    # Setup helpers for tests.

    def add_repo(self, owner: str, name: str, bare: Path | None = None, default_branch: str = "main") -> FakeRepo:
        """Create a repository (its owner gets admin)."""
        repo = FakeRepo(owner, name, bare, default_branch, permissions={owner: "admin"})
        self.repos[repo.full_name] = repo
        return repo

    def add_issue(self, repo: FakeRepo, title: str, body: str, author: dict[str, Any],
                  labels: list[str] | None = None) -> dict[str, Any]:
        """Open an issue; returns it."""
        number = max(repo.issues, default=0) + 1
        t = iso(self.now())
        issue = {"id": next(self._ids), "number": number, "title": title, "body": body, "state": "open",
                 "user": author, "labels": [self._label(n) for n in labels or []], "comments": 0,
                 "author_association": self.association(repo, author), "created_at": t, "updated_at": t,
                 "html_url": f"{self.web}/{repo.full_name}/issues/{number}",
                 "url": f"{self.base_url}/repos/{repo.full_name}/issues/{number}",
                 "repository_url": f"{self.base_url}/repos/{repo.full_name}"}
        repo.issues[number] = issue
        return issue

    def add_comment(self, repo: FakeRepo, number: int, body: str, user: dict[str, Any],
                    created: float | None = None) -> dict[str, Any]:
        """A comment on issue `number` by `user`."""
        issue = self._issue(repo, number)
        t = iso(self.now() if created is None else created)
        comment = {"id": next(self._ids), "body": body, "user": user, "created_at": t, "updated_at": t,
                   "author_association": self.association(repo, user), "issue_url": issue["url"],
                   "html_url": f"{issue['html_url']}#issuecomment-{len(repo.comments) + 1}"}
        repo.comments.append(comment)
        issue["comments"] += 1
        return comment

    def association(self, repo: FakeRepo, user: dict[str, Any]) -> str:
        """OWNER for the owner, COLLABORATOR for anyone given a role, else NONE."""
        if user["login"] == repo.owner:
            return "OWNER"
        return "COLLABORATOR" if user["login"] in repo.permissions else "NONE"

    def repo(self, owner: str, name: str) -> FakeRepo:
        """A repository by path segments, or GitHub's 404."""
        found = self.repos.get(f"{owner}/{name}")
        if not found:
            raise ApiError(404, "Not Found")
        return found

    def _issue(self, repo: FakeRepo, number: int) -> dict[str, Any]:
        if number not in repo.issues:
            raise ApiError(404, "Not Found")
        return repo.issues[number]

    def _label(self, name: str) -> dict[str, Any]:
        return {"id": abs(hash(name)) % 10**9, "name": name, "color": "ededed", "default": False}

    # Endpoints.

    def get_repo(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> dict[str, Any]:
        return {"id": 1, "name": repo.name, "full_name": repo.full_name, "private": repo.private,
                "owner": {"login": repo.owner, "type": "User"}, "default_branch": repo.default_branch,
                "html_url": f"{self.web}/{repo.full_name}",
                "clone_url": repo.bare.as_uri() if repo.bare else f"{self.web}/{repo.full_name}.git"}

    def get_issue(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> dict[str, Any]:
        return self._issue(repo, int(groups["number"]))

    def list_issue_comments(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> list:
        url = self._issue(repo, int(groups["number"]))["url"]
        return [c for c in repo.comments if c["issue_url"] == url]

    def list_repo_comments(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> list:
        since = query.get("since", "")
        found = [c for c in repo.comments if c["updated_at"] >= since]
        key = "updated_at" if query.get("sort") == "updated" else "created_at"
        return sorted(found, key=lambda c: (c[key], c["id"]), reverse=query.get("direction") == "desc")

    def create_comment(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> dict[str, Any]:
        payload = require(body, "IssueComment", body=str)
        return self.add_comment(repo, int(groups["number"]), payload["body"], user)

    def edit_comment(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> dict[str, Any]:
        payload = require(body, "IssueComment", body=str)
        comment = next((c for c in repo.comments if c["id"] == int(groups["comment_id"])), None)
        if comment is None:
            raise ApiError(404, "Not Found")
        if comment["user"]["login"] != user["login"] and repo.permissions.get(user["login"]) not in ("admin", "write"):
            raise ApiError(403, "Resource not accessible by integration")
        comment.update(body=payload["body"], updated_at=iso(self.now()))
        return comment

    def add_labels(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> list:
        payload = require(body, "Label", labels=list)
        if not all(isinstance(name, str) for name in payload["labels"]):
            raise ApiError(422, "Validation Failed", [{"resource": "Label", "field": "labels", "code": "invalid"}])
        issue = self._issue(repo, int(groups["number"]))
        present = {label["name"] for label in issue["labels"]}
        issue["labels"] += [self._label(n) for n in payload["labels"] if n not in present]
        return issue["labels"]

    def remove_label(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> list:
        issue = self._issue(repo, int(groups["number"]))
        kept = [label for label in issue["labels"] if label["name"] != groups["name"]]
        if len(kept) == len(issue["labels"]):
            raise ApiError(404, "Label does not exist")
        issue["labels"] = kept
        return kept

    def get_permission(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> dict[str, Any]:
        login = groups["login"]
        role = repo.permissions.get(login) or ("none" if repo.private else "read")
        return {"permission": LEGACY_PERMISSION.get(role, "none"), "role_name": role,
                "user": {"login": login, "type": "User"}}

    def create_pull(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> dict[str, Any]:
        payload = require(body, "PullRequest", title=str, head=str, base=str)
        if "draft" in payload and not isinstance(payload["draft"], bool):
            raise ApiError(422, "Validation Failed", [{"resource": "PullRequest", "field": "draft", "code": "invalid"}])
        for name in ("head", "base"):
            if not self._branch_sha(repo, payload[name]):
                raise ApiError(422, "Validation Failed",
                               [{"resource": "PullRequest", "field": name, "code": "invalid"}])
        if self._open_pull(repo, payload["head"]):
            raise ApiError(422, "Validation Failed", [{"resource": "PullRequest", "code": "custom", "message":
                           f"A pull request already exists for {repo.owner}:{payload['head']}."}])
        issue = self.add_issue(repo, payload["title"], payload.get("body") or "", user)
        issue.update(draft=bool(payload.get("draft")), pull_request={"url": issue["url"]},
                     html_url=f"{self.web}/{repo.full_name}/pull/{issue['number']}",
                     head={"ref": payload["head"], "sha": self._branch_sha(repo, payload["head"]),
                           "label": f"{repo.owner}:{payload['head']}"},
                     base={"ref": payload["base"], "sha": self._branch_sha(repo, payload["base"])})
        return issue

    def list_pulls(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> list:
        owner, _, branch = query.get("head", "").partition(":")
        return [p for p in self.pulls(repo) if p["state"] == query.get("state", "open")
                and (not branch or (owner == repo.owner and p["head"]["ref"] == branch))]

    def update_pull(self, repo: FakeRepo, groups: dict, query: dict, body: Any, user: dict) -> dict[str, Any]:
        pull = next((p for p in self.pulls(repo) if p["number"] == int(groups["number"])), None)
        if pull is None:
            raise ApiError(404, "Not Found")
        for name in ("title", "body"):
            if name in (body or {}):
                pull[name] = require(body, "PullRequest", **{name: str})[name]
        pull["updated_at"] = iso(self.now())
        return pull

    def pulls(self, repo: FakeRepo) -> list[dict[str, Any]]:
        """Pull requests of the repository."""
        return [i for i in repo.issues.values() if "pull_request" in i]

    def _open_pull(self, repo: FakeRepo, branch: str) -> dict[str, Any] | None:
        return next((p for p in self.pulls(repo) if p["state"] == "open" and p["head"]["ref"] == branch), None)

    def _branch_sha(self, repo: FakeRepo, branch: str) -> str | None:
        if repo.bare is None:
            return None
        result = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], cwd=repo.bare,
                                capture_output=True, text=True)
        return result.stdout.strip() or None
