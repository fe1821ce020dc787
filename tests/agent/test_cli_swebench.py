"""`agent swebench validate | eval | report` through the real entry point, on the synthetic instance in Docker.

Includes kill -9 of an evaluation in the middle and a rerun that finishes the job.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from tests.swebench.conftest import FIX, SPEC_YAML, calc_instance, make_calc_mirror
from tests.workspaces.docker_support import base_image, docker_client, requires_docker  # noqa: F401 - fixtures

pytestmark = requires_docker


def setup_files(root: Path) -> tuple[list[str], Path]:
    """A two-instance dataset, a mirror directory and a spec file; returns the common CLI options and the root."""
    mirrors, base = make_calc_mirror(root)
    first = calc_instance(base)
    second = replace(first, instance_id="acme__calc-2")
    (root / "dataset.jsonl").write_text("\n".join(json.dumps(i.to_record()) for i in (first, second)) + "\n")
    (root / "spec.yaml").write_text(SPEC_YAML)
    options = ["--dataset", str(root / "dataset.jsonl"), "--mirrors", str(mirrors), "--specs", str(root / "spec.yaml")]
    return options, root


def agent(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "XDG_CACHE_HOME": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "agent", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_validate_json_eval_and_report(tmp_path, base_image):  # noqa: F811 - fixture
    options, root = setup_files(tmp_path)
    result = agent("swebench", "validate", *options, "acme__calc-1", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert {k: record[k] for k in ("instance_id", "valid", "gold", "empty")} == \
        {"instance_id": "acme__calc-1", "valid": True, "gold": "resolved", "empty": "unresolved"}
    assert isinstance(record["seconds"], float)
    preds = root / "preds.jsonl"
    preds.write_text(json.dumps({"instance_id": "acme__calc-1", "model_name_or_path": "m", "model_patch": FIX})
                     + "\n{broken\n" + json.dumps({"instance_id": "acme__calc-2", "model_patch": ""}) + "\n")
    result = agent("swebench", "eval", *options, "--predictions", str(preds), "--run-id", "r1", "--workers", "2",
                   cwd=root)
    assert result.returncode == 0, result.stderr
    assert "line 2 skipped" in result.stderr and "resolved" in result.stdout
    results = json.loads((root / "runs" / "swebench" / "r1" / "results.json").read_text())
    assert results["resolved_ids"] == ["acme__calc-1"] and results["empty_patch_ids"] == ["acme__calc-2"]
    report = agent("swebench", "report", "r1", "--json", cwd=root)
    assert json.loads(report.stdout)["resolved_instances"] == 1
    assert (root / "runs" / "swebench" / "r1" / "report.html").read_text().count("acme__calc-1") >= 1
    missing = agent("swebench", "report", "nope", cwd=root)
    assert missing.returncode == 2 and "No evaluation run" in missing.stderr


def test_kill_9_in_the_middle_then_rerun_finishes_and_keeps_what_was_done(tmp_path, docker_client,  # noqa: F811
                                                                          base_image):  # noqa: F811 - fixture
    options, root = setup_files(tmp_path)
    slow = FIX.replace("+    return a + b\n", "+    import time; time.sleep(3); return a + b\n")
    preds = root / "preds.jsonl"
    preds.write_text("\n".join(json.dumps({"instance_id": i, "model_patch": slow})
                               for i in ("acme__calc-1", "acme__calc-2")) + "\n")
    command = [sys.executable, "-m", "agent", "swebench", "eval", *options, "--predictions", str(preds),
               "--run-id", "k", "--workers", "1"]
    env = {**os.environ, "XDG_CACHE_HOME": str(root / "cache")}
    log = root / "killed-eval.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    run = root / "runs" / "swebench" / "k"
    first_report, deadline = run / "acme__calc-1" / "report.json", time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None and not first_report.exists():
        time.sleep(0.2)
    ended_early = process.poll()
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert ended_early is None, f"the evaluation ended before it was killed (exit {ended_early}): {log.read_text()}"
    assert first_report.exists()
    first = first_report.read_text()
    result = agent("swebench", "eval", *options, "--predictions", str(preds), "--run-id", "k", cwd=root)
    assert result.returncode == 0, result.stderr
    results = json.loads((run / "results.json").read_text())
    assert results["resolved_ids"] == ["acme__calc-1", "acme__calc-2"]
    assert first_report.read_text() == first  # finished work was kept, not redone
    assert agent("gc", cwd=root).returncode == 0
    leftovers = docker_client.containers.list(all=True, filters={"label": "repo-agent.run-id=k"})
    assert leftovers == []
