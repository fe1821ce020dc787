"""`agent` through its real entry point: solve, replay, example, and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git
from tests.processes import terminal_signals

SCRIPTS = Path(__file__).parent / "scripts"
PROVIDER_KEYS = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "MISTRAL_API_KEY", "DEEPSEEK_API_KEY",
                 "OPENROUTER_API_KEY", "AGENT_MODEL", "GROQ_API_KEY", "XAI_API_KEY", "TOGETHERAI_API_KEY")


def agent(*args: str, cwd: Path, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m agent ARGS` in `cwd` with no provider keys in the environment."""
    base = {k: v for k, v in os.environ.items() if k not in PROVIDER_KEYS}
    base["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-m", "agent", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**base, **(env or {})})


def scripted(script: Path) -> list[str]:
    return ["-c", "model.type=scripted", "-c", f"model.script={script}", "-w", "local", "--strategy", "loop"]


def test_solve_with_scripted_model_writes_run_folder_and_out(calc_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "fix.diff"
    script = scripted(SCRIPTS / "fix_calc.yaml")
    result = agent("solve", "--repo", str(calc_repo), "--issue", "add() subtracts", *script, "--out", str(out),
                   cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout
    run_dirs = list((tmp_path / "runs").iterdir())
    assert len(run_dirs) == 1
    files = {p.name for p in run_dirs[0].iterdir()}
    assert {"trajectory.json", "patch.diff", "summary.md"} <= files
    assert "+    return a + b" in out.read_text()
    assert "return a - b" in (calc_repo / "calc.py").read_text()  # the user's checkout is untouched


def test_apply_changes_a_clean_checkout_and_replay_reproduces(calc_repo: Path, tmp_path: Path) -> None:
    result = agent("solve", "-r", str(calc_repo), "-i", "add() subtracts", *scripted(SCRIPTS / "fix_calc.yaml"),
                   "--apply", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "return a + b" in (calc_repo / "calc.py").read_text()
    trajectory = next((tmp_path / "runs").iterdir()) / "trajectory.json"
    git(calc_repo, "checkout", "calc.py")  # the replay starts from the recorded base commit anyway
    replayed = agent("replay", str(trajectory), cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "identical" in replayed.stdout


def test_replay_notices_a_different_diff(calc_repo: Path, tmp_path: Path) -> None:
    agent("solve", "-r", str(calc_repo), "-i", "x", *scripted(SCRIPTS / "fix_calc.yaml"), cwd=tmp_path)
    trajectory = next((tmp_path / "runs").iterdir()) / "trajectory.json"
    data = json.loads(trajectory.read_text())
    data["patch"] = "something else\n"
    trajectory.write_text(json.dumps(data))
    replayed = agent("replay", str(trajectory), cwd=tmp_path)
    assert replayed.returncode == 1 and "differs" in replayed.stdout


def bad_inputs(calc_repo: Path, tmp_path: Path) -> list[tuple[list[str], str]]:
    plain = tmp_path / "plain"
    plain.mkdir()
    script = scripted(SCRIPTS / "fix_calc.yaml")
    return [
        (["solve", "-r", str(tmp_path / "missing"), "-i", "x", *script], "does not exist"),
        (["solve", "-r", str(plain), "-i", "x", *script], "not inside a git repository"),
        (["solve", "-r", str(calc_repo), "-i", "x", "-m", "nosuchprovider/model-x", "-w", "local"], "nosuchprovider"),
        (["solve", "-r", str(calc_repo), "-i", "x", "-w", "local"], "API_KEY"),
        (["solve", "-r", str(calc_repo), "-i", "  ", *script], "empty"),
        (["solve", "-r", str(calc_repo), "-i", f"@{tmp_path}/nope.md", *script], "does not exist"),
        (["solve", "-r", str(calc_repo), "-i", "x", "-c", "limits.steps=-1", *script], "limits.steps"),
        (["replay", str(tmp_path / "nope.json")], "does not exist"),
    ]


def test_bad_input_is_one_line_and_non_zero(calc_repo: Path, tmp_path: Path) -> None:
    for args, message in bad_inputs(calc_repo, tmp_path):
        result = agent(*args, cwd=tmp_path)
        assert result.returncode != 0, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout, args
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)


def test_apply_refuses_a_dirty_tree(calc_repo: Path, tmp_path: Path) -> None:
    (calc_repo / "README.md").write_text("local edit\n")
    result = agent("solve", "-r", str(calc_repo), "-i", "x", *scripted(SCRIPTS / "fix_calc.yaml"), "--apply",
                   cwd=tmp_path)
    assert result.returncode == 2 and "uncommitted" in result.stderr
    assert not (tmp_path / "runs").exists()  # refused before any work


def test_help_explains_every_option(tmp_path: Path) -> None:
    top = agent("--help", cwd=tmp_path)
    assert top.returncode == 0 and "solve" in top.stdout and "replay" in top.stdout
    solve_help = agent("solve", "--help", cwd=tmp_path)
    for option in ("--repo", "--issue", "--model", "--config", "--workspace", "--out", "--apply", "--commit"):
        assert option in solve_help.stdout


def test_example_without_a_model_is_a_labelled_replay(tmp_path: Path) -> None:
    result = agent("example", "-w", "local", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No model is configured" in result.stdout or "API_KEY" in result.stdout
    assert "REPLAY" in result.stdout
    summary = next((tmp_path / "runs").iterdir()) / "summary.md"
    assert "replay" in summary.read_text()


@pytest.mark.timeout(120)
def test_ctrl_c_leaves_trajectory_and_diff_so_far(calc_repo: Path, tmp_path: Path) -> None:
    script = tmp_path / "slow.yaml"
    script.write_text(json.dumps([
        {"tool": "edit", "args": {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}},
        {"tool": "view", "args": {"path": "calc.py"}, "sleep": 60},
    ]))
    base = {k: v for k, v in os.environ.items() if k not in PROVIDER_KEYS}
    proc = subprocess.Popen([sys.executable, "-m", "agent", "solve", "-r", str(calc_repo), "-i", "x",
                             *scripted(script)], cwd=tmp_path, env=base, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=terminal_signals)
    trajectory = None
    for _ in range(600):
        runs = list((tmp_path / "runs").glob("*/trajectory.json"))  # saved atomically: always whole JSON
        steps = json.loads(runs[0].read_text()).get("steps", []) if runs else []
        if any(call["name"] == "edit" for step in steps for call in step["tool_calls"]):
            trajectory = runs[0]
            break
        subprocess.run(["sleep", "0.1"])
    assert trajectory is not None, "the run never recorded its first step"
    subprocess.run(["sleep", "0.5"])
    proc.send_signal(2)
    proc.communicate(timeout=30)
    data = json.loads(trajectory.read_text())
    assert data["exit_status"] == "Interrupted"
    assert "+    return a + b" in data["patch"]
    assert "+    return a + b" in (trajectory.parent / "patch.diff").read_text()


def test_ctrl_c_before_the_first_step_still_records_how_the_run_ended(calc_repo: Path, tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in PROVIDER_KEYS}
    proc = subprocess.Popen([sys.executable, "-m", "agent", "solve", "-r", str(calc_repo), "-i", "x",
                             *scripted(SCRIPTS / "fix_calc.yaml"), "-c", "limits.steps=1"], cwd=tmp_path, env=base,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=terminal_signals)
    for _ in range(600):  # the first save happens before the workspace exists
        if list((tmp_path / "runs").glob("*/trajectory.json")):
            break
        subprocess.run(["sleep", "0.02"])
    proc.send_signal(2)
    _, err = proc.communicate(timeout=30)
    data = json.loads(next((tmp_path / "runs").glob("*/trajectory.json")).read_text())
    assert data["exit_status"] in {"Interrupted", "StepLimitExceeded", "Submitted"}  # depends on where ^C landed
    assert "Traceback" not in err
