"""DockerWorkspace: the repository at its base commit inside a container; every command runs there.

The repository is copied in as a tar stream of a fresh clone (with .git), never bind-mounted. With setup
steps (given, or detected for Python projects) the clone and the steps are baked into an environment image
cached under a content-hash tag, so a second run on the same commit just starts a container. Without a
source directory the image is expected to hold the repository at `root` already (SWE-bench instance images).
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import io
import json
import posixpath
import re
import signal
import subprocess
import tarfile
import tempfile
import threading
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

from agent.config import DockerWorkspaceConfig
from agent.errors import UserError, WorkspaceError
from workspaces import gc
from workspaces.base import DEFAULT_OUTPUT_LIMIT, ExecResult
from workspaces.docker_exec import ExecTarget, run_command
from workspaces.images import DEFAULT_BASE, BuiltImage, ImageRecipe, build_image, connect, ensure_image, tar_bytes
from workspaces.setup_detect import detect_setup

DEFAULT_ROOT = "/workspace/repo"
"""Where the repository lives in the container."""
MODE_DIR, MODE_SYMLINK = 1 << 31, 1 << 27
"""Bits of Go's os.FileMode in Docker's path stat."""

DIFF_SCRIPT = """set -e
idx=$(mktemp); err=$(mktemp); trap 'rm -f "$idx" "$err"' EXIT
cp "$(git rev-parse --git-path index)" "$idx" 2>/dev/null || true
export GIT_INDEX_FILE="$idx"
if ! { git add -A . && git diff --cached --binary --no-color --no-ext-diff --no-renames "$1"; } 2>"$err"; then
  cat "$err"; exit 1
