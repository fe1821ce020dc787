"""The tools' own settings: the `tools` section of a run's config, and what the registry reads of a run's config."""

from __future__ import annotations

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
