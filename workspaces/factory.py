"""Build the workspace a config asks for (string registry on `workspace.type`)."""

from __future__ import annotations

from agent.config import AgentConfig
from agent.repo import RepoSource
from workspaces.base import Workspace


def make_workspace(config: AgentConfig, repo: RepoSource, run_id: str | None = None) -> Workspace:
    """A workspace (not yet entered) holding `repo` at its base commit."""
    settings = config.workspace
    if settings.type == "local":
        from workspaces.local import LocalWorkspace

        return LocalWorkspace(repo.path, repo.commit, keep=settings.keep)
    from workspaces.docker import DockerWorkspace

    return DockerWorkspace(settings, repo.path, repo.commit, run_id=run_id)
