"""Running one tool call: find the tool, check the arguments, turn failures into observations. AgentExceptions
(`Submitted`, ...) and `WorkspaceError` propagate; anything else a tool raises becomes a logged error Observation."""

from __future__ import annotations

import logging

from core.errors import AgentException, WorkspaceError
from core.types import Observation, ToolCall
from tools.base import Tool
from tools.function_tool import observe
from tools.schema import check_arguments, signature_line
from workspaces.base import Workspace

log = logging.getLogger(__name__)


def call_tool(tools: dict[str, Tool], call: ToolCall, ws: Workspace) -> Observation:
    """Run `call` against `ws` with the matching tool; every problem the model can fix is an error Observation."""
    tool = tools.get(call.name)
    if tool is None:
        available = ", ".join(tools) or "none"
        return Observation(output=f"There is no tool named {call.name!r}. The tools are: {available}.",
                           error=True, data={"unknown_tool": call.name})
    args, problems = check_arguments(tool.spec.parameters, call.arguments)
    if problems:
        text = f"Invalid arguments for {call.name}: {'; '.join(problems)}. Call it as {signature_line(tool.spec)}."
        return Observation(output=text, error=True, data={"invalid_arguments": problems})
    try:
        return observe(tool, ws, **args)
    except (AgentException, WorkspaceError):
        raise
    except Exception as exc:
        log.exception("tool %s failed on %s", call.name, call.arguments)
        return Observation(output=f"The tool {call.name} failed: {type(exc).__name__}: {exc}", error=True,
                           data={"exception": type(exc).__name__})
