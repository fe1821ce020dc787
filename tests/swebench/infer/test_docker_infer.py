"""Inference in instance containers (real Docker): the gold patch through the tools resolves, a container that dies
is an infrastructure error, the patch gate against the image's own commit (whose setup edited a tracked file), and
pass@k with selected@1 from `run --attempts`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest

from agent.config import load_config
from agent.gate import base_text, check_applies
from swebench.images import REPO_DIR, ImageBuilder
from swebench.infer.task import ERROR, PREDICTED
from swebench.mirrors import Mirrors
from swebench.specs import SpecTable
from tests.workspaces.docker_support import base_image, docker_client, requires_docker  # noqa: F401 - fixtures
from workspaces.docker import DockerWorkspace

from .conftest import FIX, GOLD, REPRO_TEST, make_batch, read_lines, write_script

pytestmark = requires_docker


def test_agent_swebench_run_with_the_gold_patch_through_the_tools_is_resolved(tmp_path, base_image):  # noqa: F811
    batch = make_batch(tmp_path, 1)
    script = write_script(tmp_path, "gold.json", [GOLD[0], REPRO_TEST, GOLD[1]])
    command = [sys.executable, "-m", "agent", "swebench", "run", "--dataset", str(batch.dataset()), "--run-id", "g",
               "--runs-dir", str(tmp_path / "runs"), "--mirrors", str(batch.mirrors), "--specs", str(batch.spec),
               "-c", "model.type=scripted", "-c", f"model.script={script}", "-c", "strategy=loop", "--timeout", "120"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "COLUMNS": "160"})
    assert result.returncode == 0, result.stderr + result.stdout
    folder = tmp_path / "runs" / "swebench" / "g"
    line = read_lines(folder / "preds.jsonl")[0]
    assert set(line) == {"instance_id", "model_name_or_path", "model_patch"}
    assert "test_repro" not in line["model_patch"]  # the reproduction test stays out of the prediction
    results = json.loads((folder / "results.json").read_text())
    assert results["resolved_ids"] == ["acme__calc-1"]
    trajectory = json.loads((folder / "infer" / "acme__calc-1" / "trajectory.json").read_text())
    assert trajectory["gate"]["status"] == "passed" and trajectory["plan"]["files"]  # the planner read the container
    assert "eval acme__calc-1: resolved" in result.stderr  # scored as it went


def kill_container_when_it_runs(client, prefix: str, after: float) -> threading.Thread:
    """A thread that kills the first container whose name starts with `prefix`, `after` seconds after it appears."""
    def kill() -> None:
        for _ in range(600):
            found = [c for c in client.containers.list() if c.name.startswith(prefix)]
            if found:
                time.sleep(after)
                found[0].kill()
                return
            time.sleep(0.1)

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


def test_a_container_that_dies_is_an_error_without_prediction_and_a_rerun_predicts(tmp_path, docker_client,  # noqa: F811
                                                                                   base_image):  # noqa: F811
    batch = make_batch(tmp_path, 1)
    slow = [GOLD[0], {"tool": "run", "args": {"command": "sleep 30"}}, GOLD[1]]
    killer = kill_container_when_it_runs(docker_client, "repo-agent-acme__calc-1-0-", after=3)
    summary = batch.run(batch.config(write_script(tmp_path, "slow.json", slow), workspace="docker"))
    killer.join(timeout=5)
    outcome = summary.outcomes["acme__calc-1"]
    assert (outcome.kind, outcome.exit_status) == (ERROR, "WorkspaceError")
    assert not (tmp_path / "runs" / "swebench" / "r1" / "preds.jsonl").exists()
    assert not [c for c in docker_client.containers.list(all=True) if c.name.startswith("repo-agent-acme__calc-1-")]
    again = batch.run(batch.config(write_script(tmp_path, "gold.json", GOLD), workspace="docker"))
    assert again.outcomes["acme__calc-1"].kind == PREDICTED


def test_the_gate_checks_against_the_image_commit_including_files_the_setup_edited(tmp_path, docker_client,  # noqa: F811
                                                                                   base_image):  # noqa: F811
    batch = make_batch(tmp_path, 1)
    batch.spec.write_text(batch.spec.read_text().replace('"1.0": {}', '"1.0": {pre_install: ["sed -i s/calc/CALC/ '
                                                                      'README.md"]}'))
    instance = replace(batch.instances[0], instance_id="acme__calc-77")
    builder = ImageBuilder(docker_client, Mirrors(batch.mirrors, cache=tmp_path / "cache"),
                           SpecTable.load([batch.spec]), log_dir=tmp_path / "logs")
    image = builder.images(instance).instance.name
    settings = load_config([]).workspace.model_copy(update={"image": image})
    with DockerWorkspace(settings, None, root=REPO_DIR, client=docker_client) as ws:
        ws.write_file("README.md", "# changed in the work tree\n")
        assert base_text(ws, "README.md") == "# CALC\n"  # the image's commit, not the mirror's, nor the work tree
        assert check_applies(FIX, ws).passed
        assert not check_applies(FIX.replace("a - b", "a / b"), ws).passed
        assert ws.read_file("README.md") == "# changed in the work tree\n"


def test_run_with_attempts_reports_pass_at_k_and_selected_at_1(tmp_path, base_image):  # noqa: F811
    batch = make_batch(tmp_path, 1)
    wrong = [{"tool": "edit", "args": {"path": "calc.py", "old_text": "return a - b", "new_text": "return b - a"}},
             GOLD[1]]
    scripts = [write_script(tmp_path, "wrong.json", wrong), write_script(tmp_path, "gold.json", GOLD),
               write_script(tmp_path, "gold2.json", GOLD), write_script(tmp_path, "none.json", [GOLD[1]])]
    command = [sys.executable, "-m", "agent", "swebench", "run", "--dataset", str(batch.dataset()), "--run-id", "p",
               "--runs-dir", str(tmp_path / "runs"), "--mirrors", str(batch.mirrors), "--specs", str(batch.spec),
               "-c", "model.type=scripted", "-c", f"model.scripts=[{', '.join(map(str, scripts))}]",
               "-c", "strategy=loop", "--attempts", "4", "--timeout", "120"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "COLUMNS": "160"})
    assert result.returncode == 0, result.stderr + result.stdout
    sampling = json.loads((tmp_path / "runs" / "swebench" / "p" / "sampling.json").read_text())
    assert sampling["instances"]["acme__calc-1"] == {"resolved": [False, True, True, False], "selected": 1}
    metrics = sampling["metrics"]
    assert (metrics["pass@1"], metrics["pass@4"], metrics["selected@1"]) == (0.5, 1.0, 1.0)
    assert metrics["pass@2"] == pytest.approx(5 / 6)
    assert "pass@1" in result.stdout and "chosen for 100.0%" in result.stdout
