"""The global budget held by a real manager process, reached by a worker through its proxy."""

from __future__ import annotations

import multiprocessing
import pickle

import pytest

from agent.config import load_config
from agent.models.budget import BudgetedModel
from agent.models.scripted import ScriptedModel
from core.errors import BudgetExhausted, Interrupted
from core.types import Message
from swebench.infer.backends import LedgerManager
from tools.registry import make_tools


def test_a_proxy_of_a_manager_process_charges_checks_and_stops():
    manager = LedgerManager(ctx=multiprocessing.get_context("spawn"))
    manager.start()
    try:
        proxy = manager.SharedBudget(0.05, "global budget")
        link = pickle.loads(pickle.dumps(proxy))  # as a worker gets it
        model = BudgetedModel(ScriptedModel([{"tool": "submit", "cost": 0.03}] * 2), link)
        specs = [make_tools(load_config([]))["submit"].spec]
        model.query([Message(role="user", content="go")], specs)
        link.check()
        assert not link.exhausted() and link.spent() == pytest.approx(0.03)
        model.query([Message(role="user", content="go")], specs)
        assert proxy.spent() == pytest.approx(0.06) and link.exhausted()
        with pytest.raises(BudgetExhausted, match="global budget"):
            link.check()
        link.charge(0.0)  # free calls cost nothing
        assert proxy.spent() == pytest.approx(0.06)
        proxy.stop()
        with pytest.raises(Interrupted):
            link.check()
    finally:
        manager.shutdown()
