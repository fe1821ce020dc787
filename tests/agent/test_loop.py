"""The loop end to end with the scripted model, real tools and a real local workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_config
from agent.issue import IssueText
from agent.models.scripted import ScriptedModel
from agent.repo import resolve_repo
from agent.runner import SolveJob, solve
from agent.trajectory import load_trajectory
from tools.registry import make_tools

SCRIPTS = Path(__file__).parent / "scripts"


def run_script(repo: Path, tmp_path: Path, actions, *overrides: str):
    config = load_config(["workspace.type=local", f"runs_dir={tmp_path / 'runs'}", "strategy=loop", *overrides])
    model = ScriptedModel(actions) if not isinstance(actions, Path) else ScriptedModel(actions)
    job = SolveJob(config=config, repo=resolve_repo(str(repo)), issue=IssueText(text="add() subtracts"),
                   model=model, tools=make_tools(config))
    result = solve(job)
    return result, load_trajectory(result.run_dir / "trajectory.json")


def test_scripted_fix_submits_passes_the_gate_and_records_everything(calc_repo: Path, tmp_path: Path) -> None:
    result, data = run_script(calc_repo, tmp_path, SCRIPTS / "fix_calc.yaml")
    assert result.exit_status == "Submitted"
    assert "+    return a + b" in result.patch
    assert result.gate.passed
    assert data.exit_message == "add subtracted; now it adds."
    assert [m.role for m in data.messages[:2]] == ["system", "user"]
    assert "add() subtracts" in data.messages[1].content
    names = [c.name for s in data.steps for c in s.tool_calls]
    assert names == ["search", "view", "edit", "run", "submit"]
    assert all(c.seconds >= 0 for s in data.steps for c in s.tool_calls)
    assert data.cost == pytest.approx(0.001)
    tool_messages = [m for m in data.messages if m.role == "tool"]
    assert "ok" in tool_messages[3].content  # the run's output reached the model
    assert (result.run_dir / "patch.diff").read_text() == result.patch
    assert "passed" in (result.run_dir / "summary.md").read_text()


def test_step_limit_keeps_the_patch_so_far(calc_repo: Path, tmp_path: Path) -> None:
    actions = [
        {"tool": "edit", "args": {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}},
        {"tool": "view", "args": {"path": "calc.py"}, "repeat": "forever"},
    ]
    result, data = run_script(calc_repo, tmp_path, actions, "limits.steps=4")
    assert result.exit_status == "StepLimitExceeded"
    assert len(data.steps) == 4
    assert "+    return a + b" in result.patch


def test_cost_limit(calc_repo: Path, tmp_path: Path) -> None:
    actions = [{"tool": "view", "args": {"path": "calc.py"}, "cost": 0.6, "repeat": "forever"}]
    result, data = run_script(calc_repo, tmp_path, actions, "limits.cost=1.0")
    assert result.exit_status == "CostLimitExceeded"
    assert len(data.steps) == 2 and data.cost == pytest.approx(1.2)


def test_wall_time_limit(calc_repo: Path, tmp_path: Path) -> None:
    actions = [{"tool": "view", "args": {"path": "calc.py"}, "sleep": 0.3, "repeat": "forever"}]
    result, _ = run_script(calc_repo, tmp_path, actions, "limits.wall_time=0.5")
    assert result.exit_status == "TimeLimitExceeded"


def test_format_errors_and_bad_calls_become_observations(calc_repo: Path, tmp_path: Path) -> None:
    actions = [
        {"malformed": "I will now fix it, no JSON here"},
        {"tool": "view", "args": {"path": "calc.py", "colour": "red"}},
        {"tool": "view", "args": {"path": "../../etc/passwd"}},
        {"tool": "frobnicate", "args": {}},
        {"tool": "submit", "args": {}},
    ]
    result, data = run_script(calc_repo, tmp_path, actions)
    assert result.exit_status == "Submitted"
    assert data.steps[0].format_error
    assert "frobnicate" in data.steps[3].format_error  # an unknown tool is a reply the model must redo
    errors = [c for s in data.steps for c in s.tool_calls if c.error]
    assert [c.name for c in errors] == ["view", "view"]
    tool_text = [m.content for m in data.messages if m.role == "tool"]
    assert "colour" in tool_text[0]
    assert "outside" in tool_text[1].lower()
    assert result.gate.status == "no change"


def test_script_that_ends_without_submit(calc_repo: Path, tmp_path: Path) -> None:
    actions = [{"tool": "edit", "args": {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}}]
    result, _ = run_script(calc_repo, tmp_path, actions)
    assert result.exit_status == "ScriptExhausted"
    assert "+    return a + b" in result.patch and result.gate.passed


def test_a_repeated_call_with_the_same_result_gets_a_note(calc_repo: Path, tmp_path: Path) -> None:
    actions = [
        {"tool": "search", "args": {"pattern": "nothing_like_this"}},
        {"tool": "search", "args": {"pattern": "nothing_like_this"}},
        {"tool": "view", "args": {"path": "calc.py"}},
        {"tool": "submit", "args": {}},
    ]
    _, data = run_script(calc_repo, tmp_path, actions)
    outputs = [m.content for m in data.messages if m.role == "tool"]
    assert "No matches" in outputs[0]
    assert "already made this exact call" in outputs[1] and "No matches" not in outputs[1]
    assert "already made this exact call" not in outputs[2]


def test_format_errors_in_a_row_end_the_run_with_a_clear_status(calc_repo: Path, tmp_path: Path) -> None:
    actions = [{"malformed": "Let me think about it."}, {"tool": "view", "args": {"path": "calc.py"}},
               {"malformed": "no action", "repeat": 3}, {"tool": "submit", "args": {}}]
    result, data = run_script(calc_repo, tmp_path, actions, "limits.format_errors=3")
    assert result.exit_status == "FormatErrorLimitExceeded"
    assert "3 replies in a row could not be read" in result.message
    assert [bool(s.format_error) for s in data.steps] == [True, False, True, True, True]


def test_the_same_call_with_the_same_result_ends_the_run(calc_repo: Path, tmp_path: Path) -> None:
    actions = [{"tool": "view", "args": {"path": ".", "start": 15}, "repeat": "forever"}]
    result, data = run_script(calc_repo, tmp_path, actions, "limits.repeated_calls=3")
    assert result.exit_status == "RepeatedCallLimitExceeded"
    assert len(data.steps) == 3 and "same view call 3 times" in result.message


def test_a_wall_limit_ends_a_slow_model_call_in_flight(calc_repo: Path, tmp_path: Path) -> None:
    import time

    started = time.monotonic()
    result, data = run_script(calc_repo, tmp_path, [{"tool": "submit", "args": {}, "sleep": 30}],
                              "limits.wall_time=1")
    assert result.exit_status == "TimeLimitExceeded" and time.monotonic() - started < 10
    assert (result.run_dir / "summary.md").exists() and data.exit_status == "TimeLimitExceeded"


def test_only_the_first_of_several_actions_runs_and_the_model_is_told(calc_repo: Path, tmp_path: Path) -> None:
    plan = ('```json\n{"tool": "view", "args": {"path": "calc.py"}}\n```\nObservation: it adds\n'
            '```json\n{"tool": "submit", "args": {}}\n```')
    result, data = run_script(calc_repo, tmp_path, [{"malformed": plan}, {"tool": "submit", "args": {}}])
    assert result.exit_status == "Submitted" and [c.name for c in data.steps[0].tool_calls] == ["view"]
    assistant = next(m for m in data.messages if m.role == "assistant")
    assert "Observation" not in assistant.content
    observation = next(m for m in data.messages if m.role == "tool").content
    assert observation.startswith("Note: your reply held 1 more action(s)") and "def add" in observation
