"""Docker's own channels into a running container, for images without the command server and before it starts:
one command per `docker exec`, killed with its whole process group by a watchdog past the timeout (the host reads
the output with its own deadline, timeout + grace, keeping only the head and the tail); and the archive API, to
write single files, copy trees in and, from a container that died, out for its diff."""

from __future__ import annotations

import base64
import json
import os
import posixpath
import select
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.errors import WorkspaceError
from core.git import git_bytes
from workspaces.base import DEFAULT_OUTPUT_LIMIT, ExecResult
from workspaces.command_server import HeadTailBuffer
from workspaces.images import tar_bytes
from workspaces.local import COMMAND_ENV

GRACE = 1.0
"""Seconds past the timeout the host waits for the stream to close after the watchdog fired."""

WRAPPER = r"""cd -- "$3" 2>&1 || exit 127
exec 2>/dev/null
set -m
bash -c "$1" </dev/null 2>&1 &
p=$!
{ sleep "$2"; kill -KILL -- "-$p"; } </dev/null >/dev/null &
w=$!
wait "$p"; rc=$?
kill -0 -- "-$p" || kill -KILL -- "-$w"
exit "$rc"
"""
"""bash -c WRAPPER wrapper CMD TIMEOUT CWD: run CMD in CWD as a process group killed after TIMEOUT seconds.
The command's stderr joins its stdout in order (the wrapper's goes to /dev/null: no job notices). The watchdog
outlives the command only while its group has members (stray background processes), so those are killed too."""


class ServerGone(Exception):
    """The server's stream ended (the server or the container died)."""


class ServerStuck(Exception):
    """The server did not answer in time."""


class FrameReader:
    """Reads Docker's multiplexed stream (8-byte header per frame) from a hijacked exec socket: every payload
    (stdout and stderr, in order) to `sink` when given, else stdout line by line."""

    def __init__(self, sock: Any, sink: Callable[[bytes], None] | None = None):
        self.sock = sock
        self.sink = sink
        self.raw = getattr(sock, "_sock", sock)
        self.buffer = bytearray()
        self.stdout = bytearray()

    def _parse(self) -> None:
        while len(self.buffer) >= 8:
            size = int.from_bytes(self.buffer[4:8], "big")
            if len(self.buffer) < 8 + size:
                return
            payload = bytes(self.buffer[8: 8 + size])
            if self.sink is not None:
                self.sink(payload)
            elif self.buffer[0] == 1:  # stdout (a server's stderr is not read)
                self.stdout += payload
            del self.buffer[: 8 + size]

    def _receive(self, deadline: float) -> None:
        """Read what arrives before `deadline`; ServerGone at EOF, ServerStuck past the deadline."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServerStuck()
        if not select.select([self.raw], [], [], remaining)[0]:
            return
        data = self.raw.recv(1 << 20)
        if not data:
            raise ServerGone()
        self.buffer += data
        self._parse()

    def until_eof(self, deadline: float) -> bool:
        """Read until the stream ends (True) or `deadline` passes (False)."""
        try:
            while True:
                self._receive(deadline)
        except ServerGone:
            return True
        except ServerStuck:
            return False

    def line(self, deadline: float) -> bytes:
        """The next line of stdout; ServerGone at EOF, ServerStuck past `deadline`."""
        scanned = 0
        while (end := self.stdout.find(b"\n", scanned)) < 0:
            scanned = len(self.stdout)
            self._receive(deadline)
        line = bytes(self.stdout[:end])
        del self.stdout[: end + 1]
        return line

    def send(self, data: bytes) -> None:
        """Write to the server's stdin."""
        try:
            self.raw.sendall(data)
        except OSError as exc:
            raise ServerGone(str(exc)) from exc

    def close(self) -> None:
        """Close the connection (the server sees EOF on stdin and exits)."""
        self.sock.close()


def exit_code_of(api: Any, exec_id: str) -> int | None:
    """The exit code of a finished exec (waits briefly while Docker still reports it running)."""
    for _ in range(50):
        info = api.exec_inspect(exec_id)
        if not info.get("Running"):
            return info.get("ExitCode")
        time.sleep(0.02)
    return None


