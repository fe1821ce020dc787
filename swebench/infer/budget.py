"""A worker's handle on the batch's ledger when the ledger lives in another process.

The thread backend hands its workers the ledger itself (agent/models/budget.py's `SharedBudget`); the process and
Ray backends keep it in one place (a manager process, a Ray actor) and hand workers a `LedgerLink`, which forwards
the same methods through a picklable `call` function. So an instance's model charges the global budget as each call
returns, and every run checks it before its next step: once the budget is spent, running instances end with
`BudgetExhausted` and keep the patch they have, and the runner starts no new instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.models.budget import raise_verdict


class LedgerLink:
    """A worker's handle on a SharedBudget kept elsewhere; `call(method, *args)` reaches it (picklable)."""

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
        """The ledger's verdict (see SharedBudget.verdict)."""
        kind, text = self.call("verdict")
        return kind, text
