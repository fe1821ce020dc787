"""The global budget: the ledger, a link to it through a real manager process, nesting under SharedBudget."""

from __future__ import annotations

import multiprocessing

import pytest

from agent.config import load_config
from agent.models.budget import BudgetedModel, SharedBudget
from agent.models.scripted import ScriptedModel
from core.errors import BudgetExhausted, Interrupted
from core.types import Message
from swebench.infer.backends import LedgerManager, ProxyCall
from swebench.infer.budget import STOPPED, LedgerLink, RunLedger
from tools.registry import make_tools


def test_the_ledger_is_spent_at_its_limit_and_stopping_wins_over_money():
    ledger = RunLedger(1.0)
    assert ledger.verdict() == ("", "") and not ledger.exhausted()
    ledger.charge(0.6)
    ledger.check()
    ledger.charge(0.4)
    kind, text = ledger.verdict()
    assert kind == "BudgetExhausted" and "global budget of $1.00" in text and ledger.exhausted()
    with pytest.raises(BudgetExhausted):
        ledger.check()
    ledger.stop()
    assert ledger.verdict() == ("Interrupted", STOPPED)
    with pytest.raises(Interrupted):
        ledger.check()


def test_without_a_limit_only_a_stop_ends_runs():
    ledger = RunLedger(None)
    ledger.charge(1e6)
    assert not ledger.exhausted() and ledger.spent() == 1e6 and ledger.limit() is None
    ledger.stop()
    assert ledger.exhausted()


def test_a_link_through_a_manager_process_charges_checks_and_nests_under_a_shared_budget():
    manager = LedgerManager(ctx=multiprocessing.get_context("spawn"))
    manager.start()
    try:
        proxy = manager.RunLedger(0.05)
        link = LedgerLink(ProxyCall(proxy))
        rollouts = SharedBudget(None, parent=link)  # a budget nested in an instance's
        model = BudgetedModel(ScriptedModel([{"tool": "submit", "cost": 0.03}] * 2), rollouts)
        specs = [make_tools(load_config([]))["submit"].spec]
        model.query([Message(role="user", content="go")], specs)
        link.check()
        assert not link.exhausted() and link.spent() == pytest.approx(0.03)
        model.query([Message(role="user", content="go")], specs)
        assert proxy.spent() == pytest.approx(0.06) and rollouts.spent == pytest.approx(0.06)
        with pytest.raises(BudgetExhausted, match="global budget"):
            rollouts.check()
        link.charge(0.0)  # free calls send nothing
        proxy.stop()
        with pytest.raises(Interrupted):
            link.check()
    finally:
        manager.shutdown()
