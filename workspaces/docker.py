"""DockerWorkspace: the repository at its base commit inside a container (a tar of a fresh clone, never a bind
mount; or already in the image at `root`, for SWE-bench); setup steps are baked into a cached image. Commands and
files go through the command server, or without python3 `docker exec` per command (`cat` to read) and the archive
API to write."""

from __future__ import annotations

import base64
import contextlib
import posixpath
import re
import shlex
import signal
import sys
import threading
import time
import uuid
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any

from core.errors import UserError, WorkspaceError
from workspaces import gc
from workspaces.base import DEFAULT_OUTPUT_LIMIT, DIFF_SCRIPT, ExecResult, GitWorkTree
from workspaces.command_server import HeadTailBuffer
from workspaces.docker_exec import ArchiveFiles, ServerGone, ServerStuck, run_command
from workspaces.docker_server import CommandServer, decode
from workspaces.environment import PreparedImage, prepare_image, repo_archive, resolve_commit
from workspaces.images import connect
from workspaces.local import COMMAND_ENV
from workspaces.settings import DockerWorkspaceConfig

DEFAULT_ROOT = "/workspace/repo"
"""Where the repository lives in the container."""
SERVER_GRACE = 1.5
"""Seconds past a command's timeout before the command server itself counts as stuck."""
FILE_ERRORS = {"FileNotFoundError": FileNotFoundError, "IsADirectoryError": IsADirectoryError,
               "NotADirectoryError": NotADirectoryError, "PermissionError": PermissionError}
"""Errors the command server reports, as the exceptions the Workspace contract raises."""

PROBE_SCRIPT = """command -v git >/dev/null || echo nogit
if [ -n "$1" ] && id -u "$1" >/dev/null 2>&1; then echo "ids $(id -u "$1") $(id -g "$1") $1"
else echo "ids $(id -u) $(id -g)"; fi"""
"""Run as root at start: is git there, and the uid/gid of the configured user (or of the default one)."""

def _remove_container(api: Any, container_id: str) -> None:
    """Remove a workspace's container: at `close`, or at exit for those still there (after Ctrl-C and normal exit
    alike; `weakref.finalize` runs it once)."""
    with contextlib.suppress(Exception):  # already gone is fine; at exit the daemon may be gone
        api.remove_container(container_id, force=True, v=True)


def _exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit (so `with` blocks and atexit clean up), unless someone else handles it."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


_cpus: dict[int, int] = {}


def _daemon_cpus(client: Any) -> int:
    """CPUs of the Docker host (asked once per client): a CPU limit above it is refused by the daemon."""
    if id(client) not in _cpus:
        _cpus[id(client)] = client.info().get("NCPU") or 1
    return _cpus[id(client)]


