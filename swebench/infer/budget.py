"""The global budget of a batch, shared by every worker, and the stop signal of a Ctrl-C.

`RunLedger` wraps agent/models' `SharedBudget` (the dollars) with a stop flag. The thread backend hands
the ledger itself to its workers; the process and Ray backends keep it in one place (a manager process,
a Ray actor) and hand workers a `LedgerLink`, which forwards calls through a picklable `call` function.
Both have what a parent of a `SharedBudget` and a `BudgetedModel` need (`charge`, `check`, `exhausted`), so
an instance's model and its rollouts charge the global budget as each call returns, and every run checks
it before its next step: once the budget is spent, running instances end with `BudgetExhausted` and keep
the patch they have, and the runner starts no new instance.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from agent.models.budget import SharedBudget
from core.errors import BudgetExhausted, Interrupted

STOPPED = "stopped: the runner was interrupted"
"""Why runs end after a Ctrl-C of the runner."""


class BatchBudget(Protocol):
    """What workers and the driver use of the global budget."""

    def charge(self, dollars: float) -> None:
        """Count dollars as spent."""

    def check(self) -> None:
        """Raise BudgetExhausted (spent) or Interrupted (stopped); meant for `SolveJob.checks`."""

    def exhausted(self) -> bool:
        """True once the dollars are spent or the runner stopped."""

    def spent(self) -> float:
        """Dollars charged so far."""

    def verdict(self) -> tuple[str, str]:
        """("", "") while runs may go on, else (`Interrupted` or `BudgetExhausted`, why)."""


class RunLedger:
    """The global budget (a SharedBudget) and the stop flag, behind plain methods (proxy- and actor-friendly)."""

    def __init__(self, limit: float | None = None):
        self.budget = SharedBudget(limit or None, name="global budget")
        """The dollars every instance of the batch shares."""
        self._stopped = threading.Event()

    def charge(self, dollars: float) -> None:
        """Count `dollars` as spent."""
        self.budget.charge(dollars)

    def spent(self) -> float:
        """Dollars charged so far."""
        return self.budget.spent

    def limit(self) -> float | None:
        """The budget in dollars (None: no limit)."""
        return self.budget.limit

    def stop(self) -> None:
        """Make every run end before its next step, and the runner start nothing new."""
        self._stopped.set()

    def exhausted(self) -> bool:
        """True once the budget is spent or the runner stopped."""
        return self._stopped.is_set() or self.budget.exhausted()

    def verdict(self) -> tuple[str, str]:
        """("", "") while runs may go on, else (condition name, why): `Interrupted` or `BudgetExhausted`."""
        if self._stopped.is_set():
            return "Interrupted", STOPPED
        try:
            self.budget.check()
        except BudgetExhausted as exc:
            return "BudgetExhausted", exc.text
        return "", ""

    def check(self) -> None:
        """Raise the condition `verdict` names, if any."""
        raise_verdict(*self.verdict())


def raise_verdict(kind: str, text: str) -> None:
    """Raise Interrupted or BudgetExhausted with `text` (nothing for an empty kind)."""
    if kind == "Interrupted":
        raise Interrupted(text)
    if kind:
        raise BudgetExhausted(text)


class LedgerLink:
    """A worker's handle on a RunLedger kept elsewhere; `call(method, *args)` reaches it (picklable)."""

    def __init__(self, call: Callable[..., Any]):
        self.call = call
        """Calls a method of the ledger and returns its result."""

    def charge(self, dollars: float) -> None:
        """Count `dollars` as spent (nothing is sent for a free call)."""
        if dollars > 0:
            self.call("charge", dollars)

    def check(self) -> None:
        """Raise BudgetExhausted or Interrupted when the ledger says so."""
        raise_verdict(*self.verdict())

    def exhausted(self) -> bool:
        """True once the budget is spent or the runner stopped."""
        return bool(self.call("exhausted"))

    def spent(self) -> float:
        """Dollars charged so far."""
        return float(self.call("spent"))

    def verdict(self) -> tuple[str, str]:
        """The ledger's verdict (see RunLedger.verdict)."""
        kind, text = self.call("verdict")
        return kind, text
