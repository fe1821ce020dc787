"""Docker images for workspaces: engine access, lookup, and derived images (base + steps run in a build container,
then committed) under content-hash tags. Builds get the host's CA bundle (the package index's proxy presents it)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from core.errors import UserError, WorkspaceError
from workspaces import gc

BASE_REPOSITORY = "repo-agent/base"
"""Repository of the locally built Debian base images; the tag is the suite."""
DEFAULT_BASE = f"{BASE_REPOSITORY}:bookworm"
"""The image a Docker workspace starts from when none is configured."""
ENV_REPOSITORY = "repo-agent/env"
"""Repository of derived (environment) images; the tag is a content hash."""
CA_IN_CONTAINER = "/tmp/.repo-agent-ca.crt"
"""Where the host CA bundle is copied into a build container (removed before the commit)."""
CA_ENV_VARS = ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO",
               "NODE_EXTRA_CA_CERTS")
"""Variables pointed at the copied CA bundle while build steps run."""


class ImageBuildError(UserError):
    """A build step failed; the message names the log that shows why."""

    def __init__(self, text: str, log_path: Path | None = None):
        super().__init__(text)
        self.log_path = log_path


def connect(timeout: float = 3600, ping_timeout: float = 10) -> Any:
    """A docker SDK client for the engine in the environment (DOCKER_HOST or the local socket), checked with a ping;
    `timeout` bounds each socket read (image builds stream logs of steps that can be silent for long)."""
    import docker

    try:
        client = docker.from_env(timeout=int(ping_timeout))
        client.ping()
    except Exception as exc:  # docker raises DockerException, requests errors or FileNotFoundError
        raise UserError(
            "No Docker engine is reachable (" + str(exc).splitlines()[0][:120] + "); start it (`sudo dockerd &` or "
            "`sudo systemctl start docker`) or use `--workspace local`."
        ) from exc
    client.api.timeout = int(timeout)
    return client


def daemon_reachable(timeout: float = 5) -> bool:
    """True when a Docker engine answers a ping (for choosing a fallback; `connect` explains failures)."""
    try:
        import docker

        docker.from_env(timeout=int(timeout)).ping()
        return True
    except Exception:
        return False


def cache_dir() -> Path:
    """Build logs and clones: $REPO_AGENT_CACHE, else $XDG_CACHE_HOME/repo-agent, else ~/.cache/repo-agent."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("REPO_AGENT_CACHE") or Path(base) / "repo-agent")


