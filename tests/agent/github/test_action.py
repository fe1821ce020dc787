"""`action.yml` and the example workflow: actionlint on both, and the safety properties a maintainer reads for."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "agent.yml"
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")

needs_actionlint = pytest.mark.skipif(ACTIONLINT is None and not os.environ.get("CI"),
                                      reason="actionlint is in the dev extra: pip install -e '.[dev]' (required in CI)")


def actionlint(cwd: Path, *files: str) -> subprocess.CompletedProcess:
    """actionlint on `files` in `cwd` (shellcheck and pyflakes integrations off: not installed everywhere)."""
    assert ACTIONLINT
    return subprocess.run([ACTIONLINT, "-oneline", "-no-color", "-shellcheck=", "-pyflakes=", *files], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


@needs_actionlint
def test_workflow_passes_actionlint_against_the_local_action() -> None:
    result = actionlint(ROOT, str(WORKFLOW.relative_to(ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr


@needs_actionlint
def test_actionlint_does_read_the_action_inputs(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # actionlint finds `./` from the git root
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, tmp_path / "action.yml")
    text = WORKFLOW.read_text().replace("          cost-limit:", "          no-such-input: x\n          cost-limit:")
    (tmp_path / ".github" / "workflows" / "agent.yml").write_text(text)
    result = actionlint(tmp_path, ".github/workflows/agent.yml")
    assert result.returncode == 1 and "no-such-input" in result.stdout


@needs_actionlint
def test_composite_steps_pass_actionlint(tmp_path: Path) -> None:
    """actionlint checks workflows, so the action's steps are linted as the job of a reusable workflow."""
    action = load(ACTION)
    inputs = {name: {"type": "string", "required": False, "description": spec["description"]}
              for name, spec in action["inputs"].items()}
    workflow = {"on": {"workflow_call": {"inputs": inputs}},
                "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}}}
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "action.yml").write_text(yaml.safe_dump(workflow, sort_keys=False))
    result = actionlint(tmp_path, ".github/workflows/action.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_is_composite_and_uses_every_input_it_declares() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert all(step.get("shell") == "bash" for step in steps if "run" in step)
    text = ACTION.read_text()
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used == set(action["inputs"])
    assert not [name for name in action["inputs"] if re.search(r"key|secret|password", name)], \
        "the model key must come from a secret in the environment, not an input"
    run = next(step["run"] for step in steps if "agent github event" in step.get("run", ""))
    assert "${{" not in run, "inputs reach the script through env, never by expression interpolation"


def test_workflow_triggers_on_labels_one_run_per_issue_with_secrets_only_in_env() -> None:
    workflow = load(WORKFLOW)
    assert workflow["on"] == {"issues": {"types": ["labeled"]}}
    assert "github.event.issue.number" in workflow["concurrency"]["group"]
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert workflow["permissions"] == {"contents": "write", "issues": "write", "pull-requests": "write"}
    job = workflow["jobs"]["solve"]
    assert "github.event.label.name" in job["if"]
    checkout = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False
    agent = next(s for s in job["steps"] if s.get("uses") == "./")
    assert "secrets." not in yaml.safe_dump(agent.get("with", {}))
    assert all("secrets." in str(v) for v in agent["env"].values())
