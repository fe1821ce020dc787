"""`agent solve --model gguf:PATH` end to end: the fake llama.cpp server is started, used and stopped at exit
(normal exit, Ctrl-C and SIGTERM during a model call, and even SIGKILL of repo-agent)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.models.selection import PROVIDER_KEYS
from tests.agent.models.test_local_server import STEM, gguf, gone, port_free
from tests.fakes.llama_server import FakeLlama
from tests.processes import terminal_signals

EDIT = {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}
FIX = [{"tool": "edit", "args": EDIT}, {"tool": "submit", "args": {"summary": "add adds"}}]


@pytest.fixture
def fake(tmp_path: Path) -> FakeLlama:
    """The fake llama_cpp package and its files."""
    return FakeLlama(tmp_path / "fake").package()


def environment(fake: FakeLlama, tmp_path: Path) -> dict[str, str]:
    """repo-agent's environment: the fake importable, no provider keys, temp files in tmp_path."""
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    variables = {key for names in PROVIDER_KEYS.values() for key in names} | {"OMP_WAIT_POLICY", "AGENT_MODEL"}
    base = {k: v for k, v in os.environ.items() if k not in variables}
    return {**base, **fake.env(), "PYTHONPATH": str(fake.site), "TMPDIR": str(temp), "COLUMNS": "200"}


def solve_args(repo: Path, model: Path) -> list[str]:
    return [sys.executable, "-m", "agent", "solve", "-r", str(repo), "-i", "add() subtracts", "--model",
            f"gguf:{model}", "-w", "local", "-c", "model.retry.initial_wait=0.01", "--strategy", "loop"]


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def trajectory_of(tmp_path: Path) -> dict:
    return json.loads(next((tmp_path / "runs").glob("*/trajectory.json")).read_text())


def test_solve_with_a_gguf_model_runs_through_its_server_and_stops_it(calc_repo: Path, tmp_path: Path,
                                                                      fake: FakeLlama) -> None:
    fake.script(FIX)
    model = gguf(tmp_path)
    result = subprocess.run(solve_args(calc_repo, model), cwd=tmp_path, env=environment(fake, tmp_path),
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"model openai/{STEM}" in result.stdout
    data = trajectory_of(tmp_path)
    assert data["exit_status"] == "Submitted" and data["gate"]["status"] == "passed"
    assert data["model"] == f"openai/{STEM}" and data["cost"] == 0
    assert data["config"]["model"]["name"] == f"gguf:{model}"
    [start] = fake.starts()
    assert start["flags"]["host"] == "127.0.0.1" and start["flags"]["n_ctx"] == 8192
    assert start["flags"]["n_threads"] == len(os.sched_getaffinity(0)) and start["omp_wait_policy"] == "PASSIVE"
    assert len([r for r in fake.requests() if "add() subtracts" in json.dumps(r["messages"])]) == 2
    assert gone(start["pid"]) and port_free(start["flags"]["port"])
    assert list((tmp_path / "tmp").glob("llama-server-*.log")) == []  # the temporary log went with the server


def test_a_missing_model_file_is_one_line_and_exit_2(calc_repo: Path, tmp_path: Path, fake: FakeLlama) -> None:
    missing = tmp_path / "models" / "absent.gguf"
    result = subprocess.run(solve_args(calc_repo, missing), cwd=tmp_path, env=environment(fake, tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: The model file {missing} does not exist: give the path of a GGUF file already on this machine "
        "after gguf: (weights are never downloaded at run time)."]
    assert fake.starts() == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupting_a_run_keeps_its_outputs_and_stops_the_server(calc_repo: Path, tmp_path: Path,
                                                                   fake: FakeLlama, signum: int) -> None:
    fake.script([{"sleep": 60}, *FIX])  # the first step's reply takes a minute: the run is inside a model call
    agent = subprocess.Popen(solve_args(calc_repo, gguf(tmp_path)), cwd=tmp_path, env=environment(fake, tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=terminal_signals)
    try:
        wait_for(lambda: any("add() subtracts" in json.dumps(r["messages"]) for r in fake.requests()), 120,
                 "the first step's model call")
        time.sleep(0.3)
        agent.send_signal(signum)
        out, err = agent.communicate(timeout=60)
    finally:
        agent.kill()
    assert agent.returncode != 0, out + err
    data = trajectory_of(tmp_path)
    assert data["exit_status"] == "Interrupted", out + err  # the run ended as it does on Ctrl-C and wrote its files
    assert (next((tmp_path / "runs").iterdir()) / "summary.md").exists()
    [start] = fake.starts()
    assert gone(start["pid"]) and port_free(start["flags"]["port"])


def test_the_server_exits_when_repo_agent_is_killed(tmp_path: Path, fake: FakeLlama) -> None:
    code = ("import sys, time\n"
            "from agent.config import ModelConfig\n"
            "from agent.models.registry import make_model\n"
            f"print(make_model(ModelConfig(name='gguf:{gguf(tmp_path)}')).config.api_base, flush=True)\n"
            "time.sleep(120)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], env=environment(fake, tmp_path), stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().startswith("http://127.0.0.1:")
        [start] = fake.starts()
        assert not gone(start["pid"])
        holder.kill()  # no atexit, no signal handler: only the server's watch on its parent is left
        holder.wait()
        wait_for(lambda: gone(start["pid"]), 10, "the orphaned server to exit")
        assert port_free(start["flags"]["port"])
    finally:
        holder.kill()