class DockerWorkspace(GitWorkTree):
    """A Workspace in a Docker container (a context manager); see the module docstring."""

    def __init__(self, config: DockerWorkspaceConfig, source_dir: Path | None, commit: str | None = None,
                 run_id: str | None = None, *, root: str = DEFAULT_ROOT, client: Any = None,
                 log_dir: Path | None = None):
        self.config = config
        self.source_dir = Path(source_dir).resolve() if source_dir is not None else None
        self.root = root
        self.base_commit = commit or ""
        self.run_id = re.sub(r"[^A-Za-z0-9_.-]", "-", run_id or uuid.uuid4().hex[:12])
        self.client = client
        self.log_dir = log_dir
        self.container_id = ""
        self.prepared: PreparedImage | None = None
        """The image the container runs, and how it was made."""
        self.user = ""
        """The user commands run as ("" = the image's default)."""
        self.server: CommandServer | None = None
        self.files: ArchiveFiles | None = None

    def __enter__(self) -> DockerWorkspace:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        """Prepare the image, start the container, put the repository in, start the command server."""
        self.client = self.client or connect()
        if self.source_dir is not None:
            self.base_commit = resolve_commit(self.source_dir, self.base_commit or "HEAD")
        self.prepared = prepare_image(self.client, self.config, self.source_dir, self.base_commit, self.root,
                                      self.run_id, self.log_dir)
        try:
            self._create_container()
            self._probe_user()
            if not self.prepared.repo_inside:
                name = posixpath.basename(self.root)
                with repo_archive(self.source_dir, self.base_commit, name, self.files.uid, self.files.gid) as tar:
                    self.files.put(posixpath.dirname(self.root), tar)
            self._start_server()
            if self.source_dir is None and self.user and self.exec(f"test -w {shlex.quote(self.root)}",
                                                                   timeout=30).exit_code != 0:
                self.user = "0"  # the image's repository is not writable by the configured user: run as root
                self._start_server()
            if not self.base_commit:
                self.base_commit = self._git("rev-parse HEAD").strip()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the command server and remove the container (idempotent)."""
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.container_id:
            self._removal()  # the finalizer: runs once
            self.container_id = ""

    def _create_container(self) -> None:
        """Create and start the container with the configured limits and labels; remember it for cleanup."""
        ncpu = _daemon_cpus(self.client)
        container = self.client.containers.create(
            self.prepared.image, command=["sleep", "infinity"], name=f"repo-agent-{self.run_id}-{uuid.uuid4().hex[:6]}",
            labels=gc.container_labels("workspace", self.run_id), network_mode=self.config.network,
            nano_cpus=int(min(self.config.cpus, ncpu) * 1e9), mem_limit=self.config.memory,
            memswap_limit=self.config.memory, pids_limit=self.config.pids, init=True, hostname="workspace",
            security_opt=["no-new-privileges"], detach=True,
        )
        self.container_id = container.id
        self._removal = weakref.finalize(self, _remove_container, self.client.api, container.id)
        _exit_on_sigterm()
        container.start()

    def _probe_user(self) -> None:
        """Check the image has bash and git; pick the configured user where the image has it."""
        result = run_command(self.client.api, self.container_id, f"bash -c {shlex.quote(PROBE_SCRIPT)} probe "
                             f"{shlex.quote(self.config.user or '')}", timeout=30, cwd="/", user="0")
        ids = next((line.split()[1:] for line in result.output.splitlines() if line.startswith("ids ")), None)
        if result.exit_code != 0 or not ids:
            raise UserError(f"The workspace image cannot run bash ({result.output.strip()[:200]}); "
                            "use an image with bash, e.g. one from `agent images build-base`.")
        if "nogit" in result.output.split():
            raise UserError("The workspace image has no git: give a --setup (any setup installs git where apt or "
                            "apk can, e.g. --setup ':') or use an image with git.")
        self.user = ids[2] if len(ids) > 2 else ""
        self.files = ArchiveFiles(self.client.api, self.container_id, int(ids[0]), int(ids[1]), self._mkdir)

    def _start_server(self) -> None:
        """(Re)start the command server; without python3 in the image commands fall back to `docker exec`."""
        if self.server is not None:
            self.server.close()
            if self.server.pid:  # TERM lets it kill the command it runs; KILL if it does not go
                run_command(self.client.api, self.container_id,
                            f"kill -TERM {self.server.pid} && sleep 0.2 && kill -KILL {self.server.pid}",
                            timeout=10, cwd="/", user="0")
        restarting = self.server is not None
        self.server = CommandServer(self.client.api, self.container_id, self.user, COMMAND_ENV)
        if not self.server.start():
            self.server = None
            if restarting:
                self._check_alive()
                raise WorkspaceError("The workspace's command runner could not be restarted.")

    def _check_alive(self) -> None:
        """Raise WorkspaceError when the container is no longer running (killed, out of memory)."""
        try:
            state = self.client.api.inspect_container(self.container_id)["State"]
        except Exception as exc:
            raise WorkspaceError("The workspace container disappeared during the run.") from exc
        if not state.get("Running"):
            why = "it ran out of memory" if state.get("OOMKilled") else f"exit code {state.get('ExitCode')}"
            raise WorkspaceError(f"The workspace container stopped during the run ({why}).")

    def _request(self, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        """One request to the command server; restarts it (and raises ServerGone) when it died."""
        if self.server.broken:  # a request was abandoned (Ctrl-C): its reply would answer the next one
            self._start_server()
        try:
            return self.server.request(payload, timeout)
        except ServerGone:
            self._check_alive()
            self._start_server()
            raise

    def exec(self, cmd: str, *, timeout: float, cwd: str | None = None,
             limit: int = DEFAULT_OUTPUT_LIMIT) -> ExecResult:
        """Run `cmd` with `bash -c` in `cwd` (default `root`); on timeout its process group is killed."""
        if not self.container_id:
            raise WorkspaceError("The Docker workspace is not started; use it as a context manager.")
        workdir = posixpath.join(self.root, cwd or ".")
        if self.server is None:
            result = run_command(self.client.api, self.container_id, cmd, timeout=timeout, cwd=workdir, user=self.user,
                                 limit=limit)
            if result.timed_out or result.exit_code == -1:
                self._check_alive()
            return result
        started = time.monotonic()
        payload = {"op": "exec", "cmd": cmd, "timeout": timeout, "cwd": workdir, "limit": limit}
        try:
            reply = self._request(payload, timeout + SERVER_GRACE)
        except ServerStuck:
            self._start_server()
            return ExecResult(-1, "", timed_out=True, duration=time.monotonic() - started)
        except ServerGone:
            note = "[the command stopped the workspace's command runner; it has been restarted]\n"
            return ExecResult(-1, note, duration=time.monotonic() - started)
        buffer = HeadTailBuffer(limit)
        buffer.write(decode(reply["head"]))
        buffer.write(decode(reply["tail"]))
        buffer.dropped = reply["dropped"]
        return ExecResult(reply["code"], buffer.text(), reply["timed_out"], time.monotonic() - started)

    def diff(self) -> str:
        """`GitWorkTree.diff`; when the container died, its tree is copied out and the diff taken here."""
        try:
            result = self.exec(f"bash -c {shlex.quote(DIFF_SCRIPT)} diff {self.base_commit}", timeout=300,
                               limit=1 << 40)
        except WorkspaceError:
            return self.files.diff_on_host(self.root, self.base_commit)
        if result.exit_code != 0:
            raise WorkspaceError(f"Taking the diff failed: {result.output.strip()[:500]}")
        return result.output

    def _mkdir(self, directory: str) -> None:
        result = self.exec(f"mkdir -p -- {shlex.quote(directory)}", timeout=30)
        if result.exit_code != 0:
            raise PermissionError(f"{directory}: {result.output.strip()}")

    def _file_request(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A read/write request to the server (retried once if the server had died), errors as exceptions."""
        try:
            reply = self._request(payload, 60)
        except ServerGone:
            reply = self._request(payload, 60)
        except ServerStuck as exc:
            raise WorkspaceError("The workspace's command runner did not answer.") from exc
        if "error" in reply:
            error = FILE_ERRORS.get(reply["error"])
            if error is None:
                raise WorkspaceError(f"The workspace's command runner failed: {reply.get('message')}")
            raise error(reply.get("message") or payload["path"])
        return reply

    def read_file(self, path: str) -> str:
        """The text of a file (UTF-8, undecodable bytes replaced); FileNotFoundError / IsADirectoryError."""
        target = posixpath.join(self.root, path)
        if self.server is not None:
            return decode(self._file_request({"op": "read", "path": target})["data"]).decode("utf-8", "replace")
        quoted = shlex.quote(target)  # without the server: `cat`, as root like the archive API
        result = run_command(self.client.api, self.container_id, f"[ -d {quoted} ] && exit 21; exec cat -- {quoted}",
                             timeout=60, cwd="/", user="0", limit=1 << 40)
        if result.exit_code != 0:
            raise (IsADirectoryError if result.exit_code == 21 else FileNotFoundError)(target)
        return result.output

    def write_file(self, path: str, text: str) -> None:
        """Write a file (parents created), keeping the permission bits of a file it replaces."""
        target = posixpath.join(self.root, path)
        if self.server is None:
            self.files.write(target, text.encode())
            return
        self._file_request({"op": "write", "path": target, "data": base64.b64encode(text.encode()).decode()})
