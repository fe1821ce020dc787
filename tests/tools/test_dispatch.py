"""call_tool: every problem the model can fix is an error Observation; loop conditions propagate."""

from __future__ import annotations

import logging

import pytest

from agent.config import AgentConfig
from core.errors import StepLimitExceeded, Submitted, WorkspaceError
from core.types import Observation, ToolCall
from tools.dispatch import call_tool
from tools.function_tool import FunctionTool, ToolError
from tools.registry import make_tools


@pytest.fixture(scope="module")
def tools():
    return make_tools(AgentConfig())


def call(tools, ws, name: str, **arguments) -> Observation:
    return call_tool(tools, ToolCall(id="c1", name=name, arguments=arguments), ws)


def test_unknown_tool_lists_the_tools(tools, calc_ws) -> None:
    out = call(tools, calc_ws, "teleport", where="moon")
    assert out.error
    assert "no tool named 'teleport'" in out.output and "search, view, find_symbol, edit" in out.output


def test_unknown_argument_names_the_expected_ones(tools, calc_ws) -> None:
    out = call(tools, calc_ws, "view", file="calc.py")
    assert out.error
    assert "unknown argument 'file' (expected: path, start, end)" in out.output
    assert "Call it as view(path?: string, start?: integer, end?: integer)" in out.output


def test_missing_and_mistyped_arguments(tools, calc_ws) -> None:
    out = call(tools, calc_ws, "edit", path="calc.py", old_text="a")
    assert out.error and "missing required argument 'new_text'" in out.output
    out = call(tools, calc_ws, "view", path="calc.py", start="third")
    assert out.error and "'start' must be an integer, got \"third\"" in out.output


def test_numbers_given_as_strings_are_coerced(tools, calc_ws) -> None:
    out = call(tools, calc_ws, "view", path="calc.py", start="2", end="3")
    assert not out.error
    assert out.output.startswith("calc.py (lines 2-3 of 7)")


def test_null_optional_arguments_mean_default(tools, calc_ws) -> None:
    out = call(tools, calc_ws, "search", pattern="def add", path=None, glob=None)
    assert out.output == "calc.py:1: def add(a, b):"


def test_submit_propagates(tools, calc_ws) -> None:
    with pytest.raises(Submitted) as info:
        call(tools, calc_ws, "submit", summary="fixed add")
    assert info.value.text == "fixed add"


def raises(ws, kind: str) -> str:
    """Raise something.

    Args:
        kind: Which exception.
    """
    errors = {
        "workspace": WorkspaceError("container died"),
        "limit": StepLimitExceeded("too many"),
        "tool": ToolError("you can fix this", data={"hint": 1}),
        "bug": KeyError("oops"),
    }
    if kind == "text":
        return "plain text"
    raise errors[kind]


BROKEN = {"raises": FunctionTool(raises)}


class Unwrapped:
    """A Tool written against the protocol directly, not through FunctionTool."""

    name = "unwrapped"
    spec = FunctionTool(raises, name="unwrapped").spec

    def __call__(self, ws, **args):
        return raises(ws, **args)


def test_workspace_errors_and_loop_conditions_propagate(calc_ws) -> None:
    with pytest.raises(WorkspaceError):
        call(BROKEN, calc_ws, "raises", kind="workspace")
    with pytest.raises(StepLimitExceeded):
        call(BROKEN, calc_ws, "raises", kind="limit")


def test_a_crashing_tool_becomes_an_error_observation_and_is_logged(calc_ws, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="tools.dispatch"):
        out = call(BROKEN, calc_ws, "raises", kind="bug")
    assert out.error and out.output == "The tool raises failed: KeyError: 'oops'"
    assert out.data == {"exception": "KeyError"}
    assert "tool raises failed" in caplog.text


def test_tool_errors_and_plain_results_from_protocol_tools(calc_ws) -> None:
    tools = {"unwrapped": Unwrapped()}
    out = call(tools, calc_ws, "unwrapped", kind="tool")
    assert out == Observation(output="you can fix this", error=True, data={"hint": 1})
    assert call(tools, calc_ws, "unwrapped", kind="text") == Observation(output="plain text")
