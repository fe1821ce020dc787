"""The string registry of tools: a name -> a factory that builds the tool from its settings (ToolSettings).

Built-in tools are listed in TOOL_FACTORIES as "module:function" strings, imported only when
used. Another module adds a tool by one line there, or at run time with `register_tool`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from core.errors import UserError
from tools.base import Tool
from tools.settings import RunSettings, ToolSettings

ToolFactory = Callable[[ToolSettings], Tool]
"""Builds a tool, binding its settings (caps, windows, timeouts)."""

TOOL_FACTORIES: dict[str, str] = {
    "search": "tools.search:make_tool",
    "view": "tools.view:make_tool",
    "edit": "tools.edit:make_edit",
    "insert": "tools.edit:make_insert",
    "create": "tools.edit:make_create",
    "apply_patch": "tools.apply_patch:make_tool",
    "run": "tools.run:make_tool",
    "submit": "tools.submit:make_tool",
    "find_symbol": "tools.find_symbol:make_tool",
}
"""Built-in tools: name -> "module:factory"."""

_registered: dict[str, ToolFactory] = {}


def register_tool(name: str, factory: ToolFactory | str) -> None:
    """Make a tool known under `name`: a factory, or a "module:function" string naming one."""
    if isinstance(factory, str):
        TOOL_FACTORIES[name] = factory
        _registered.pop(name, None)
    else:
        _registered[name] = factory


def known_tools() -> list[str]:
    """Every tool name that `tools.enabled` may list, sorted."""
    return sorted(set(TOOL_FACTORIES) | set(_registered))


def tool_factory(name: str) -> ToolFactory:
    """The factory registered under `name`; UserError listing the known names when there is none."""
    if name in _registered:
        return _registered[name]
    if name not in TOOL_FACTORIES:
        raise UserError(f"Unknown tool {name!r} in tools.enabled; known tools are: {', '.join(known_tools())}.")
    module_name, _, attribute = TOOL_FACTORIES[name].partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def make_tools(config: RunSettings) -> dict[str, Tool]:
    """The tools named in `config.tools.enabled`, in that order, built with the run's settings."""
    tools: dict[str, Tool] = {}
    settings = ToolSettings.of(config)
    for name in config.tools.enabled:
        if name in tools:
            continue
        tool = tool_factory(name)(settings)
        if tool.name != name:
            raise TypeError(f"the factory registered as {name!r} built a tool named {tool.name!r}")
        tools[name] = tool
    return tools
