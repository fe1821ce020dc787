"""`agent solve --samples N` through the real entry point; `--samples 1` stays one ordinary run."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.agent.search.conftest import ISSUE, SCRIPTS
from tests.agent.test_cli import agent


def scripted(*names: str) -> list[str]:
    paths = ",".join(str(SCRIPTS / name) for name in names)
    return ["-c", "model.type=scripted", "-c", f"model.scripts=[{paths}]", "-c", f"model.script={SCRIPTS / names[0]}",
            "-w", "local", "--strategy", "loop", "-c", "repair.reproduce=0"]


def env() -> dict[str, str]:
    return {"PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}


def test_samples_choose_a_patch_print_the_table_and_write_it(signs_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "fix.diff"
    issue = ISSUE + " test_calc.py must keep passing."
    result = agent("solve", "--repo", str(signs_repo), "--issue", issue, *scripted("fix_wrong.yaml", "fix_tidy.yaml"),
                   "--samples", "2", "--temperature", "0.8", "--top-p", "0.9", "--out", str(out),
                   cwd=tmp_path, env=env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "#1 was chosen: the best test score, 0" in result.stdout
    assert "lower test score (-1 vs 0)" in result.stdout and "patch gate: passed" in result.stdout
    assert "step 1" in result.stdout and "rollouts/1/ holds the chosen rollout's conversation" in result.stdout
    assert "_combine(a, b, 1)" in out.read_text()
    run_dir = next((tmp_path / "runs").iterdir())
    assert {p.name for p in run_dir.iterdir()} == {"rollouts", "trajectory.json", "patch.diff", "summary.md"}
    trajectory = json.loads((run_dir / "trajectory.json").read_text())
    assert trajectory["config"]["model"]["temperature"] == 0.8 and trajectory["config"]["model"]["top_p"] == 0.9
    assert "## Candidates (2 rollouts, select: tests+vote)" in (run_dir / "summary.md").read_text()


def test_no_candidate_exits_1_and_says_why(signs_repo: Path, tmp_path: Path) -> None:
    result = agent("solve", "-r", str(signs_repo), "-i", ISSUE, *scripted("give_up.yaml"), "--samples", "2",
                   "--select", "vote", cwd=tmp_path, env=env())
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No candidate was chosen: none of the 2" in result.stdout and "patch gate: no change" in result.stdout


def test_one_sample_is_the_ordinary_run(signs_repo: Path, tmp_path: Path) -> None:
    result = agent("solve", "-r", str(signs_repo), "-i", ISSUE, *scripted("fix_tidy.yaml"), "--samples", "1",
                   "--temperature", "0.3", cwd=tmp_path, env=env())
    assert result.returncode == 0, result.stdout + result.stderr
    run_dir = next((tmp_path / "runs").iterdir())
    assert {p.name for p in run_dir.iterdir()} == {"trajectory.json", "patch.diff", "summary.md"}
    trajectory = json.loads((run_dir / "trajectory.json").read_text())
    assert trajectory["config"]["model"]["temperature"] == 0.3 and "Candidates" not in result.stdout


def test_a_bad_selection_mode_is_one_sentence(signs_repo: Path, tmp_path: Path) -> None:
    result = agent("solve", "-r", str(signs_repo), "-i", ISSUE, *scripted("fix_tidy.yaml"), "--samples", "2",
                   "--select", "best", cwd=tmp_path, env=env())
    assert result.returncode == 2 and "--select" in result.stderr and "Traceback" not in result.stderr
