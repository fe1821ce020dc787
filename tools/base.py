"""The Tool seam: a named function with a JSON-schema spec, run against a workspace."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from core.types import Observation, ToolSpec
from workspaces.base import Workspace


@runtime_checkable
class Tool(Protocol):
    """One action the model can take; it reaches the repository only through the `Workspace`. A problem the model
    can fix (bad path, no match, new syntax error) is an `Observation` with `error=True`; only infrastructure
    failures raise (`WorkspaceError`); `submit` raises `Submitted`."""

    name: str
    """The name the model calls the tool by."""
    spec: ToolSpec
    """Name, description and JSON schema of the arguments, generated from the signature."""

    def __call__(self, ws: Workspace, **args: Any) -> Observation: ...
