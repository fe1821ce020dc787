"""Running git on this machine: the one helper every package uses.

A plain subprocess rather than GitPython: what the product asks of git on the host is bare repositories, patches
on stdin, blobs as bytes and timeouts, which GitPython passes through to the same `git` binary anyway (the local
workspace keeps its GitPython repository object for its worktree). Every call runs without a terminal prompt
(`GIT_TERMINAL_PROMPT=0`), captures its output and has a timeout.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitError(Exception):
    """git exited non-zero, or ran past its timeout: the command and git's own last words."""

    def __init__(self, args: tuple[str, ...], stderr: str, where: str | Path | None = None):
        self.git_args = args
        """The arguments after `git`."""
        self.stderr = stderr.strip()
        """What git printed on stderr."""
        reason = (self.stderr.splitlines() or ["git failed"])[-1]
        place = f" in {where}" if where else ""
        super().__init__(f"git {' '.join(args[:2])} failed{place}: {reason}")


def run_git(*args: str, cwd: str | Path | None = None, git_dir: str | Path | None = None,
            input: bytes | str | None = None, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
    """`git [--git-dir=DIR] ARGS` in `cwd`; the completed process whatever its exit code (GitError on a timeout)."""
    command = ["git", *([f"--git-dir={git_dir}"] if git_dir else []), *args]
    data = input.encode() if isinstance(input, str) else input
    try:
        return subprocess.run(command, cwd=cwd, input=data, capture_output=True, timeout=timeout,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})})
    except subprocess.TimeoutExpired:
        raise GitError(args, f"no answer within {timeout:g} s", cwd or git_dir) from None


def git_bytes(*args: str, cwd: str | Path | None = None, git_dir: str | Path | None = None,
              input: bytes | str | None = None, env: dict[str, str] | None = None, timeout: float = 600) -> bytes:
    """git's stdout as bytes; GitError when it fails."""
    result = run_git(*args, cwd=cwd, git_dir=git_dir, input=input, env=env, timeout=timeout)
    if result.returncode != 0:
        raise GitError(args, result.stderr.decode(errors="replace"), cwd or git_dir)
    return result.stdout


def git_output(*args: str, cwd: str | Path | None = None, git_dir: str | Path | None = None,
               input: bytes | str | None = None, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    """git's stdout as text, stripped; GitError when it fails."""
    return git_bytes(*args, cwd=cwd, git_dir=git_dir, input=input, env=env,
                     timeout=timeout).decode("utf-8", "replace").strip()
