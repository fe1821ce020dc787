"""Build the workspace a config's `workspace` section asks for (string registry on its `type`)."""

from __future__ import annotations

from pathlib import Path

from workspaces.base import Workspace
from workspaces.settings import WorkspaceConfig


def make_workspace(settings: WorkspaceConfig, path: Path, commit: str, run_id: str | None = None) -> Workspace:
    """A workspace (not yet entered) holding the repository at `path` at `commit`."""
    if settings.type == "local":
        from workspaces.local import LocalWorkspace

        return LocalWorkspace(path, commit, keep=settings.keep)
    from workspaces.docker import DockerWorkspace

    return DockerWorkspace(settings, path, commit, run_id=run_id)
