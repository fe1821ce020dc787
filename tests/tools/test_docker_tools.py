"""The tools inside a Docker workspace: the same behaviour when the repository is not on this machine."""

from __future__ import annotations

import pytest

from agent.config import load_config
from core.errors import Submitted
from core.types import Observation, ToolCall
from tests.workspaces.docker_support import (
    base_image,  # noqa: F401 - fixture
    docker_client,  # noqa: F401 - fixture
    git_repo,
    plain_config,
    requires_docker,
)
from tools.dispatch import call_tool
from tools.registry import make_tools
from workspaces.docker import DockerWorkspace

pytestmark = requires_docker

FILES = {
    "calc.py": "def add(a, b):\n    return a - b\n",
    "pkg/util.py": "def helper():\n    return 'add'\n",
    "old.txt": "bye\n",
}


@pytest.fixture(scope="module")
def container(tmp_path_factory, base_image):  # noqa: F811 - fixture
    """One Docker workspace over a small repository for the whole module."""
    source = git_repo(tmp_path_factory.mktemp("tools") / "repo", FILES)
    with DockerWorkspace(plain_config(), source, "HEAD") as workspace:
        yield workspace


@pytest.fixture
def ws(container):
    """The module's workspace, back at its base commit for every test."""
    container.reset()
    return container


TOOLS = make_tools(load_config(["limits.command_timeout=20"]))


def call(ws, name: str, **arguments) -> Observation:
    return call_tool(TOOLS, ToolCall(id="1", name=name, arguments=arguments), ws)


def test_search_and_view_in_the_container(ws) -> None:
    assert call(ws, "search", pattern="add").output.splitlines() == [
        "calc.py:1: def add(a, b):", "pkg/util.py:2: return 'add'"]
    listing = call(ws, "view", path=".").output.splitlines()
    assert {"calc.py", "pkg/", "  pkg/util.py"} <= set(listing)
    assert call(ws, "view", path="calc.py").output.startswith("calc.py (lines 1-2 of 2)")


def test_edit_and_syntax_gate_in_the_container(ws) -> None:
    assert call(ws, "edit", path="calc.py", old_text="(a, b)", new_text="(a, b").error
    assert call(ws, "edit", path="calc.py", old_text="a - b", new_text="a + b").error is False
    assert ws.read_file("calc.py") == "def add(a, b):\n    return a + b\n"


def test_apply_patch_with_a_deletion(ws) -> None:
    patch = ("--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n"
             "--- a/calc.py\n+++ b/calc.py\n@@ -5,2 +5,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n")
    out = call(ws, "apply_patch", patch=patch)
    assert not out.error, out.output
    assert ws.read_file("calc.py") == "def add(a, b):\n    return a + b\n"
    assert ws.exec("test -e old.txt", timeout=10).exit_code == 1


def test_run_timeout_and_paths_outside(ws) -> None:
    out = call(ws, "run", command="echo $PWD; sleep 30", timeout=1)
    assert out.error and "/workspace/repo" in out.output and out.data["timed_out"]
    assert "outside the repository" in call(ws, "view", path="/etc/passwd").output
    with pytest.raises(Submitted):
        call(ws, "submit")
