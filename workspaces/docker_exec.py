"""One command in a running container, killed with its whole process group by a watchdog past the timeout; the
host reads the output with its own deadline (timeout + grace), keeping only the head and the tail."""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.errors import WorkspaceError
from workspaces.base import ExecResult
from workspaces.local import COMMAND_ENV
from workspaces.output import HeadTailBuffer

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
        self.stderr = bytearray()

    def _parse(self) -> None:
        while len(self.buffer) >= 8:
            size = int.from_bytes(self.buffer[4:8], "big")
            if len(self.buffer) < 8 + size:
                return
            payload = bytes(self.buffer[8: 8 + size])
            if self.sink is not None:
                self.sink(payload)
            elif self.buffer[0] == 2:
                self.stderr += payload
            else:
                self.stdout += payload
            del self.buffer[: 8 + size]
        del self.stderr[:-4096]

    def _receive(self, deadline: float) -> None:
        """Read what arrives before `deadline`; ServerGone at EOF, ServerStuck past the deadline."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServerStuck()
        if not select.select([self.raw], [], [], remaining)[0]:
            return
        data = self.raw.recv(1 << 20)
        if not data:
            raise ServerGone(self.stderr.decode("utf-8", "replace")[-500:])
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


@dataclass
class ExecTarget:
    """Where commands go: a container, as a user, with an output limit."""

    api: Any
    """docker.APIClient."""
    container_id: str
    """The running container."""
    user: str = ""
    """User to run as ("" = the image's default)."""
    output_limit: int = 200_000
    """Bytes of output kept (head and tail) when it is long."""


def exit_code_of(api: Any, exec_id: str) -> int | None:
    """The exit code of a finished exec (waits briefly while Docker still reports it running)."""
    for _ in range(50):
        info = api.exec_inspect(exec_id)
        if not info.get("Running"):
            return info.get("ExitCode")
        time.sleep(0.02)
    return None


def run_command(target: ExecTarget, cmd: str, *, timeout: float, cwd: str) -> ExecResult:
    """Run `cmd` with bash in `cwd` inside the container; on timeout its process group is killed."""
    import docker

    started = time.monotonic()
    argv = ["bash", "-c", WRAPPER, "repo-agent-exec", cmd, f"{max(timeout, 0.01):.3f}", cwd]
    try:
        exec_id = target.api.exec_create(target.container_id, argv, user=target.user, environment=COMMAND_ENV)["Id"]
        sock = target.api.exec_start(exec_id, socket=True)
    except docker.errors.NotFound as exc:
        raise WorkspaceError("The workspace container is gone (removed while the run was going on).") from exc
    except docker.errors.APIError as exc:
        raise WorkspaceError(f"Docker could not run the command: {exc.explanation or exc}") from exc
    keeper = HeadTailBuffer(target.output_limit)
    reader = FrameReader(sock, keeper.write)
    try:
        finished = reader.until_eof(started + timeout + GRACE)
    finally:
        reader.close()
    duration = time.monotonic() - started
    code = exit_code_of(target.api, exec_id) if finished else None
    timed_out = not finished or (duration >= timeout and code in (137, None))
    if timed_out:
        return ExecResult(exit_code=-1, output=keeper.text(), timed_out=True, duration=duration)
    return ExecResult(exit_code=-1 if code is None else code, output=keeper.text(), duration=duration)
