"""Turn a plain function into a Tool: the spec comes from its signature, settings are bound from config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.types import Observation
from tools.schema import setting_names, spec_from_function
from workspaces.base import Workspace


class ToolError(Exception):
    """A problem the model can fix (bad path, no match, syntax error introduced): becomes an error Observation."""

    def __init__(self, message: str, data: dict[str, Any] | None = None):
        super().__init__(message)
        self.data = data or {}


def observe(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Observation:
    """Call `fn`: text it returns becomes an Observation, a ToolError an error Observation."""
    try:
        result = fn(*args, **kwargs)
    except ToolError as exc:
        return Observation(output=str(exc), error=True, data=exc.data)
    return result if isinstance(result, Observation) else Observation(output=str(result))


class FunctionTool:
    """A Tool made from `fn(ws, <model arguments>, *, <settings>)`; `settings` fills the keyword-only parameters,
    which the model never sees. `fn` returns text or an Observation; a `ToolError` becomes an error Observation."""

    def __init__(self, fn: Callable[..., Any], *, name: str | None = None, settings: dict[str, Any] | None = None):
        self.fn = fn
        self.name = name or fn.__name__
        self.settings = dict(settings or {})
        unknown = set(self.settings) - setting_names(fn)
        if unknown:
            raise TypeError(f"{fn.__name__} has no keyword-only settings {sorted(unknown)}")
        self.spec = spec_from_function(fn, name=self.name)

    def __call__(self, ws: Workspace, **args: Any) -> Observation:
        """Run the function; text becomes an Observation, a ToolError an error Observation."""
        return observe(self.fn, ws, **args, **self.settings)

    def __repr__(self) -> str:
        return f"FunctionTool({self.name!r}, settings={self.settings!r})"
