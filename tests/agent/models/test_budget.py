"""The one ledger: charged as money is spent, across threads (a batch's instances share one), and stopped."""

from __future__ import annotations

import threading

import pytest

from agent.models.budget import STOPPED, BudgetedModel, SharedBudget
from agent.models.scripted import ScriptedModel
from core.errors import BudgetExhausted, FormatError, Interrupted
from core.types import ToolSpec


def test_charges_add_up_across_threads_until_the_limit() -> None:
    batch = SharedBudget(100.0, name="batch budget")
    threads = [threading.Thread(target=lambda: [batch.charge(0.01) for _ in range(1000)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert batch.spent() == pytest.approx(40.0) and batch.verdict() == ("", "")
    batch.check()  # not spent yet
    batch.charge(60.0)
    assert batch.exhausted()
    with pytest.raises(BudgetExhausted, match=r"batch budget of \$100.00 is spent"):
        batch.check()


def test_stopping_wins_over_money_and_without_a_limit_only_a_stop_ends_runs() -> None:
    budget = SharedBudget(1.0)
    budget.charge(2.0)
    assert budget.verdict()[0] == "BudgetExhausted"
    budget.stop()
    assert budget.verdict() == ("Interrupted", STOPPED)
    with pytest.raises(Interrupted):
        budget.check()
    unlimited = SharedBudget(None)
    unlimited.charge(1e6)
    assert not unlimited.exhausted() and unlimited.spent() == 1e6
    unlimited.stop()
    assert unlimited.exhausted()


def test_budgeted_model_charges_each_call_when_it_returns_or_fails() -> None:
    budget = SharedBudget(1.0)
    model = BudgetedModel(ScriptedModel([{"tool": "submit", "args": {}, "cost": 0.25},
                                         {"malformed": "no action here", "cost": 0.5}]), budget)
    tools = [ToolSpec(name="submit", description="Finish.", parameters={"type": "object", "properties": {}})]
    model.query([], tools)
    assert budget.spent() == pytest.approx(0.25) and model.cost == pytest.approx(0.25)
    assert model.name == "scripted" and model.steps == 1  # other attributes pass through
    with pytest.raises(FormatError):
        model.query([], tools)
    assert budget.spent() == pytest.approx(0.75)


def test_budgeted_model_charges_plain_completions_and_a_scripted_one_stops_where_a_server_would() -> None:
    budget = SharedBudget(1.0)
    model = BudgetedModel(ScriptedModel([{"text": "    return 1\n[DONE]\nmore", "cost": 0.125}]), budget)
    reply = model.continue_text("def f():\n", stop=["[DONE]"])
    assert reply.content == "    return 1\n" and budget.spent() == pytest.approx(0.125)
