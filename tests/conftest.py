"""Fixtures shared by every test: small git repositories built on the fly, and a session check that the tests
leave nothing behind (no repo-agent images or containers, no files in the real cache folders)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a fixed identity and return its stdout."""
    env = {**os.environ, **GIT_IDENTITY}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Write `files` (path -> text) below `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Factory: `make_repo({"a.py": "..."}, name="repo")` -> a git repository with one commit."""

    def factory(files: dict[str, str], name: str = "repo") -> Path:
        root = tmp_path / name
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        write_tree(root, files)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
        return root

    return factory


BUGGY_CALC = {
    "calc.py": 'def add(a, b):\n    """Return the sum of a and b."""\n    return a - b\n\n\n'
    "def mul(a, b):\n    return a * b\n",
    "test_calc.py": "from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
    "def test_mul():\n    assert mul(2, 3) == 6\n",
    "README.md": "# calc\n",
}
"""A tiny repository with one bug (add subtracts) and tests that show it."""


@pytest.fixture
def calc_repo(make_repo: Callable[..., Path]) -> Path:
    """The buggy calculator repository."""
    return make_repo(BUGGY_CALC, name="calc")


def real_cache_folders() -> list[Path]:
    """The cache folders repo-agent writes to outside the tests: ~/.cache/repo-agent, and $XDG_CACHE_HOME/repo-agent
    and $REPO_AGENT_CACHE when they are set."""
    folders = {Path.home() / ".cache" / "repo-agent"}
    if os.environ.get("XDG_CACHE_HOME"):
        folders.add(Path(os.environ["XDG_CACHE_HOME"]) / "repo-agent")
    if os.environ.get("REPO_AGENT_CACHE"):
        folders.add(Path(os.environ["REPO_AGENT_CACHE"]))
    return sorted(folders)


def files_under(folders: list[Path]) -> dict[str, int]:
    """Every file and folder below `folders` -> its modification time (ns); folders' own times are left out."""
    found: dict[str, int] = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            found.update({os.path.join(root, name): 0 for name in dirs})
            for name in files:
                path = os.path.join(root, name)
                with contextlib.suppress(FileNotFoundError):  # removed while we walk
                    found[path] = os.lstat(path).st_mtime_ns
    return found


def docker_objects() -> dict[str, str] | None:
    """repo-agent's images and containers on the daemon (id -> description), None when no daemon answers.

    Images carry the `repo-agent` label or a `repo-agent/` tag; containers the label. Containers of another live
    process (another test session on this machine) are not ours and are left out.
    """
    from workspaces import gc
    from workspaces.images import daemon_reachable

    if not daemon_reachable(timeout=3):
        return None
    import docker

    client = docker.from_env(timeout=30)
    me = gc.owner_id()
    found = {}
    for image in client.images.list(all=True):
        labels, tags = image.labels or {}, image.tags or []
        if gc.LABEL in labels or any(tag.startswith("repo-agent/") for tag in tags):
            kind = labels.get(gc.KIND, "?")
            found[image.id] = f"{kind} image {', '.join(tags) or image.short_id}"
    for container in client.containers.list(all=True, filters={"label": gc.LABEL}):
        owner = (container.labels or {}).get(gc.OWNER, "")
        if owner == me or gc.owner_alive(owner) is not True:
            found[container.id] = f"container {container.name} of image {container.attrs['Config']['Image']}"
    return found


def built_images(client) -> list[str]:
    """Ids of the images repo-agent builds (labelled, not base images) on the daemon of `client`, newest first
    (instance images before the environment images they are built on)."""
    from workspaces import gc

    images = [image for image in client.images.list(filters={"label": gc.LABEL})
              if (image.labels or {}).get(gc.KIND) != "base"]
    return [image.id for image in sorted(images, key=lambda image: image.attrs.get("Created", ""), reverse=True)]


DOCKER_TURN = Path(tempfile.gettempdir()) / "repo-agent-docker-tests.lock"
"""Locked while a module of Docker tests runs: test sessions sharing a daemon take turns."""


@contextlib.contextmanager
def docker_turn() -> Iterator[None]:
    """This session's turn on the daemon. Images are named by content hash, so two sessions build the same
    names; taking turns, each removes only what it built and finds only what it left."""
    with DOCKER_TURN.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def images_built_here_are_removed() -> Iterator[None]:
    """Removes, after a module of Docker tests, the images its tests built (environment and instance images);
    the base images, and images that existed before, stay. `requires_docker` brings it to every Docker test."""
    from workspaces.images import daemon_reachable

    if not daemon_reachable(timeout=3):
        yield
        return
    import docker

    client = docker.from_env(timeout=60)
    with docker_turn():
        before = set(built_images(client))
        yield
        for image_id in [image_id for image_id in built_images(client) if image_id not in before]:
            with contextlib.suppress(docker.errors.NotFound):
                client.images.remove(image_id, force=True)


def leftovers(before_files: dict[str, int], after_files: dict[str, int], before_docker: dict[str, str] | None,
              after_docker: dict[str, str] | None) -> list[str]:
    """What the session added or changed: files in the real cache folders, images and containers; and base
    images it removed (those are the user's, built by `agent images build-base`)."""
    found = [f"file {path}" for path, stamp in sorted(after_files.items()) if before_files.get(path) != stamp]
    if before_docker is not None and after_docker is not None:
        found += [what for key, what in sorted(after_docker.items()) if key not in before_docker]
        found += [f"removed the {what}" for key, what in sorted(before_docker.items())
                  if key not in after_docker and what.startswith("base image")]
    return found


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fails the session when the tests left repo-agent images or containers on the Docker daemon, removed a base
    image, or wrote into the real cache folders. Caches point into a temporary folder while the tests run."""
    folders = real_cache_folders()
    with docker_turn():
        files, objects = files_under(folders), docker_objects()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        patch.delenv("REPO_AGENT_CACHE", raising=False)
        yield
    with docker_turn():
        left = leftovers(files, files_under(folders), objects, docker_objects() if objects is not None else None)
    if left:
        pytest.fail(f"The tests left {len(left)} thing(s) behind:\n  " + "\n  ".join(left[:40]), pytrace=False)
