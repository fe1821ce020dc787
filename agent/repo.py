"""Resolve `--repo`: a local git repository (or a path inside one) or a clone URL."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from core.errors import UserError
from core.git import GitError, git_output
from workspaces.images import cache_dir

URL_PATTERN = re.compile(r"^(https?://|ssh://|git://|file://|git@[^:]+:)")
"""What counts as a clone URL rather than a path."""


@dataclass(frozen=True)
class RepoSource:
    """Where the repository comes from and the commit a run starts at."""

    path: Path
    """A git repository on this machine: the user's checkout, or our clone of a URL."""
    commit: str
    """Full hash of the base commit."""
    url: str | None = None
    """The clone URL when the repository was given as one."""

    @property
    def display(self) -> str:
        """How to name the repository to people."""
        return self.url or str(self.path)


def resolve_repo(spec: str, commit: str = "HEAD") -> RepoSource:
    """Turn the `--repo` argument into a RepoSource, or raise UserError with one sentence."""
    if not spec.strip():
        raise UserError("--repo is empty: give a path to a git repository or a clone URL.")
    if URL_PATTERN.match(spec):
        path = clone_url(spec)
        return RepoSource(path=path, commit=resolve_commit(path, commit), url=spec)
    path = Path(spec).expanduser()
    if not path.exists():
        raise UserError(f"Repository path {spec} does not exist.")
    if not path.is_dir():
        raise UserError(f"Repository path {spec} is a file; give the repository's directory.")
    try:
        top = Path(git_output("rev-parse", "--show-toplevel", cwd=path))
    except GitError:
        hint = "run `git init` and commit, or pass a clone URL"
        raise UserError(f"{spec} is not inside a git repository; {hint}.") from None
    return RepoSource(path=top, commit=resolve_commit(top, commit))


def resolve_commit(repo: Path, commit: str) -> str:
    """The full hash of `commit` in `repo`."""
    try:
        return git_output("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}", cwd=repo)
    except GitError:
        if commit == "HEAD":
            raise UserError(f"The repository {repo} has no commits yet; commit something first.") from None
        raise UserError(f"Commit {commit} does not exist in {repo}.") from None


def clone_url(url: str) -> Path:
    """Clone `url` into the cache (or fetch it again when cloned before); return the clone's path."""
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")) or "repo"
    target = cache_dir() / "repos" / f"{name}-{key}"
    try:
        if (target / ".git").exists():
            git_output("fetch", "--quiet", "origin", cwd=target)
            git_output("reset", "--quiet", "--hard", "FETCH_HEAD", cwd=target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            git_output("clone", "--quiet", url, str(target))
    except GitError as exc:
        reason = (exc.stderr.splitlines() or ["git failed"])[-1]
        raise UserError(f"Could not clone {url}: {reason}.") from None
    return target


def is_dirty(repo: Path) -> bool:
    """True when the checkout has uncommitted changes to tracked files or untracked files."""
    return bool(git_output("status", "--porcelain", cwd=repo))
