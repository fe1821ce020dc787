"""The shared budget: charged as money is spent, across threads, and rollouts stop at it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agent.issue import IssueText
from agent.models.scripted import ScriptedModel
from agent.repo import resolve_repo
from agent.samples import BudgetedModel, SampleJob, SharedBudget, solve_samples
from core.errors import BudgetExhausted, FormatError
from core.types import ToolSpec
from tests.agent.samples.conftest import sample_config


def test_charges_add_up_across_threads_and_reach_the_parent() -> None:
    batch = SharedBudget(100.0, name="batch budget")
    solve = SharedBudget(None, parent=batch)
    threads = [threading.Thread(target=lambda: [solve.charge(0.01) for _ in range(1000)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert solve.spent == pytest.approx(40.0) and batch.spent == pytest.approx(40.0)
    assert solve.remaining is None and batch.remaining == pytest.approx(60.0)
    solve.check()  # neither is spent
    batch.charge(60.0)
    assert solve.exhausted()
    with pytest.raises(BudgetExhausted, match=r"batch budget of \$100.00"):
        solve.check()


def test_a_budget_of_its_own_stops_before_the_parent() -> None:
    budget = SharedBudget(0.5, parent=SharedBudget(10.0))
    budget.charge(0.5)
    with pytest.raises(BudgetExhausted, match=r"shared budget of \$0.50 is spent"):
        budget.check()
    assert not budget.parent.exhausted()


def test_budgeted_model_charges_each_call_when_it_returns_or_fails() -> None:
    budget = SharedBudget(1.0)
    model = BudgetedModel(ScriptedModel([{"tool": "submit", "args": {}, "cost": 0.25},
                                         {"malformed": "no action here", "cost": 0.5}]), budget)
    tools = [ToolSpec(name="submit", description="Finish.", parameters={"type": "object", "properties": {}})]
    model.query([], tools)
    assert budget.spent == pytest.approx(0.25) and model.cost == pytest.approx(0.25)
    assert model.name == "scripted" and model.steps == 1  # other attributes pass through
    with pytest.raises(FormatError):
        model.query([], tools)
    assert budget.spent == pytest.approx(0.75)


def spend_forever(tmp_path: Path, repo: Path, *overrides: str):
    script = tmp_path / "spend.yaml"
    script.write_text("- tool: view\n  args: {path: calc.py}\n  cost: 0.01\n  repeat: forever\n")
    config = sample_config(tmp_path, [], f"model.scripts=[{script}]", "samples.count=3", "samples.budget=0.05",
                           "samples.reproduction=none", "limits.repeated_calls=1000", *overrides)
    return solve_samples(SampleJob(config=config, repo=resolve_repo(str(repo)), issue=IssueText(text="x")))


def test_rollouts_one_after_another_stop_exactly_at_the_budget(signs_repo: Path, tmp_path: Path) -> None:
    result = spend_forever(tmp_path, signs_repo, "samples.workers=1")
    assert [r.exit_status for r in result.rollouts] == ["BudgetExhausted"] * 3
    assert [r.result.steps for r in result.rollouts] == [5, 0, 0]
    assert result.budget.spent == pytest.approx(0.05) and result.cost == pytest.approx(0.05)
    assert "shared budget of $0.05" in result.rollouts[1].result.message
    assert result.chosen is None and "none of the 3" in result.selection.reason


def test_parallel_rollouts_overshoot_by_at_most_one_step_each(signs_repo: Path, tmp_path: Path) -> None:
    result = spend_forever(tmp_path, signs_repo, "samples.workers=3")
    assert [r.exit_status for r in result.rollouts] == ["BudgetExhausted"] * 3
    assert 0.05 <= result.budget.spent <= 0.05 + 3 * 0.01 + 1e-9
    assert result.cost == pytest.approx(result.budget.spent)
