"""The `run` tool: a shell command in the workspace, with a timeout and head-and-tail output."""

from __future__ import annotations

from core.types import Observation
from tools.function_tool import ToolError
from workspaces.base import Workspace, clip_middle


def run(ws: Workspace, command: str, timeout: float | None = None, *, max_timeout: float = 180.0,
        output_limit: int = 10_000) -> Observation:
    """Run a shell command (bash) in the repository root and show its exit code and output.

    Standard input is closed, so interactive programs get end-of-file instead of waiting. Long
    output keeps its beginning and its end.

    Args:
        command: The command line, e.g. "python -m pytest tests/test_calc.py -x -q".
        timeout: Seconds before the command is killed (at most the configured limit, which is also the default).
    """
    if not command.strip():
        raise ToolError("The command is empty; give a shell command to run.")
    limit = max_timeout if timeout is None or timeout <= 0 else min(float(timeout), max_timeout)
    # The closing brace on its own line keeps heredocs and trailing comments in `command` intact.
    result = ws.exec(f"{{ {command}\n}} < /dev/null", timeout=limit)
    output = clip_middle(result.output, output_limit) if result.output.strip() else "(no output)"
    data = {"exit_code": result.exit_code, "timed_out": result.timed_out, "duration": round(result.duration, 3)}
    if result.timed_out:
        text = f"The command was killed after {limit:g} s (timeout). Output before that:\n{output}"
        return Observation(output=text, error=True, data=data)
    return Observation(output=f"exit code: {result.exit_code}\n{output}", data=data)
