"""The string registry of tools: name -> "module:function", imported when used; a tool function's keyword-only
parameters are its settings, filled by name from `setting_values`."""

from __future__ import annotations

import importlib
from typing import Any

from core.errors import UserError
from tools.base import Tool
from tools.function_tool import FunctionTool
from tools.schema import setting_names
from tools.settings import RunSettings

TOOL_FUNCTIONS: dict[str, str] = {
    "search": "tools.search:search",
    "view": "tools.view:view",
    "edit": "tools.edit:edit",
    "insert": "tools.edit:insert",
    "create": "tools.edit:create",
    "apply_patch": "tools.apply_patch:apply_patch",
    "run": "tools.run:run",
    "submit": "tools.submit:submit",
    "find_symbol": "tools.find_symbol:find_symbol",
}
"""Built-in tools: name -> "module:function"."""


def setting_values(config: RunSettings) -> dict[str, Any]:
    """Every setting a tool function may take, by keyword-only parameter name (caps, windows, timeouts), from the
    `tools` section, `limits.command_timeout` and `planner.cache_dir` (the repo map's cache; empty: the default)."""
    tools, timeout, cache = config.tools, config.limits.command_timeout, config.planner.cache_dir
    return {"max_results": tools.search_max_results, "timeout": timeout, "max_timeout": timeout,
            "window": tools.view_window, "output_limit": tools.output_limit, "check_syntax": tools.check_syntax,
            "cache_dir": str(cache) if cache else None}


def make_tool(name: str, config: RunSettings) -> FunctionTool:
    """The tool `name`, settings bound; UserError listing known names if none, TypeError if its function is misnamed."""
    if name not in TOOL_FUNCTIONS:
        known = ", ".join(sorted(TOOL_FUNCTIONS))
        raise UserError(f"Unknown tool {name!r} in tools.enabled; known tools are: {known}.")
    module_name, _, attribute = TOOL_FUNCTIONS[name].partition(":")
    fn = getattr(importlib.import_module(module_name), attribute)
    if fn.__name__ != name:
        raise TypeError(f"the function registered as {name!r} builds a tool named {fn.__name__!r}")
    names = setting_names(fn)
    return FunctionTool(fn, settings={k: v for k, v in setting_values(config).items() if k in names})


def make_tools(config: RunSettings) -> dict[str, Tool]:
    """The tools named in `config.tools.enabled`, in that order, built with the run's settings."""
    return {name: make_tool(name, config) for name in dict.fromkeys(config.tools.enabled)}