def host_ca_bundle() -> Path | None:
    """The host's CA bundle file, if there is one (SSL_CERT_FILE / REQUESTS_CA_BUNDLE, then Debian's and Red Hat's)."""
    candidates = [os.environ.get("SSL_CERT_FILE"), os.environ.get("REQUESTS_CA_BUNDLE"),
                  "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]
    return next((Path(candidate) for candidate in candidates if candidate and Path(candidate).is_file()), None)


def find_image(client: Any, name: str) -> Any:
    """The image `name` on this machine, or None."""
    import docker

    try:
        return client.images.get(name)
    except docker.errors.ImageNotFound:
        return None


def ensure_image(client: Any, name: str) -> Any:
    """The image `name`, pulled if it is not local and a registry is reachable; else a UserError saying what to do."""
    import docker

    if (image := find_image(client, name)) is not None:
        return image
    if name.startswith(BASE_REPOSITORY + ":"):
        suite = name.split(":", 1)[1]
        raise UserError(f"Image {name} is not built yet: run `agent images build-base --suite {suite}` (minutes).")
    if name.startswith("repo-agent/"):
        raise UserError(f"Image {name} does not exist; repo-agent images are only built locally.")
    try:
        return client.images.pull(name)
    except docker.errors.APIError as exc:
        raise UserError(
            f"Image {name} is not available locally and could not be pulled ({exc.explanation or exc}); "
            "build the base image with `agent images build-base` or give an image that exists."
        ) from exc


def tar_bytes(files: dict[str, bytes], *, uid: int = 0, gid: int = 0, mode: int = 0o644) -> bytes:
    """A tar archive of `files` (path inside the archive -> content), owned by uid:gid."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name.lstrip("/"))
            info.size, info.mode, info.uid, info.gid, info.mtime = len(data), mode, uid, gid, int(time.time())
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@dataclass
class ImageRecipe:
    """What a derived image is made of; its tag is a hash of all of it (and of the base image's id)."""

    base: str
    """Image to start from (name or id)."""
    steps: list[str]
    """Shell commands run in order by bash with `set -e`, as root, in `workdir`."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Files to put into the image before the steps run: absolute path -> content (hashed)."""
    archives: dict[str, Callable[[], bytes | IO[bytes]]] = field(default_factory=dict)
    """Directory -> function producing a tar to unpack there before the steps; not hashed (describe it in key_extra)."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment variables set while the steps run and baked into the image."""
    workdir: str = "/"
    """Working directory of the steps."""
    key_extra: str = ""
    """Anything else the result depends on (e.g. the repository and commit the archives hold)."""
    repository: str = ENV_REPOSITORY
    """Repository of the resulting image; its tag is the hash."""
    network: str = "bridge"
    """Network mode while building (steps that install packages need one)."""
    timeout: float = 3600.0
    """Seconds the steps may take together."""

    def key(self, base_id: str) -> str:
        """The content hash of this recipe on top of the base image with id `base_id`."""
        payload = {
            "base": base_id, "steps": self.steps, "env": self.env, "workdir": self.workdir, "extra": self.key_extra,
            "files": {path: hashlib.sha256(data).hexdigest() for path, data in sorted(self.files.items())},
            "archives": sorted(self.archives),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass
class BuiltImage:
    """The result of `build_image` (and of `build_base`, whose log is the debootstrap log)."""

    name: str
    """`repository:hash` of the image."""
    cached: bool
    """True when an image with this hash already existed and nothing was built."""
    log_path: Path | None
    """The build log (None when cached)."""
    seconds: float
    """How long the lookup or build took."""


def build_script(steps: list[str], with_ca: bool) -> str:
    """The bash script a build container runs: CA variables, each step announced, run and timed, the CA file removed."""
    lines = ["set -e"]
    if with_ca:
        lines.append("export " + " ".join(f"{var}={CA_IN_CONTAINER}" for var in CA_ENV_VARS))
        lines.append(f"trap 'rm -f {CA_IN_CONTAINER}' EXIT")
    for number, step in enumerate(steps, 1):
        lines.append(f"echo {json.dumps(f'### step {number}: {step}')}")
        lines.append(step)
        lines.append(f'echo "### step {number} done at ${{SECONDS}}s"')
    return "\n".join(lines) + "\n"


def build_image(client: Any, recipe: ImageRecipe, log_dir: Path | None = None, run_id: str = "") -> BuiltImage:
    """The derived image of `recipe`: reused when its hash tag exists, else built (steps in a container, committed)."""
    started = time.monotonic()
    base = ensure_image(client, recipe.base)
    key = recipe.key(base.id)
    name = f"{recipe.repository}:{key[:16]}"
    if find_image(client, name) is not None:
        return BuiltImage(name, True, None, time.monotonic() - started)
    log_path = (log_dir or cache_dir() / "logs") / f"build-{key[:16]}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    container = _create_build_container(client, base, recipe, run_id or uuid.uuid4().hex[:12])
    try:
        _run_build(container, recipe, log_path)
        config = base.attrs.get("Config") or {}
        env = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
        env.update(recipe.env)
        labels = {gc.LABEL: "1", gc.KIND: "env", gc.CACHE_KEY: key, "repo-agent.base": recipe.base, gc.RUN_ID: "",
                  gc.OWNER: ""}
        conf = {"Env": [f"{k}={v}" for k, v in env.items()], "Labels": labels, "Cmd": config.get("Cmd") or ["bash"],
                "WorkingDir": config.get("WorkingDir") or "", "User": config.get("User") or ""}
        repository, tag = name.split(":")
        container.commit(repository=repository, tag=tag, conf=conf, pause=False)
    finally:
        container.remove(force=True)
    return BuiltImage(name, False, log_path, time.monotonic() - started)


def _create_build_container(client: Any, base: Any, recipe: ImageRecipe, run_id: str) -> Any:
    """Create (not start) the build container with the recipe's files, archives and the host CA bundle in place."""
    ca = host_ca_bundle()
    container = client.containers.create(
        base.id, command=["bash", "-c", build_script(recipe.steps, ca is not None)], user="root",
        working_dir=recipe.workdir, environment=recipe.env, network_mode=recipe.network,
        labels=gc.container_labels("build", run_id), init=True,
    )
    try:
        files = dict(recipe.files)
        if ca is not None:
            files[CA_IN_CONTAINER] = ca.read_bytes()
        if files:
            container.put_archive("/", tar_bytes(files))
        for directory, produce in recipe.archives.items():
            data = produce()
            try:
                container.put_archive(directory, data)
            finally:
                if hasattr(data, "close"):
                    data.close()
    except BaseException:
        container.remove(force=True)
        raise
    return container


def failed_step(log_path: Path) -> str:
    """`step N` (the last one a build log announces, with the start of its command), or `the start`."""
    announced = [line for line in log_path.read_text(errors="replace").splitlines()
                 if line.startswith("### step ") and " done at " not in line]
    if not announced:
        return "the start"
    number, _, command = announced[-1][len("### step "):].partition(": ")
    return f"step {number} ({command[:60]}{'…' if len(command) > 60 else ''})"


def _run_build(container: Any, recipe: ImageRecipe, log_path: Path) -> None:
    """Start the build container, copy its output to `log_path`, and raise ImageBuildError unless it exits 0."""
    container.start()
    deadline = time.monotonic() + recipe.timeout
    with log_path.open("wb") as log:
        for chunk in container.logs(stream=True, follow=True):
            log.write(chunk)
            if time.monotonic() > deadline:
                container.kill()
                raise ImageBuildError(f"Image build timed out after {recipe.timeout:.0f} s; see {log_path}.", log_path)
    status = container.wait(timeout=max(1.0, deadline - time.monotonic()))
    if status.get("StatusCode") != 0:
        raise ImageBuildError(
            f"Setting up the image failed at {failed_step(log_path)} (exit {status.get('StatusCode')}); see {log_path} "
            "and fix the setup steps.", log_path)
    state = container.attrs.get("State", {})
    if state.get("OOMKilled"):
        raise WorkspaceError(f"The image build ran out of memory; see {log_path}.")
