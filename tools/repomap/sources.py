"""Where the index reads a repository from (a host directory or a workspace), listed with content keys: git blob
ids, so a clean checkout costs one `git ls-files` and no reads (other files are hashed)."""

from __future__ import annotations

import functools
import hashlib
import os
import shlex
import subprocess
from pathlib import Path
from typing import NamedTuple, Protocol

from core.git import run_git

MAX_FILE_BYTES = 1_000_000
"""Files larger than this are skipped (with a note)."""
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"})
"""Directories never walked when the source is not a git repository."""
LISTING_PAGE = 3000
"""Lines of `git ls-files` fetched from a workspace per command (output is clipped per command)."""

GIT = "git -c core.quotePath=false"
"""git with file names printed as they are (not quoted and escaped), for commands whose output is parsed."""


def blob_key(data: bytes) -> str:
    """The git blob id of `data` (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Listing(NamedTuple):
    """The files of a source: path -> content key (None when the content must be read to be keyed)."""

    files: dict[str, str | None]
    """Regular files (no symlinks, no submodules), relative POSIX paths."""
    notes: list[str]
    """What could not be listed, if anything."""


class FileSource(Protocol):
    """A repository the index can list, read and grep."""

    def listing(self) -> Listing:
        """Every regular file with its content key (None: read it to key it)."""
        ...

    def read(self, path: str) -> bytes:
        """A file's bytes."""
        ...

    def grep(self, literal: str) -> list[str]:
        """Paths of the files that contain `literal`."""
        ...


def parse_ls_files(text: str) -> dict[str, str | None]:
    """`git ls-files -s` lines -> path -> blob id, dropping symlinks (120000) and submodules (160000)."""
    files: dict[str, str | None] = {}
    for line in text.splitlines():
        meta, _, path = line.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[0] in ("100644", "100755"):
            files[_unquote(path)] = parts[1]
    return files


def parse_status(text: str, files: dict[str, str | None]) -> None:
    """Apply `git status --porcelain` lines: deleted paths leave, modified and untracked need hashing."""
    for line in text.splitlines():
        code, path = line[:2], _unquote(line[3:])
        if " -> " in path:
            path = path.split(" -> ", 1)[1]
        if "D" in code:
            files.pop(path, None)
        else:
            files[path] = None


def _unquote(path: str) -> str:
    if path.startswith('"') and path.endswith('"'):
        return path[1:-1].encode().decode("unicode_escape").encode("latin-1").decode(errors="replace")
    return path


class HostSource:
    """A directory on this machine; a git work tree is listed by git, anything else is walked."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def _git(self, *args: str) -> tuple[int, str]:
        """(exit code, stdout) of git in the root."""
        result = run_git(*shlex.split(GIT)[1:], *args, cwd=self.root)
        return result.returncode, result.stdout.decode("utf-8", "replace")

    @functools.cached_property
    def is_work_tree(self) -> bool:
        """Whether the root is the top of a git work tree (a folder inside one, even an ignored one, is not)."""
        code, top = self._git("rev-parse", "--show-toplevel")
        return code == 0 and Path(top.strip()).resolve() == self.root

    def listing(self) -> Listing:
        """Files under the root with their content keys."""
        if not self.is_work_tree:
            return self._walk()
        files = parse_ls_files(self._git("ls-files", "-s")[1])
        parse_status(self._git("status", "--porcelain", "-uall", ".")[1], files)
        return Listing({p: k for p, k in files.items() if not (self.root / p).is_symlink()}, [])

    def _walk(self) -> Listing:
        files: dict[str, str | None] = {}
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for name in filenames:
                full = Path(dirpath) / name
                if full.is_file() and not full.is_symlink():
                    files[full.relative_to(self.root).as_posix()] = None
        return Listing(files, [])

    def read(self, path: str) -> bytes:
        """The file's bytes."""
        return (self.root / path).read_bytes()

    def grep(self, literal: str) -> list[str]:
        """Paths of files containing `literal` (fixed string), best effort."""
        if self.is_work_tree:
            code, found = self._git("grep", "--untracked", "-l", "-I", "-F", "-e", literal)
            if code <= 1:
                return found.splitlines()
        skip = [f"--exclude-dir={d}" for d in sorted(SKIP_DIRS)] + ["--exclude-dir=.?*"]  # hidden, as _walk
        cmd = ["grep", "-r", "-l", "-I", "-F", *skip, "-e", literal, "."]
        result = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True)
        return [p.removeprefix("./") for p in result.stdout.splitlines()]


class WorkspaceSource:
    """A repository inside a Workspace (local clone or container), reached through exec and read_file."""

    def __init__(self, ws, timeout: float = 60.0):
        self.ws = ws
        self.timeout = timeout

    def _run(self, cmd: str) -> str:
        result = self.ws.exec(cmd, timeout=self.timeout)
        return result.output if result.exit_code in (0, 1) and not result.timed_out else ""

    def listing(self) -> Listing:
        """Files in the workspace with their content keys, paged so no output is clipped."""
        text, start = [], 1
        while True:
            page = self._run(f"{GIT} ls-files -s | sed -n '{start},{start + LISTING_PAGE - 1}p'")
            text.append(page)
            if page.count("\n") < LISTING_PAGE:
                break
            start += LISTING_PAGE
        files = parse_ls_files("".join(text))
        if not files:
            return Listing({}, ["the workspace is not a git repository or has no tracked files"])
        parse_status(self._run(f"{GIT} status --porcelain -uall ."), files)
        return Listing(files, [])

    def read(self, path: str) -> bytes:
        """The file's text as UTF-8 bytes (the workspace decodes with replacement)."""
        return self.ws.read_file(path).encode("utf-8")

    def grep(self, literal: str) -> list[str]:
        """Paths of files containing `literal` (fixed string)."""
        out = self._run(f"{GIT} grep --untracked -l -I -F -e {shlex.quote(literal)} | head -n 200")
        return out.splitlines()
