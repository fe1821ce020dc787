"""The shared budget: charged as money is spent, across threads (a batch's instances share one)."""

from __future__ import annotations

import threading

import pytest

from agent.models.budget import BudgetedModel, SharedBudget
from agent.models.scripted import ScriptedModel
from core.errors import BudgetExhausted, FormatError
from core.types import ToolSpec


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
