"""Where repositories come from: bare mirrors (`--mirrors DIR` / REPO_AGENT_MIRRORS), else a clone cache (README.md)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import UserError
from core.git import GitError, git_bytes, git_output, run_git

MIRRORS_ENV = "REPO_AGENT_MIRRORS"
"""Environment variable naming the mirror directory when `--mirrors` is not given."""
CLONE_URL = "https://github.com/{repo}.git"
"""Where repositories are cloned from when there is no local mirror."""


class MirrorError(Exception):
    """A repository or a commit is not available (an infrastructure failure, not the model's)."""


def _git(git_dir: Path, *args: str, binary: bool = False, timeout: float = 600) -> str | bytes:
    """Run git on a bare repository; MirrorError with git's message when it fails."""
    try:
        out = git_bytes(*args, git_dir=git_dir, timeout=timeout)
    except GitError as exc:
        raise MirrorError(f"git {' '.join(args[:2])} failed in {git_dir}: {exc.stderr[-300:]}") from None
    return out if binary else out.decode("utf-8", "replace")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive file lock (so parallel workers clone a repository once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


class Mirrors:
    """Finds (or clones) the git directory of a repository and reads commits from it."""

    def __init__(self, directory: Path | str | None = None, cache: Path | None = None):
        chosen = directory or os.environ.get(MIRRORS_ENV) or None
        self.directory = Path(chosen).expanduser() if chosen else None
        if self.directory is not None and not self.directory.is_dir():
            raise UserError(f"The mirror directory {self.directory} does not exist; give a directory of bare "
                            "mirrors named owner+name (or unset REPO_AGENT_MIRRORS).")
        if cache is None:
            from workspaces.images import cache_dir

            cache = cache_dir() / "mirrors"
        self.cache = cache

    def git_dir(self, repo: str) -> Path:
        """The bare git directory of `repo` (`owner/name`), cloning it into the cache when needed."""
        owner, _, name = repo.partition("/")
        candidates = []
        if self.directory is not None:
            for stem in (f"{owner}+{name}", f"{owner}__{name}"):
                candidates += [self.directory / stem, self.directory / f"{stem}.git"]
        candidates.append(self.cache / f"{owner}+{name}.git")
        for candidate in candidates:
            if (candidate / "HEAD").exists() or (candidate / ".git" / "HEAD").exists():
                return candidate / ".git" if (candidate / ".git" / "HEAD").exists() else candidate
        return self._clone(repo, self.cache / f"{owner}+{name}.git")

    def _clone(self, repo: str, target: Path) -> Path:
        with _locked(target.with_suffix(".lock")):
            if (target / "HEAD").exists():
                return target
            partial = target.with_suffix(".partial")
            subprocess.run(["rm", "-rf", str(partial)], check=False)
            result = run_git("clone", "--mirror", "--quiet", CLONE_URL.format(repo=repo), str(partial), timeout=3600)
            if result.returncode != 0:
                reason = result.stderr.decode(errors="replace").strip()[-200:]
                raise MirrorError(f"could not clone {repo} ({reason}); pass --mirrors DIR with a bare mirror named "
                                  "owner+name")
            partial.rename(target)
        return target

    def require(self, repo: str, *commits: str) -> Path:
        """The git directory of `repo`, checked to hold `commits` (MirrorError naming the missing one)."""
        git_dir = self.git_dir(repo)
        for commit in commits:
            if commit and run_git("cat-file", "-e", f"{commit}^{{commit}}", git_dir=git_dir).returncode != 0:
                raise MirrorError(f"commit {commit[:12]} of {repo} is not in {git_dir}; update the mirror")
        return git_dir

    def archive(self, repo: str, commit: str, prefix: str = "") -> bytes:
        """A tar of every tracked file of `commit` under `prefix` (no .git), from a throw-away repository that borrows
        the mirror's objects and overrides `export-ignore` / `export-subst` (they would drop or rewrite files)."""
        with tempfile.TemporaryDirectory(prefix="repo-agent-archive-") as tmp:
            git_output("init", "-q", "--bare", tmp)
            objects = Path(self.git_dir(repo)) / "objects"
            (Path(tmp) / "objects" / "info" / "alternates").write_text(f"{objects.resolve()}\n")
            (Path(tmp) / "info").mkdir(exist_ok=True)
            (Path(tmp) / "info" / "attributes").write_text("* -export-ignore -export-subst\n")
            args = ["archive", "--format=tar", *([f"--prefix={prefix}"] if prefix else []), commit]
            return _git(Path(tmp), *args, binary=True)  # type: ignore[return-value]

    def read(self, repo: str, commit: str, path: str) -> str | None:
        """The text of `path` at `commit`, or None when it does not exist there."""
        try:
            return str(_git(self.git_dir(repo), "show", f"{commit}:{path}"))
        except MirrorError:
            return None

    def commit_date(self, repo: str, commit: str) -> str:
        """The committer date of `commit` as YYYY-MM-DD."""
        return str(_git(self.git_dir(repo), "show", "-s", "--format=%cs", commit)).strip()

    def nearest_tag(self, repo: str, commit: str) -> str | None:
        """`git describe --tags --abbrev=0 COMMIT`: the closest tag reachable from `commit`, if any."""
        try:
            return str(_git(self.git_dir(repo), "describe", "--tags", "--abbrev=0", commit)).strip() or None
        except MirrorError:
            return None