fi
"""
"""`git diff` of the tree (new files included) against $1, through a throw-away index."""

PROBE_SCRIPT = """command -v git >/dev/null || echo nogit
if [ -n "$1" ] && id -u "$1" >/dev/null 2>&1; then echo "ids $(id -u "$1") $(id -g "$1") $1"
else echo "ids $(id -u) $(id -g)"; fi
"""
"""Run as root at start: is git there, and the uid/gid of the configured user (or the default one)."""

_live: dict[str, tuple[Any, str]] = {}
_live_lock = threading.Lock()


def _remove_live_containers() -> None:
    """atexit: remove every container this process still has (runs after Ctrl-C and normal exit alike)."""
    with _live_lock:
        items = list(_live.values())
        _live.clear()
    for api, container_id in items:
        with contextlib.suppress(Exception):  # best effort at exit: the daemon may be gone
            api.remove_container(container_id, force=True, v=True)


atexit.register(_remove_live_containers)


def _exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit (so `with` blocks and atexit clean up), unless someone else handles it."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(SystemExit(128 + signum)))


def resolve_commit(source_dir: Path, commit: str) -> str:
    """The full id of `commit` in the repository at `source_dir`; a UserError when there is none."""
    result = subprocess.run(["git", "-C", str(source_dir), "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise UserError(f"{source_dir} is not a git repository with commit {commit!r}; give a repository and commit.")
    return result.stdout.strip()


def repo_archive(source_dir: Path, commit: str, name: str, uid: int = 0, gid: int = 0) -> io.BufferedRandom:
    """A tar (as a temporary file) of a fresh clone of `source_dir` checked out at `commit`, under `name/`."""
    with tempfile.TemporaryDirectory(prefix="repo-agent-clone-") as tmp:
        clone = Path(tmp) / "repo"
        for cmd in (["clone", "--quiet", "--no-checkout", str(source_dir), str(clone)],
                    ["-C", str(clone), "checkout", "--quiet", "--detach", commit],
                    ["-C", str(clone), "remote", "remove", "origin"]):
            result = subprocess.run(["git", *cmd], capture_output=True, text=True)
            if result.returncode != 0:
                raise WorkspaceError(f"Cloning {source_dir} at {commit} failed: {result.stderr.strip()}")

        def owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.uid, info.gid, info.uname, info.gname = uid, gid, "", ""
            return info

        archive = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
        with tarfile.open(fileobj=archive, mode="w") as tar:
            tar.add(clone, arcname=name, filter=owned)
        archive.seek(0)
        return archive


class DockerWorkspace:
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
        self.image = ""
        """The image the container was started from (the environment image when setup ran)."""
        self.built: BuiltImage | None = None
        """The environment image build (or cache hit), when setup steps were used."""
        self.setup_reason = ""
        """Where the setup steps came from (given, auto-detected as ..., none)."""
        self.target: ExecTarget | None = None
        self.uid = self.gid = 0

    # -- lifecycle ---------------------------------------------------------------------------------------

    def __enter__(self) -> DockerWorkspace:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        """Prepare the image, start the container, put the repository in, and find the user to run as."""
        self.client = self.client or connect()
        if self.source_dir is not None:
            self.base_commit = resolve_commit(self.source_dir, self.base_commit or "HEAD")
        self.image, repo_inside = self._prepare_image()
        try:
            self._create_container()
            self._probe_user()
            if not repo_inside:
                archive = repo_archive(self.source_dir, self.base_commit, posixpath.basename(self.root),
                                       self.uid, self.gid)
                with archive:
                    self._put(posixpath.dirname(self.root), archive)
            elif not self.base_commit:
                self.base_commit = self._git("rev-parse HEAD").strip()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Remove the container (idempotent)."""
        if not self.container_id:
            return
        with _live_lock:
            _live.pop(self.container_id, None)
        try:
            self.client.api.remove_container(self.container_id, force=True, v=True)
        except Exception as exc:  # NotFound when already gone: fine
            if "No such container" not in str(exc) and "404" not in str(exc):
                raise WorkspaceError(f"Could not remove container {self.container_id[:12]}: {exc}") from exc
        self.container_id = ""

    def _setup_steps(self) -> tuple[list[str], dict[str, str], list[str]]:
        """Setup steps, baked env and PATH prefix: the configured ones, else auto-detected (Python only)."""
        if self.config.setup:
            self.setup_reason = "given"
            return list(self.config.setup), {}, []
        if not self.config.auto_setup:
            self.setup_reason = "none (auto-setup off)"
            return [], {}, []
        plan = detect_setup(self.source_dir, self.base_commit)
        if plan.ecosystem:
            raise UserError(f"This looks like a {plan.reason}; automatic setup covers only Python projects: pass "
                            "--setup 'COMMANDS' to install it (or --setup ':' to run without installing anything).")
        self.setup_reason = "auto-detected: " + plan.reason
        return plan.steps, plan.env, plan.path

    def _prepare_image(self) -> tuple[str, bool]:
        """The image to run and whether it holds the repository already."""
        base_name = self.config.image or DEFAULT_BASE
        base = ensure_image(self.client, base_name)
        if self.source_dir is None:
            return base.id, True
        steps, env, path = self._setup_steps()
        if not steps:
            return base.id, False
        base_env = dict(item.split("=", 1) for item in (base.attrs.get("Config") or {}).get("Env") or [] if "=" in item)
        if path:
            env["PATH"] = ":".join([*path, base_env.get("PATH", "/usr/local/bin:/usr/bin:/bin")])
        owner = self.config.user or ""
        chown = f"if id -u {owner} >/dev/null 2>&1; then chown -R {owner}: {posixpath.dirname(self.root)}; fi"
        recipe = ImageRecipe(
            base=base_name, steps=[*steps, *([chown] if owner else [])], env=env, workdir=self.root,
            key_extra=f"repository at {self.base_commit} in {self.root}", network=self.config.build_network,
            archives={posixpath.dirname(self.root): lambda: repo_archive(
                self.source_dir, self.base_commit, posixpath.basename(self.root))},
        )
        self.built = build_image(self.client, recipe, self.log_dir, self.run_id)
        return self.built.name, True

    def _create_container(self) -> None:
        """Create and start the container with the configured limits and labels, and remember it for cleanup."""
        ncpu = self.client.info().get("NCPU") or 1
        container = self.client.containers.create(
            self.image, command=["sleep", "infinity"], name=f"repo-agent-{self.run_id}-{uuid.uuid4().hex[:6]}",
            labels=gc.container_labels("workspace", self.run_id), network_mode=self.config.network,
            nano_cpus=int(min(self.config.cpus, ncpu) * 1e9), mem_limit=self.config.memory,
            memswap_limit=self.config.memory, pids_limit=self.config.pids, init=True, hostname="workspace",
            security_opt=["no-new-privileges"], detach=True,
        )
        self.container_id = container.id
        with _live_lock:
            _live[container.id] = (self.client.api, container.id)
        _exit_on_sigterm()
        container.start()

    def _probe_user(self) -> None:
        """Check the image has git, and choose the user: the configured one where it exists and may write `root`."""
        probe = ExecTarget(self.client.api, self.container_id, user="0", output_limit=DEFAULT_OUTPUT_LIMIT)
        result = run_command(probe, f"bash -c {_quote(PROBE_SCRIPT)} probe {_quote(self.config.user or '')}",
                             timeout=30, cwd="/")
        ids = next((line.split()[1:] for line in result.output.splitlines() if line.startswith("ids ")), None)
        if result.exit_code != 0 or not ids:
            raise UserError(f"Image {self.image[:40]} cannot run bash commands ({result.output.strip()[:200]}); "
                            "use an image with bash, e.g. one from `agent images build-base`.")
        if "nogit" in result.output.split():
            raise UserError("The workspace image has no git; add its installation to --setup or use an image with git.")
        self.uid, self.gid, name = int(ids[0]), int(ids[1]), (ids[2] if len(ids) > 2 else "")
        self.target = ExecTarget(self.client.api, self.container_id, user=name, output_limit=DEFAULT_OUTPUT_LIMIT)
        if name and self.source_dir is None and self.exec(f"test -w {_quote(self.root)}", timeout=30).exit_code != 0:
            self.uid, self.gid = 0, 0
            self.target.user = "0"

    # -- commands ----------------------------------------------------------------------------------------

    def exec(self, cmd: str, *, timeout: float, cwd: str | None = None) -> ExecResult:
        """Run `cmd` with `bash -c` in `cwd` (default `root`); on timeout the process group is killed."""
        if self.target is None:
            raise WorkspaceError("The Docker workspace is not started; use it as a context manager.")
        result = run_command(self.target, cmd, timeout=timeout, cwd=self._abs(cwd or "."))
        if result.timed_out or result.exit_code in (137, -1):
            self._check_alive()
        return result

    def _check_alive(self) -> None:
        """Raise WorkspaceError when the container is no longer running (killed, out of memory)."""
        try:
            state = self.client.api.inspect_container(self.container_id)["State"]
        except Exception as exc:
            raise WorkspaceError("The workspace container disappeared during the run.") from exc
        if not state.get("Running"):
            why = "it ran out of memory" if state.get("OOMKilled") else f"exit code {state.get('ExitCode')}"
            raise WorkspaceError(f"The workspace container stopped during the run ({why}).")

    def _git(self, args: str, *, timeout: float = 120) -> str:
        """Run git in `root`, raising WorkspaceError when it fails; returns the full output."""
        result = self.exec(f"git {args}", timeout=timeout)
        if result.exit_code != 0:
            raise WorkspaceError(f"git {args.split()[0]} failed in the workspace: {result.output.strip()[:500]}")
        return result.output

    def diff(self) -> str:
        """`git diff` against the base commit, new files included, binary-safe ("" when nothing changed)."""
        full = ExecTarget(self.client.api, self.container_id, user=self.target.user, output_limit=1 << 40)
        result = run_command(full, f"bash -c {_quote(DIFF_SCRIPT)} diff {self.base_commit}", timeout=300,
                             cwd=self.root)
        if result.exit_code != 0:
            self._check_alive()
            raise WorkspaceError(f"Taking the diff failed: {result.output.strip()[:500]}")
        return result.output

    def reset(self) -> None:
        """Back to the base commit: tracked changes reverted, untracked (not ignored) files removed."""
        self._git(f"reset --quiet --hard {self.base_commit} && git clean -fdq")

    # -- files -------------------------------------------------------------------------------------------

    def _abs(self, path: str) -> str:
        """An absolute container path: relative paths are taken from `root`."""
        return posixpath.normpath(posixpath.join(self.root, path))

    def _stat(self, path: str) -> dict[str, Any] | None:
        """Docker's stat of a container path (name, size, mode, linkTarget), None when missing."""
        api = self.client.api
        response = api.head(api._url("/containers/{0}/archive", self.container_id), params={"path": path})
        if response.status_code == 404:
            return None
        api._raise_for_status(response)
        return json.loads(base64.b64decode(response.headers["X-Docker-Container-Path-Stat"]))

    def read_file(self, path: str) -> str:
        """The text of a file (UTF-8, undecodable bytes replaced); FileNotFoundError / IsADirectoryError."""
        import docker

        target = self._abs(path)
        for _ in range(10):  # follow symlinks
            try:
                stream, stat = self.client.api.get_archive(self.container_id, target)
            except docker.errors.NotFound as exc:
                raise FileNotFoundError(path) from exc
            if stat["mode"] & MODE_DIR:
                stream.close()
                raise IsADirectoryError(path)
            data = b"".join(stream)
            if not stat["mode"] & MODE_SYMLINK:
                with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                    member = tar.next()
                    extracted = tar.extractfile(member) if member is not None else None
                    return extracted.read().decode("utf-8", "replace") if extracted else ""
            link = stat.get("linkTarget") or ""
            target = posixpath.normpath(posixpath.join(posixpath.dirname(target), link))
        raise FileNotFoundError(f"{path} (too many symbolic links)")

    def write_file(self, path: str, text: str) -> None:
        """Write a file (parents created), keeping the permission bits of a file it replaces."""
        target = self._abs(path)
        stat = self._stat(target)
        mode = 0o644
        if stat is not None:
            if stat["mode"] & MODE_DIR:
                raise IsADirectoryError(path)
            mode = stat["mode"] & 0o7777 or 0o644
        elif self._stat(posixpath.dirname(target)) is None:
            result = self.exec(f"mkdir -p -- {_quote(posixpath.dirname(target))}", timeout=30)
            if result.exit_code != 0:
                raise PermissionError(f"{path}: {result.output.strip()}")
        data = tar_bytes({posixpath.basename(target): text.encode()}, uid=self.uid, gid=self.gid, mode=mode)
        self._put(posixpath.dirname(target), data)

    def _put(self, directory: str, data: Any) -> None:
        """Unpack a tar (bytes or file) into `directory` of the container."""
        import docker

        try:
            self.client.api.put_archive(self.container_id, directory, data)
        except docker.errors.NotFound as exc:
            raise FileNotFoundError(directory) from exc
        except docker.errors.APIError as exc:
            self._check_alive()
            raise WorkspaceError(f"Copying into the container failed: {exc.explanation or exc}") from exc


def _quote(text: str) -> str:
    """Quote for bash."""
    import shlex

    return shlex.quote(text)
