"""The tools' own settings: the `tools` section of a run's config, and what the registry binds tools' settings from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import Field

from core.types import StrictModel


class ToolsConfig(StrictModel):
    """The agent-computer interface."""

    enabled: list[str] = Field(
        default_factory=lambda: ["search", "view", "find_symbol", "edit", "insert", "create", "apply_patch", "run",
                                 "submit"]
    )
    """Tools offered to the model, by name."""
    search_max_results: int = Field(default=50, ge=1)
    """Matches shown by `search`; the rest are counted."""
    view_window: int = Field(default=100, ge=10)
    """Lines shown by `view` when no range is given."""
    output_limit: int = Field(default=10_000, ge=500)
    """Characters of command output shown to the model (head and tail kept)."""
    check_syntax: bool = True
    """Reject edits that introduce a syntax error (tree-sitter), showing where."""


class RunSettings(Protocol):
    """What `make_tools` reads of a run's config (agent.config.AgentConfig is one)."""

    tools: ToolsConfig
    limits: Any
    """Has `command_timeout`."""
    planner: Any
    """Has `cache_dir`."""


@dataclass(frozen=True)
class ToolSettings:
    """What tools' settings are bound from: the `tools` section, and the two run settings tools need besides."""

    tools: ToolsConfig
    """The `tools` section."""
    command_timeout: float = 180.0
    """Seconds a single command may run (`limits.command_timeout`)."""
    cache_dir: Path | None = None
    """The repo map's cache folder (`planner.cache_dir`; empty: the default one)."""

    @classmethod
    def of(cls, run: RunSettings) -> ToolSettings:
        """The tools' part of a run's config."""
        return cls(run.tools, run.limits.command_timeout, run.planner.cache_dir)
