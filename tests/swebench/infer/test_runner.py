"""The runner with scripted models in local workspaces (no Docker): predictions, resume, budget, faults, backends."""

from __future__ import annotations

import json

import pytest

from agent.models.budget import SharedBudget
from core.errors import UserError
from swebench.infer.instance_job import run_instance
from swebench.infer.task import ERROR, NOT_STARTED, PREDICTED, InstanceTask

from .conftest import GOLD, REPRO_TEST, read_lines, write_script

FIXED = "+    return a + b\n"
"""The added line of the gold fix."""


def test_every_instance_gets_one_prediction_a_folder_and_a_summary(batch):
    config = batch.config(write_script(batch.root, "gold.json", GOLD))
    summary = batch.run(config)
    folder = batch.root / "runs" / "swebench" / "r1"
    lines = read_lines(folder / "preds.jsonl")
    assert sorted(line["instance_id"] for line in lines) == [i.instance_id for i in batch.instances]
    assert all(FIXED in line["model_patch"] and line["model_name_or_path"] == "scripted" for line in lines)
    for instance in batch.instances:
        outcome = json.loads((folder / "infer" / instance.instance_id / "outcome.json").read_text())
        assert (outcome["kind"], outcome["exit_status"], outcome["steps"]) == (PREDICTED, "Submitted", 2)
        trajectory = json.loads((folder / "infer" / instance.instance_id / "trajectory.json").read_text())
        assert trajectory["extra"]["swebench"] == {"instance_id": instance.instance_id,
                                                   "excluded_from_model_patch": []}
    info = json.loads((folder / "infer.json").read_text())
    assert info["kinds"] == {PREDICTED: 4} and info["exit_statuses"] == {"Submitted": 4}
    assert info["spent"] == pytest.approx(0.04) and summary.note() == ""


def test_reproduction_tests_are_kept_out_of_the_prediction_and_listed_in_the_trajectory(batch):
    config = batch.config(write_script(batch.root, "repro.json", [GOLD[0], REPRO_TEST, GOLD[1]]))
    summary = batch.run(config, batch.instances[:1])
    outcome = summary.outcomes["acme__calc-1"]
    assert outcome.excluded_tests == ["tests/test_repro.py"]
    assert FIXED in outcome.model_patch and "test_repro" not in outcome.model_patch
    folder = batch.root / "runs" / "swebench" / "r1" / "infer" / "acme__calc-1"
    trajectory = json.loads((folder / "trajectory.json").read_text())
    assert trajectory["extra"]["swebench"]["excluded_from_model_patch"] == ["tests/test_repro.py"]
    assert "tests/test_repro.py" in trajectory["patch"]  # the whole diff stays in the trajectory


def test_a_rerun_skips_predicted_instances_and_redo_replaces_them_without_duplicates(batch):
    config = batch.config(write_script(batch.root, "gold.json", GOLD))
    batch.run(config, batch.instances[:2])
    preds = batch.root / "runs" / "swebench" / "r1" / "preds.jsonl"
    first = preds.read_text()
    again = batch.run(config)
    assert again.progress.tally.skipped == 2 and sorted(again.outcomes) == ["acme__calc-3", "acme__calc-4"]
    assert preds.read_text().startswith(first)
    redone = batch.run(config, redo=True)
    assert len(redone.outcomes) == 4
    ids = [line["instance_id"] for line in read_lines(preds)]
    assert sorted(ids) == sorted(set(ids)) == [i.instance_id for i in batch.instances]


def test_when_the_global_budget_runs_out_running_instances_submit_what_they_have_and_no_new_one_starts(batch):
    # $0.03 a step: an instance that runs alone reaches the budget within 4 steps, before 5 identical calls would
    # end it for repeating itself
    spend = [{"tool": "apply_patch", "args": GOLD[0]["args"], "cost": 0.03, "sleep": 0.1},
             {"tool": "run", "args": {"command": "true"}, "cost": 0.03, "sleep": 0.2, "repeat": "forever"}]
    config = batch.config(write_script(batch.root, "spend.json", spend))
    summary = batch.run(config, budget=0.1)
    ended, not_started = summary.outcomes, summary.not_started
    # two instances start at once; under load one may still be preparing its environment when the other has spent
    # the budget, and then it too counts as not started
    assert summary.budget_spent and {"acme__calc-3", "acme__calc-4"} <= set(not_started)
    assert ended and sorted([*ended, *not_started]) == [f"acme__calc-{i}" for i in range(1, 5)]
    for outcome in ended.values():
        assert (outcome.kind, outcome.exit_status) == (PREDICTED, "BudgetExhausted")
        assert FIXED in outcome.model_patch and "global budget of $0.10" in outcome.message
    spent = summary.progress.tally.spent
    assert 0.1 <= spent <= 0.1 + len(ended) * 0.03  # at most one step per running instance past the budget
    assert f"{len(not_started)} instance(s) were not started and {len(ended)} ended early" in summary.note()
    preds = batch.root / "runs" / "swebench" / "r1" / "preds.jsonl"
    assert sorted(line["instance_id"] for line in read_lines(preds)) == sorted(ended)
    info = json.loads((batch.root / "runs" / "swebench" / "r1" / "infer.json").read_text())
    assert info["budget_spent"] and info["not_started"] == not_started
    rest = batch.run(batch.config(write_script(batch.root, "gold.json", GOLD)), budget=1.0)
    assert sorted(rest.outcomes) == sorted(not_started) and not rest.budget_spent


