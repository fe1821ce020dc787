"""The Workspace seam: where the repository lives and every agent command runs."""

from __future__ import annotations

import shlex
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


DIFF_SCRIPT = """set -e
idx=$(mktemp); err=$(mktemp); trap 'rm -f "$idx" "$err"' EXIT
git update-index -q --refresh >/dev/null 2>&1 || true
cp -p "$(git rev-parse --git-path index)" "$idx" 2>/dev/null || true
export GIT_INDEX_FILE="$idx"
if ! { git add -A . && git diff --cached --binary --no-color --no-ext-diff --no-renames "$1"; } 2>"$err"; then
  cat "$err"; exit 1
fi"""
"""`git diff` of the tree (new files included) against $1 through a throw-away index; errors only on failure.
The real index's stat data is refreshed and the copy keeps its mtime (`cp -p`): otherwise git's racy-clean check
can drop a same-size edit made in the same second as a checkout or reset."""


class GitWorkTree:
    """`diff`, `reset` and git commands run through the workspace's own `exec(cmd, timeout=, limit=)`: the local and
    the Docker kinds share them."""

    def _git(self, args: str, *, timeout: float = 300) -> str:
        """Run git commands in `root`; WorkspaceError when they fail; their output otherwise."""
        result = self.exec(f"git {args}", timeout=timeout)
        if result.exit_code != 0:
            raise WorkspaceError(f"git {args.split()[0]} failed in the workspace: {result.output.strip()[:500]}")
        return result.output

    def diff(self) -> str:
        """`git diff` against the base commit, new files included, binary-safe ("" when nothing changed)."""
        result = self.exec(f"bash -c {shlex.quote(DIFF_SCRIPT)} diff {self.base_commit}", timeout=300, limit=1 << 40)
        if result.exit_code != 0:
            raise WorkspaceError(f"Taking the diff failed: {result.output.strip()[:500]}")
        return result.output

    def reset(self) -> None:
        """Back to the base commit: tracked changes reverted, untracked (not ignored) files removed."""
        self._git(f"reset --quiet --hard {self.base_commit} && git clean -fdq")


PATCH_FILE = ".git/repo-agent.patch"
"""Where `apply_diff` puts a diff before `git apply` (inside .git: never part of a diff)."""


def apply_diff(ws: Workspace, diff: str) -> bool:
    """`git apply` a unified diff in the workspace; whether it applied."""
    ws.write_file(PATCH_FILE, diff)
    result = ws.exec(f"git apply --whitespace=nowarn {PATCH_FILE}; status=$?; rm -f {PATCH_FILE}; exit $status",
                     timeout=120)
    return result.exit_code == 0


def clip_middle(text: str, limit: int) -> str:
    """Keep the head and the tail of `text` so that it fits in about `limit` characters."""
    if len(text) <= limit:
        return text
    head = limit // 2  # and the last `limit - head` characters
    return text[:head] + f"\n... [{len(text) - limit} characters omitted] ...\n" + text[head - limit:]
