"""The workspaces' own settings (the `workspace` section of a run's config)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from core.types import StrictModel


class LocalWorkspaceConfig(StrictModel):
    """A fresh clone of the repository in a temporary directory on this machine."""

    type: Literal["local"] = "local"
    """Selects the local workspace."""
    keep: bool = False
    """Keep the temporary clone after the run (for debugging)."""


class DockerWorkspaceConfig(StrictModel):
    """The repository inside a Docker container (see the Docker workspaces issue)."""

    type: Literal["docker"] = "docker"
    """Selects the Docker workspace."""
    image: str | None = None
    """Image to start from; empty means the locally built base image."""
    setup: list[str] = Field(default_factory=list)
    """Commands baked into a derived, cached image (install the project and its test dependencies)."""
    network: str = "none"
    """Docker network mode for agent commands; `none` cuts the container off."""
    cpus: float = Field(default=2.0, gt=0)
    """CPU limit of the container."""
    memory: str = "4g"
    """Memory limit of the container (Docker notation)."""
    pids: int = Field(default=512, ge=16)
    """Maximum number of processes in the container."""
    user: str | None = "agent"
    """User that runs commands, where the image has it; empty runs as the image's default user."""
    auto_setup: bool = True
    """With no `setup`, detect it (Python projects get a virtualenv with the project installed)."""
    build_network: str = "bridge"
    """Docker network mode while setup steps are baked into the image (installing packages needs one)."""


WorkspaceConfig = Annotated[LocalWorkspaceConfig | DockerWorkspaceConfig, Field(discriminator="type")]
"""`workspace`: one of the kinds above, chosen by its `type`."""
