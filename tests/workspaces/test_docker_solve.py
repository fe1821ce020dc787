"""`agent solve` end to end in a Docker workspace (the default): commands run in the container, none is left."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.workspaces.docker_support import (
    base_image,  # noqa: F401 - fixture
    docker_client,  # noqa: F401 - fixture
    git_repo,
    requires_docker,
    tree_state,
)
from workspaces import gc

pytestmark = requires_docker

SCRIPT = """
- tool: run
  args: {command: "hostname; whoami; ls /sys/class/net"}
- tool: edit
  args: {path: calc.py, old_text: "return a - b", new_text: "return a + b"}
- tool: submit
  args: {summary: "add subtracted"}
"""


def test_solve_runs_in_a_container_and_leaves_none(tmp_path, docker_client, base_image):  # noqa: F811 - fixtures
    repo = git_repo(tmp_path / "calc", {"calc.py": "def add(a, b):\n    return a - b\n",
                                        "test_calc.py": "from calc import add\n\n\ndef test_add():\n"
                                                        "    assert add(2, 3) == 5\n"})
    (tmp_path / "script.yaml").write_text(SCRIPT)
    before = tree_state(repo)
    result = subprocess.run(
        [sys.executable, "-m", "agent", "solve", "-r", str(repo), "-i", "add() subtracts", "-c", "model.type=scripted",
         "-c", f"model.script={tmp_path / 'script.yaml'}", "-c", f"runs_dir={tmp_path / 'runs'}", "--strategy", "loop",
         "-c", "workspace.auto_setup=false"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "workspace docker" in result.stdout
    trajectory = json.loads(next((tmp_path / "runs").glob("*/trajectory.json")).read_text())
    observed = next(m["content"] for m in trajectory["messages"] if m.get("role") == "tool")
    assert "workspace\nagent\nlo\n" in observed and "eth0" not in observed
    assert "+    return a + b" in trajectory["patch"]
    assert "1/1 failing tests now pass" in result.stdout  # the gate ran the test in the container (no pytest there)
    run_id = next((tmp_path / "runs").iterdir()).name
    assert docker_client.containers.list(all=True, filters={"label": f"{gc.RUN_ID}={run_id}"}) == []
    assert tree_state(repo) == before
