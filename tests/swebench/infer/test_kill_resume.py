"""kill -9 of `agent swebench infer` at different moments, then reruns: nothing lost, nothing duplicated.

The runner runs as a real subprocess (local workspaces, a scripted model that takes a little time per step);
each cycle kills its whole process group with SIGKILL, checks that preds.jsonl parses line by line, and
starts again, until a run finishes by itself.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import FIX, make_batch, write_script

SLOW_GOLD = [{"tool": "view", "args": {"path": "calc.py"}, "sleep": 0.3},
             {"tool": "apply_patch", "args": {"patch": FIX}, "sleep": 0.3},
             {"tool": "submit", "args": {"summary": "fixed"}, "sleep": 0.2}]


def start(root: Path, dataset: Path, script: Path, mirrors: Path) -> subprocess.Popen:
    """`agent swebench infer` on the dataset, in its own process group."""
    command = [sys.executable, "-m", "agent", "swebench", "infer", "--dataset", str(dataset), "--run-id", "k",
               "--runs-dir", str(root / "runs"), "--mirrors", str(mirrors), "--workspace", "local", "--workers", "2",
               "-c", "model.type=scripted", "-c", f"model.script={script}", "-c", "planner.type=none"]
    return subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, env={**os.environ, "COLUMNS": "120"})


def lines_of(path: Path) -> list[dict]:
    """Every line parsed: a torn or half-written line fails here."""
    if not path.exists():
        return []
    text = path.read_text()
    assert text == "" or text.endswith("\n"), "the file ends in the middle of a line"
    return [json.loads(line) for line in text.splitlines()]


def kill_when(process: subprocess.Popen, preds: Path, lines: int, deadline: float = 60) -> bool:
    """SIGKILL the process group as soon as preds.jsonl has `lines` lines (or right away for 0); False if the
    run ended first."""
    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        if process.poll() is not None:
            return False
        if len(lines_of(preds)) >= lines:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.02)
    raise AssertionError("the run made no progress")


def test_kill_9_at_any_moment_then_rerun_loses_and_duplicates_nothing(tmp_path):
    batch = make_batch(tmp_path, 6)
    dataset, script = batch.dataset(), write_script(tmp_path, "slow.json", SLOW_GOLD)
    preds = tmp_path / "runs" / "swebench" / "k" / "preds.jsonl"
    wanted = [i.instance_id for i in batch.instances]
    kills = 0
    for target in (0, 1, 1, 3, 5):  # right after start, and right after a prediction lands
        process = start(tmp_path, dataset, script, batch.mirrors)
        if target == 0:
            time.sleep(1.5)
        done_before = len(lines_of(preds))
        if kill_when(process, preds, max(target, done_before + (target > 0))):
            kills += 1
        ids = [line["instance_id"] for line in lines_of(preds)]
        assert len(ids) == len(set(ids)) and set(ids) <= set(wanted)
    process = start(tmp_path, dataset, script, batch.mirrors)
    assert process.wait(timeout=120) == 0, process.stderr.read().decode()
    final = lines_of(preds)
    assert sorted(line["instance_id"] for line in final) == wanted
    assert all("+    return a + b" in line["model_patch"] for line in final)
    assert kills >= 3
    for instance_id in wanted:  # every predicted instance has its folder with a finished trajectory
        trajectory = json.loads((preds.parent / "infer" / instance_id / "trajectory.json").read_text())
        assert trajectory["exit_status"] == "Submitted"
