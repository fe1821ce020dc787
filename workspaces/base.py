"""The Workspace seam: where the repository lives and every agent command runs."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, runtime_checkable

from core.errors import WorkspaceError

__all__ = ["ExecResult", "Workspace", "WorkspaceError", "clip_middle"]

SECRET_MARKERS = ("KEY", "TOKEN", "SECRET", "PASSWORD")
"""Environment variables whose names contain these hold secrets: never shown to agent commands, never written."""

DEFAULT_OUTPUT_LIMIT = 200_000
"""Characters of command output a workspace keeps (head and tail) before the tools clip further."""


@dataclass
class ExecResult:
    """The outcome of one command run in a workspace."""

    exit_code: int
    """The command's exit status (-1 when it was killed on timeout)."""
    output: str
    """Standard output and standard error, interleaved, clipped to head and tail when long."""
    timed_out: bool = False
    """True when the command ran past its timeout and its process group was killed."""
    duration: float = 0.0
    """Wall-clock seconds the command took."""


@runtime_checkable
class Workspace(Protocol):
    """A repository at a known base commit, isolated from the user's checkout (a context manager). Paths are
    relative to `root` (absolute ones inside it are accepted); command failures are results, only infrastructure
    failures raise `WorkspaceError`."""

    root: str
    """Absolute path of the repository inside the workspace (the default working directory)."""
    base_commit: str
    """The commit the workspace started from; `diff()` is taken against it."""

    def __enter__(self) -> Workspace: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def exec(self, cmd: str, *, timeout: float, cwd: str | None = None) -> ExecResult: ...

    def read_file(self, path: str) -> str: ...

    def write_file(self, path: str, text: str) -> None: ...

    def diff(self) -> str: ...

    def reset(self) -> None: ...


PATCH_FILE = ".git/repo-agent.patch"
"""Where `apply_diff` puts a diff before `git apply` (inside .git: never part of a diff)."""


def apply_diff(ws: Workspace, diff: str) -> bool:
    """`git apply` a unified diff in the workspace; whether it applied."""
    ws.write_file(PATCH_FILE, diff)
    result = ws.exec(f"git apply --whitespace=nowarn {PATCH_FILE}; status=$?; rm -f {PATCH_FILE}; exit $status",
                     timeout=120)
    return result.exit_code == 0


def clip_middle(text: str, limit: int, marker: str = "\n... [{omitted} characters omitted] ...\n") -> str:
    """Keep the head and the tail of `text` so that it fits in about `limit` characters."""
    if len(text) <= limit:
        return text
    head = limit // 2
    tail = limit - head
    omitted = len(text) - head - tail
    return text[:head] + marker.format(omitted=omitted) + text[-tail:]
