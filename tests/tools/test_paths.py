"""Model-given paths: normalised inside the repository, refused outside it."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from agent.config import AgentConfig
from core.types import ToolCall
from tools.dispatch import call_tool
from tools.paths import PathRefused, resolve_path
from tools.registry import make_tools


def test_relative_and_absolute_paths_inside_are_normalised(calc_ws) -> None:
    assert resolve_path(calc_ws, "calc.py") == "calc.py"
    assert resolve_path(calc_ws, "./pkg/../calc.py") == "calc.py"
    assert resolve_path(calc_ws, os.path.join(calc_ws.root, "calc.py")) == "calc.py"
    assert resolve_path(calc_ws, calc_ws.root) == "."
    assert resolve_path(calc_ws, "") == "."
    assert resolve_path(calc_ws, " calc.py ") == "calc.py"


@pytest.mark.parametrize("path", ["../outside.py", "pkg/../../x", "/etc/passwd", "/"])
def test_escapes_are_refused_naming_the_path(calc_ws, path: str) -> None:
    with pytest.raises(PathRefused) as info:
        resolve_path(calc_ws, path)
    assert repr(path) in str(info.value)
    assert "outside the repository" in str(info.value)


def test_sibling_directory_with_the_same_prefix_is_outside(calc_ws) -> None:
    with pytest.raises(PathRefused):
        resolve_path(calc_ws, calc_ws.root + "-evil/x.py")


def test_symlink_pointing_out_is_refused_and_inside_is_fine(calc_ws, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret\n")
    os.symlink(secret, os.path.join(calc_ws.root, "leak.txt"))
    os.symlink(tmp_path, os.path.join(calc_ws.root, "leakdir"))
    os.symlink("calc.py", os.path.join(calc_ws.root, "alias.py"))
    for path in ("leak.txt", "leakdir/secret.txt"):
        with pytest.raises(PathRefused) as info:
            resolve_path(calc_ws, path)
        assert "symbolic link" in str(info.value)
    assert resolve_path(calc_ws, "alias.py") == "alias.py"


def test_lexical_check_holds_when_the_root_is_not_on_this_machine() -> None:
    container_like = SimpleNamespace(root="/workspace/repo")
    assert resolve_path(container_like, "/workspace/repo/a/b.py") == "a/b.py"
    with pytest.raises(PathRefused):
        resolve_path(container_like, "/workspace/other")


@pytest.mark.parametrize("name,args", [
    ("view", {"path": "../../etc/passwd"}),
    ("search", {"pattern": "root", "path": "/etc"}),
    ("edit", {"path": "/etc/hosts", "old_text": "a", "new_text": "b"}),
    ("insert", {"path": "../x.py", "line": 0, "text": "x"}),
    ("create", {"path": "../evil.py", "content": "x = 1"}),
    ("apply_patch", {"patch": "--- a/../evil.py\n+++ b/../evil.py\n@@ -0,0 +1 @@\n+x\n"}),
])
def test_every_file_tool_refuses_paths_outside(calc_ws, name: str, args: dict) -> None:
    tools = make_tools(AgentConfig())
    observation = call_tool(tools, ToolCall(id="1", name=name, arguments=args), calc_ws)
    assert observation.error
    assert "outside the repository" in observation.output
    assert not os.path.exists(os.path.join(os.path.dirname(calc_ws.root), "evil.py"))
