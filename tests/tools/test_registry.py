"""The tool registry: config-driven construction, unknown names, registration by other modules."""

from __future__ import annotations

import pytest

from agent.config import load_config
from core.errors import UserError
from core.types import Observation
from tools import registry
from tools.base import Tool
from tools.registry import make_tools


def test_default_config_builds_every_enabled_tool_in_order() -> None:
    config = load_config()
    tools = make_tools(config)
    assert list(tools) == config.tools.enabled
    assert {"search", "view", "edit", "insert", "create", "apply_patch", "run", "submit"} <= set(tools)
    for name, tool in tools.items():
        assert isinstance(tool, Tool) and tool.name == name


def test_settings_come_from_config() -> None:
    config = load_config(["tools.search_max_results=7", "tools.view_window=33", "limits.command_timeout=9",
                          "tools.output_limit=1234", "tools.check_syntax=false"])
    tools = make_tools(config)
    assert tools["search"].settings["max_results"] == 7
    assert tools["view"].settings == {"window": 33, "output_limit": 1234}
    assert tools["run"].settings == {"max_timeout": 9, "output_limit": 1234}
    assert tools["edit"].settings == {"check_syntax": False}


def test_subset_and_duplicates() -> None:
    tools = make_tools(load_config(["tools.enabled=[view, submit, view]"]))
    assert list(tools) == ["view", "submit"]


def test_unknown_tool_is_a_user_error_listing_the_known_ones() -> None:
    with pytest.raises(UserError) as info:
        make_tools(load_config(["tools.enabled=[view, teleport]"]))
    message = str(info.value)
    assert "'teleport'" in message and "apply_patch" in message and "view" in message


def shout(ws, text: str) -> str:
    """Say it louder.

    Args:
        text: What to say.
    """
    return text.upper()


def test_other_modules_can_add_tools(monkeypatch, calc_ws) -> None:
    monkeypatch.setitem(registry.TOOL_FUNCTIONS, "shout", "tests.tools.test_registry:shout")
    tools = make_tools(load_config(["tools.enabled=[shout]"]))
    assert tools["shout"](calc_ws, text="hi") == Observation(output="HI")


def test_a_function_must_be_named_as_the_tool_it_is_registered_as(monkeypatch) -> None:
    monkeypatch.setitem(registry.TOOL_FUNCTIONS, "alias", "tests.tools.test_registry:shout")
    with pytest.raises(TypeError):
        make_tools(load_config(["tools.enabled=[alias]"]))
