"""The pull request's branch: one plumbing commit (private index, `commit-tree`) of the patch on the base commit,
force-pushed to `repo-agent/issue-N`; the checkout is never touched. For https remotes the token goes in an
`http.<origin>.extraheader` via GIT_CONFIG_* variables, never on the command line or in `.git/config`."""

from __future__ import annotations

import base64
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from agent.redact import redact
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


def auth_env(url: str, token: str | None, env: dict[str, str] | None = None) -> dict[str, str]:
    """GIT_CONFIG_* variables that send `token` to an https remote (none for other remotes or no token)."""
    parts = urlsplit(url)
    if not token or parts.scheme != "https":
        return {}
    env = dict(os.environ) if env is None else env
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


def branch_name(prefix: str, number: int) -> str:
    """The branch for issue `number`."""
    return f"{prefix}{number}"
