"""Shared by the Docker tests: when to skip, a client, the base image, and small repositories.

Docker tests skip only when CI is unset and no daemon is reachable; in CI they must run.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import GIT_IDENTITY, write_tree
from workspaces.images import daemon_reachable
from workspaces.settings import DockerWorkspaceConfig

requires_docker = [
    pytest.mark.docker,
    pytest.mark.skipif(not os.environ.get("CI") and not daemon_reachable(),
                       reason="no Docker daemon is reachable at " + os.environ.get("DOCKER_HOST", "the local socket")
                       + " (start dockerd to run these tests; in CI they run)"),
    pytest.mark.usefixtures("images_built_here_are_removed"),
]
"""`pytestmark = requires_docker` in a module of Docker tests: skipped at once outside CI without a daemon, and
the images the module builds are removed after it (tests/conftest.py)."""


@pytest.fixture(scope="session")
def docker_client():
    """A docker SDK client."""
    from workspaces.images import connect

    return connect()


@pytest.fixture(scope="session")
def base_image(docker_client) -> str:
    """The local base image (built by .ci/run); outside CI its absence skips the test."""
    import docker

    from workspaces.images import DEFAULT_BASE

    try:
        docker_client.images.get(DEFAULT_BASE)
    except docker.errors.ImageNotFound:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"the base image {DEFAULT_BASE} is not built (README command 1 builds it, or "
                    "`agent images build-base`)")
    return DEFAULT_BASE


def plain_config(**overrides) -> DockerWorkspaceConfig:
    """A workspace config without auto-setup (quick to start), with overrides."""
    return DockerWorkspaceConfig(auto_setup=False, **overrides)


def git_repo(root: Path, files: dict[str, str], modes: dict[str, int] | None = None) -> Path:
    """A git repository at `root` with `files` committed (and file modes applied)."""
    root.mkdir(parents=True)
    env = {**os.environ, **GIT_IDENTITY}
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=env)
    write_tree(root, files)
    for name, mode in (modes or {}).items():
        (root / name).chmod(mode)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "initial"], cwd=root, check=True, env=env)
    return root


def tree_state(root: Path) -> tuple[str, str, list[str]]:
    """HEAD, `git status --porcelain` and the file listing of a checkout, to show it did not change."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout
    status = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=root, capture_output=True,
                            text=True).stdout
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".git" not in p.parts)
    return head, status, files


def check_file_contract(ws, missing: str, directory: str, new_file: str) -> None:
    """Missing files and directories raise as the contract says; new files get parents and the workspace user."""
    with pytest.raises(FileNotFoundError):
        ws.read_file(missing)
    with pytest.raises(IsADirectoryError):
        ws.read_file(directory)
    ws.write_file(new_file, "x = 'é'\n")
    assert ws.read_file(new_file) == "x = 'é'\n"
    assert ws.exec(f"stat -c %U {new_file}", timeout=30).output.strip() == "agent"
