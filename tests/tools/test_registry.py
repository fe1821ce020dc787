"""The tool registry: config-driven construction, unknown names, registration by other modules."""

from __future__ import annotations

import pytest

from agent.config import load_config
from core.errors import UserError
from core.types import Observation
from tools import registry
from tools.base import Tool
from tools.function_tool import FunctionTool
from tools.registry import known_tools, make_tools, register_tool


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


@pytest.fixture
def restore_registry():
    saved = (dict(registry.TOOL_FACTORIES), dict(registry._registered))
    yield
    registry.TOOL_FACTORIES.clear()
    registry.TOOL_FACTORIES.update(saved[0])
    registry._registered.clear()
    registry._registered.update(saved[1])


def test_other_modules_can_register_factories(restore_registry, calc_ws) -> None:
    register_tool("shout", lambda config: FunctionTool(shout))
    register_tool("view_again", "tools.view:make_tool")
    assert {"shout", "view_again"} <= set(known_tools())
    tools = make_tools(load_config(["tools.enabled=[shout]"]))
    assert tools["shout"](calc_ws, text="hi") == Observation(output="HI")


def test_a_factory_must_build_the_tool_it_is_registered_as(restore_registry) -> None:
    register_tool("alias", lambda config: FunctionTool(shout))
    with pytest.raises(TypeError):
        make_tools(load_config(["tools.enabled=[alias]"]))