def run_command(api: Any, container_id: str, cmd: str, *, timeout: float, cwd: str, user: str = "",
                limit: int = DEFAULT_OUTPUT_LIMIT) -> ExecResult:
    """Run `cmd` with bash in `cwd` inside the container as `user` ("" = the image's default), keeping `limit` bytes
    of output (head and tail); on timeout its process group is killed."""
    import docker

    started = time.monotonic()
    argv = ["bash", "-c", WRAPPER, "repo-agent-exec", cmd, f"{max(timeout, 0.01):.3f}", cwd]
    try:
        exec_id = api.exec_create(container_id, argv, user=user, environment=COMMAND_ENV)["Id"]
        sock = api.exec_start(exec_id, socket=True)
    except docker.errors.NotFound as exc:
        raise WorkspaceError("The workspace container is gone (removed while the run was going on).") from exc
    except docker.errors.APIError as exc:
        raise WorkspaceError(f"Docker could not run the command: {exc.explanation or exc}") from exc
    keeper = HeadTailBuffer(limit)
    reader = FrameReader(sock, keeper.write)
    try:
        finished = reader.until_eof(started + timeout + GRACE)
    finally:
        reader.close()
    duration = time.monotonic() - started
    code = exit_code_of(api, exec_id) if finished else None
    timed_out = not finished or (duration >= timeout and code in (137, None))
    return ExecResult(-1 if timed_out or code is None else code, keeper.text(), timed_out, duration)


MODE_DIR = 1 << 31
"""The directory bit of Go's os.FileMode in Docker's path stat."""


@dataclass
class ArchiveFiles:
    """Write single files of a container with put_archive; copy trees in and out."""

    api: Any
    """docker.APIClient."""
    container_id: str
    """The container."""
    uid: int = 0
    """Owner of files written."""
    gid: int = 0
    """Group of files written."""
    mkdir: Callable[[str], None] | None = None
    """Creates a directory (with parents) as the workspace user; needed for writes into new directories."""

    def stat(self, path: str) -> dict[str, Any] | None:
        """Docker's stat of a container path (name, size, mode, linkTarget); None when missing."""
        url = self.api._url("/containers/{0}/archive", self.container_id)
        response = self.api.head(url, params={"path": path})
        if response.status_code == 404:
            return None
        self.api._raise_for_status(response)
        return json.loads(base64.b64decode(response.headers["X-Docker-Container-Path-Stat"]))

    def write(self, path: str, data: bytes) -> None:
        """Write the file at absolute `path` (parents created), keeping the permission bits of a file it replaces."""
        stat = self.stat(path)
        mode = 0o644
        if stat is not None:
            if stat["mode"] & MODE_DIR:
                raise IsADirectoryError(path)
            mode = stat["mode"] & 0o7777 or 0o644
        elif self.stat(posixpath.dirname(path)) is None and self.mkdir is not None:
            self.mkdir(posixpath.dirname(path))
        archive = tar_bytes({posixpath.basename(path): data}, uid=self.uid, gid=self.gid, mode=mode)
        self.put(posixpath.dirname(path), archive)

    def put(self, directory: str, archive: Any) -> None:
        """Unpack a tar (bytes or an open file) into `directory`."""
        import docker

        try:
            self.api.put_archive(self.container_id, directory, archive)
        except docker.errors.NotFound as exc:
            raise FileNotFoundError(directory) from exc
        except docker.errors.APIError as exc:
            raise WorkspaceError(f"Copying into the container failed: {exc.explanation or exc}") from exc

    def diff_on_host(self, root: str, base_commit: str) -> str:
        """The diff of `root` against `base_commit`, taken on this machine from a copy of the tree (new files
        included); works on a stopped container, so a run whose container died keeps its patch."""
        import docker

        try:
            stream, _ = self.api.get_archive(self.container_id, root)
        except docker.errors.NotFound as exc:
            raise WorkspaceError("The workspace container is gone; its changes cannot be read.") from exc
        with tempfile.TemporaryDirectory(prefix="repo-agent-diff-") as tmp:
            with tempfile.TemporaryFile() as archive:
                for chunk in stream:
                    archive.write(chunk)
                archive.seek(0)
                with tarfile.open(fileobj=archive) as tar:
                    tar.extractall(tmp, **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
            tree = os.path.join(tmp, posixpath.basename(root.rstrip("/")))
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "diff-index")}
            safe = ("-c", f"safe.directory={tree}")
            git_bytes(*safe, "add", "-A", cwd=tree, env=env)
            return git_bytes(*safe, "diff", "--cached", "--binary", "--no-color", "--no-ext-diff", "--no-renames",
                             base_commit, cwd=tree, env=env).decode("utf-8", "replace")
