"""LocalWorkspace: a fresh clone of the repository in a temporary directory on this machine."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType

import git

from core.errors import WorkspaceError
from workspaces.base import DEFAULT_OUTPUT_LIMIT, SECRET_MARKERS, ExecResult, GitWorkTree
from workspaces.command_server import run

COMMAND_ENV = {"PAGER": "cat", "GIT_PAGER": "cat", "TERM": "dumb", "PYTHONDONTWRITEBYTECODE": "1"}
"""Set for every agent command: no pagers, no colour codes, no stray bytecode in the diff."""


class LocalWorkspace(GitWorkTree):
    """A clone of `source_dir` at `commit` in a temp directory (deleted on exit unless `keep`); commands run locally."""

    def __init__(self, source_dir: Path, commit: str = "HEAD", keep: bool = False):
        self.source_dir = Path(source_dir)
        self.requested_commit = commit
        self.keep = keep
        self.tmp: Path | None = None
        self.root = ""
        self.base_commit = ""
        self._env = {k: v for k, v in os.environ.items() if not any(m in k.upper() for m in SECRET_MARKERS)}
        self._env.update(COMMAND_ENV)  # commands get the host environment without secrets, and COMMAND_ENV

    def __enter__(self) -> LocalWorkspace:
        self.tmp = Path(tempfile.mkdtemp(prefix="repo-agent-"))
        clone_dir = self.tmp / "repo"
        try:
            repo = git.Repo.clone_from(str(self.source_dir), clone_dir, no_checkout=True,
                                       env={"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"})
            repo.git.checkout("--detach", "--quiet", self.requested_commit)
            self.base_commit = repo.head.commit.hexsha
        except git.GitCommandError as exc:
            self._remove()
            reason = exc.stderr.strip()
            raise WorkspaceError(f"Could not clone {self.source_dir} at {self.requested_commit}: {reason}") from exc
        self.root = str(clone_dir)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.keep:
            self._remove()

    def _remove(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _path(self, path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else Path(self.root) / candidate

    def exec(self, cmd: str, *, timeout: float, cwd: str | None = None,
             limit: int = DEFAULT_OUTPUT_LIMIT) -> ExecResult:
        """Run `cmd` with bash in a new process group (as the command server does in a container); on timeout, or
        when background processes still hold its output after it exited, the whole group is killed."""
        start = time.monotonic()
        output, code, timed_out = run(cmd, str(self._path(cwd)) if cwd else self.root, timeout, limit, env=self._env,
                                      preexec_fn=None)
        return ExecResult(code, output.text(), timed_out, time.monotonic() - start)

    def read_file(self, path: str) -> str:
        """The file's text (UTF-8, undecodable bytes replaced)."""
        return self._path(path).read_bytes().decode("utf-8", errors="replace")

    def write_file(self, path: str, text: str) -> None:
        """Write `text` to the file, creating parent directories."""
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