@pytest.mark.parametrize(("actions", "overrides", "exit_status", "kind"), [
    ([{"raise": "RateLimitError", "retry_after": 0}, {"raise": "RateLimitError"}, *GOLD], [], "Submitted", PREDICTED),
    ([GOLD[0], {"tool": "view", "args": {"path": "calc.py"}, "repeat": "forever"}], ["limits.steps=4"],
     "StepLimitExceeded", PREDICTED),
    ([GOLD[0]], [], "ScriptExhausted", PREDICTED),
    ([{"raise": "AuthenticationError"}], [], "ModelError", ERROR),
], ids=["rate-limits-retried", "never-submits", "script-runs-out", "provider-refuses"])
def test_fault_directives_end_as_predictions_or_errors(batch, actions, overrides, exit_status, kind):
    config = batch.config(write_script(batch.root, "faults.json", actions), *overrides)
    summary = batch.run(config, batch.instances[:1])
    outcome = summary.outcomes["acme__calc-1"]
    assert (outcome.exit_status, outcome.kind) == (exit_status, kind)
    preds = batch.root / "runs" / "swebench" / "r1" / "preds.jsonl"
    lines = read_lines(preds) if preds.exists() else []
    if kind == PREDICTED:
        assert FIXED in lines[0]["model_patch"]
    else:  # no prediction: a rerun tries again
        assert lines == []
        assert batch.run(batch.config(write_script(batch.root, "gold.json", GOLD)), batch.instances[:1]).outcomes


def test_a_repository_missing_from_the_mirrors_is_an_error_of_that_instance_only(batch, monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr("swebench.mirrors.CLONE_URL", str(batch.root / "nowhere" / "{repo}"))  # no GitHub
    monkeypatch.setenv("XDG_CACHE_HOME", str(batch.root / "cache"))  # the clone cache and its lock files
    lost = replace(batch.instances[0], instance_id="acme__gone-1", repo="acme/gone")
    summary = batch.run(batch.config(write_script(batch.root, "gold.json", GOLD)), [lost, batch.instances[1]])
    assert summary.outcomes["acme__gone-1"].kind == ERROR
    assert summary.outcomes["acme__calc-2"].kind == PREDICTED


def test_a_problem_with_the_run_settings_stops_the_run(batch):
    with pytest.raises(UserError, match="could not be read"):
        batch.run(batch.config(batch.root / "missing.json"))


def test_several_rollouts_write_their_patches_for_pass_at_k(batch):
    wrong = [{"tool": "edit", "args": {"path": "calc.py", "old_text": "return a - b", "new_text": "return b - a"}},
             GOLD[1]]
    scripts = [write_script(batch.root, "gold.json", GOLD), write_script(batch.root, "wrong.json", wrong),
               write_script(batch.root, "gold2.json", GOLD)]
    config = batch.config(scripts[0], "samples.count=3", "samples.select=vote", "repair.reproduce=0",
                          f"model.scripts=[{', '.join(map(str, scripts))}]")
    summary = batch.run(config, batch.instances[:1])
    outcome = summary.outcomes["acme__calc-1"]
    assert outcome.kind == PREDICTED and outcome.selected in (0, 2) and FIXED in outcome.model_patch
    record = read_lines(batch.root / "runs" / "swebench" / "r1" / "rollouts.jsonl")[0]
    assert record["selected"] == outcome.selected and len(record["patches"]) == 3
    assert "return b - a" in record["patches"][1]


def test_an_instance_does_not_start_once_the_budget_is_spent(batch):
    ledger = SharedBudget(0.01)
    ledger.charge(0.02)
    task = InstanceTask(batch.instances[0], batch.config(batch.root / "unused.json"), batch.root / "x")
    outcome = run_instance(task, ledger)
    assert (outcome.kind, outcome.exit_status) == (NOT_STARTED, "BudgetExhausted")
    assert not task.out_dir.exists()


def test_the_process_backend_runs_instances_in_worker_processes(batch):
    config = batch.config(write_script(batch.root, "gold.json", GOLD))
    summary = batch.run(config, batch.instances[:2], backend="process", budget=5.0)
    assert [o.kind for o in summary.outcomes.values()] == [PREDICTED, PREDICTED]
    assert summary.progress.tally.spent == pytest.approx(0.02)  # charged through the manager's ledger
    folder = batch.root / "runs" / "swebench" / "r1" / "infer"
    assert sorted(p.name for p in (folder / "acme__calc-1").iterdir()) == [
        "outcome.json", "patch.diff", "summary.md", "trajectory.json"]


def test_secrets_are_redacted_from_what_the_runner_writes(batch, monkeypatch):
    monkeypatch.setenv("CALC_SERVICE_TOKEN", "tok-7f3a9c1e5b")
    leak = [{"tool": "run", "args": {"command": "echo tok-7f3a9c1e5b"}}, *GOLD]
    batch.run(batch.config(write_script(batch.root, "leak.json", leak)), batch.instances[:1])
    trajectory = (batch.root / "runs" / "swebench" / "r1" / "infer" / "acme__calc-1" / "trajectory.json").read_text()
    assert "tok-7f3a9c1e5b" not in trajectory and "[REDACTED]" in trajectory
