"""A whole tool session as the loop drives it: find the bug, read, fix, test, submit."""

from __future__ import annotations

import subprocess

import pytest

from agent.config import load_config
from core.errors import Submitted
from core.types import ToolCall
from tools.dispatch import call_tool
from tools.registry import make_tools


def test_find_view_fix_test_and_submit(calc_ws, calc_repo, tmp_path) -> None:
    tools = make_tools(load_config(["limits.command_timeout=60"]))

    def step(name: str, **arguments):
        observation = call_tool(tools, ToolCall(id=name, name=name, arguments=arguments), calc_ws)
        assert not observation.error, observation.output
        return observation.output

    assert step("search", pattern="def add") == "calc.py:1: def add(a, b):"
    assert "   3\t    return a - b" in step("view", path="calc.py")
    check = "python3 -c 'from calc import add; assert add(2, 3) == 5, add(2, 3)'"
    failing = step("run", command=check)
    assert failing.startswith("exit code: 1") and "AssertionError: -1" in failing
    step("edit", path="calc.py", old_text="    return a - b", new_text="    return a + b")
    step("create", path="tests/test_more.py", content="from calc import add\n\n\ndef test_zero():\n"
         "    assert add(0, 0) == 0\n")
    assert step("run", command=check) == "exit code: 0\n(no output)"
    with pytest.raises(Submitted):
        step("submit", summary="add() subtracted; it adds now")

    diff = calc_ws.diff()
    assert "-    return a - b\n+    return a + b\n" in diff and "tests/test_more.py" in diff
    (tmp_path / "fix.diff").write_text(diff)
    subprocess.run(["git", "apply", "--check", str(tmp_path / "fix.diff")], cwd=calc_repo, check=True)
