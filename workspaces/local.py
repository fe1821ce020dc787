"""LocalWorkspace: a fresh clone of the repository in a temporary directory on this machine."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

import git

from core.errors import WorkspaceError
from workspaces.base import SECRET_MARKERS, ExecResult
from workspaces.output import HeadTailBuffer

COMMAND_ENV = {"PAGER": "cat", "GIT_PAGER": "cat", "TERM": "dumb", "PYTHONDONTWRITEBYTECODE": "1"}
"""Set for every agent command: no pagers, no colour codes, no stray bytecode in the diff."""


def command_environment() -> dict[str, str]:
    """The host environment without secrets, plus the settings every agent command gets."""
    env = {k: v for k, v in os.environ.items() if not any(m in k.upper() for m in SECRET_MARKERS)}
    env.update(COMMAND_ENV)
    return env


class LocalWorkspace:
    """A clone of `source_dir` at `commit` in a temp directory (deleted on exit unless `keep`); commands run locally."""

    def __init__(self, source_dir: Path, commit: str = "HEAD", keep: bool = False, parent_dir: Path | None = None):
        self.source_dir = Path(source_dir)
        self.requested_commit = commit
        self.keep = keep
        self.parent_dir = parent_dir
        self.tmp: Path | None = None
        self.root = ""
        self.base_commit = ""
        self._env = command_environment()

    def __enter__(self) -> LocalWorkspace:
        self.tmp = Path(tempfile.mkdtemp(prefix="repo-agent-", dir=self.parent_dir))
        clone_dir = self.tmp / "repo"
        try:
            repo = git.Repo.clone_from(str(self.source_dir), clone_dir, no_checkout=True, env=self._git_env())
            repo.git.checkout("--detach", "--quiet", self.requested_commit)
            self.base_commit = repo.head.commit.hexsha
        except git.GitCommandError as exc:
            self._remove()
            reason = exc.stderr.strip()
            raise WorkspaceError(f"Could not clone {self.source_dir} at {self.requested_commit}: {reason}") from exc
        self.repo = repo
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

    def _git_env(self) -> dict[str, str]:
        return {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"}

    def _path(self, path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else Path(self.root) / candidate

    def exec(self, cmd: str, *, timeout: float, cwd: str | None = None) -> ExecResult:
        """Run `cmd` with bash in a new process group; on timeout the whole group is killed."""
        start = time.monotonic()
        workdir = str(self._path(cwd)) if cwd else self.root
        try:
            proc = subprocess.Popen(
                ["bash", "-c", cmd], cwd=workdir, env=self._env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            )
        except (FileNotFoundError, NotADirectoryError) as exc:
            return ExecResult(exit_code=127, output=f"cannot run in {cwd}: {exc.strerror}", duration=0.0)
        buffer = HeadTailBuffer()
        reader = threading.Thread(target=_pump, args=(proc.stdout, buffer), daemon=True)
        reader.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc.pid)
            proc.wait()
        finally:
            if proc.poll() is None:  # interrupted (Ctrl-C) while waiting
                _kill_group(proc.pid)
        # Grandchildren that left the group may hold the pipe open; don't wait for them forever.
        reader.join(timeout=2)
        return ExecResult(
            exit_code=-1 if timed_out else proc.returncode,
            output=buffer.text(),
            timed_out=timed_out,
            duration=time.monotonic() - start,
        )

    def read_file(self, path: str) -> str:
        """The file's text (UTF-8, undecodable bytes replaced)."""
        return self._path(path).read_bytes().decode("utf-8", errors="replace")

    def write_file(self, path: str, text: str) -> None:
        """Write `text` to the file, creating parent directories."""
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def diff(self) -> str:
        """Diff of the working tree against the base commit, untracked files included, through a private index (the
        agent's staging area is left alone). The real index is refreshed first (stat data only) so `git add` does not
        re-hash every racily-clean file of the fresh clone on each call."""
        self.repo.git.update_index("-q", "--refresh", with_exceptions=False)
        with tempfile.TemporaryDirectory() as tmp:
            index = Path(tmp) / "index"
            env = {"GIT_INDEX_FILE": str(index)}
            git_dir = Path(self.repo.git_dir)
            if (git_dir / "index").exists():
                shutil.copy2(git_dir / "index", index)  # keep its mtime: git's racy-entry check relies on it
            self.repo.git.add("-A", env=env)
            return _with_newline(self.repo.git.diff("--cached", "--binary", self.base_commit, env=env))

    def reset(self) -> None:
        """Revert tracked changes and remove untracked files."""
        self.repo.git.reset("--hard", "--quiet", self.base_commit)
        self.repo.git.clean("-fdq")


def _with_newline(diff: str) -> str:
    # GitPython strips the trailing newline that `git apply` needs.
    return diff + "\n" if diff and not diff.endswith("\n") else diff


def _pump(stream, buffer: HeadTailBuffer) -> None:  # noqa: ANN001 - a binary pipe
    for chunk in iter(lambda: stream.read1(65536), b""):
        buffer.write(chunk)
    stream.close()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
