"""`agent swebench` mistakes that end in one clear sentence and exit status 2 (no Docker involved)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def agent(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "XDG_CACHE_HOME": str(cwd / "cache"), "DOCKER_HOST": "tcp://127.0.0.1:9"}
    return subprocess.run([sys.executable, "-m", "agent", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env)


def test_unknown_instances_datasets_and_missing_files(tmp_path):
    cases = [
        (["swebench", "validate", "--dataset", "lite-dev", "nobody__nothing-1"], "Not in the dataset"),
        (["swebench", "eval", "--dataset", "nonsense", "--run-id", "x", "-p", "p.jsonl"], "Unknown dataset"),
        (["swebench", "eval", "--dataset", "lite-dev", "--run-id", "x"], "--predictions"),
        (["swebench", "eval", "--dataset", "lite-dev", "--run-id", "x", "-p", "missing.jsonl"],
         "Cannot read the predictions file"),
        (["swebench", "report", "never-ran"], "No evaluation run"),
        (["swebench", "validate", "--dataset", "lite-dev", "--mirrors", "no-such-dir",
          "marshmallow-code__marshmallow-1343"], "mirror directory"),
    ]
    for args, message in cases:
        result = agent(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2, result.stderr


def test_no_docker_engine_is_one_sentence(tmp_path):
    result = agent("swebench", "validate", "--dataset", "lite-dev", "marshmallow-code__marshmallow-1343", cwd=tmp_path)
    assert result.returncode == 2 and "No Docker engine is reachable" in result.stderr
