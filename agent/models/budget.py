"""The one budget ledger: dollars several runs share and a stop flag.
`BudgetedModel` charges each call as it returns; `SharedBudget.check` stops a run before its next step, so the
overshoot is at most one call per run in flight. Plain methods only, so a manager proxy or a Ray actor can hold it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from core.errors import BudgetExhausted, Interrupted
from core.model import Model
from core.types import Message

STOPPED = "stopped: the runner was interrupted"
"""Why runs end after the ledger is stopped."""


class Ledger(Protocol):
    """What runs use of a ledger: a SharedBudget here, or a link to one held by another process."""

    def charge(self, dollars: float) -> None:
        """Count dollars as spent."""

    def spent(self) -> float:
        """Dollars charged so far."""

    def exhausted(self) -> bool:
        """True once the dollars are spent or the ledger is stopped."""

    def verdict(self) -> tuple[str, str]:
        """("", "") while runs may go on, else (`Interrupted` or `BudgetExhausted`, why)."""

    def check(self) -> None:
        """Raise BudgetExhausted (spent) or Interrupted (stopped)."""


class SharedBudget:
    """Dollars several runs may spend together, safe across threads, and the flag that stops them all."""

    def __init__(self, limit: float | None, name: str = "shared budget"):
        self.limit = limit or None
        """Dollars that may be spent; None (or 0) means no limit: only a stop ends the runs."""
        self.name = name
        """How the budget is named in the message of the run it stops."""
        self._spent = 0.0
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def charge(self, dollars: float) -> None:
        """Count `dollars` as spent."""
        if dollars > 0:
            with self._lock:
                self._spent += dollars

    def spent(self) -> float:
        """Dollars charged so far."""
        with self._lock:
            return self._spent

    def stop(self) -> None:
        """Make every run end before its next step (and a batch runner start nothing new)."""
        self._stopped.set()

    def exhausted(self) -> bool:
        """True once the dollars are spent or the ledger is stopped."""
        return self.verdict()[0] != ""

    def verdict(self) -> tuple[str, str]:
        """("", "") while runs may go on, else (condition name, why): `Interrupted` or `BudgetExhausted`."""
        if self._stopped.is_set():
            return "Interrupted", STOPPED
        spent = self.spent()
        if self.limit is not None and spent >= self.limit:
            return "BudgetExhausted", f"the {self.name} of ${self.limit:.2f} is spent (${spent:.4f} so far)"
        return "", ""

    def check(self) -> None:
        """Raise the condition `verdict` names (BudgetExhausted or Interrupted), if any; meant for `SolveJob.checks`."""
        raise_verdict(*self.verdict())


def raise_verdict(kind: str, text: str) -> None:
    """Raise Interrupted or BudgetExhausted with `text` (nothing for an empty kind)."""
    if kind == "Interrupted":
        raise Interrupted(text)
    if kind:
        raise BudgetExhausted(text)


def _charged(method: str) -> Callable[..., Message]:
    """A BudgetedModel method: call the wrapped model's `method` and charge what the call cost (also when it fails)."""

    def call(self: BudgetedModel, *args, **kwargs) -> Message:
        before = self.model.cost
        try:
            return getattr(self.model, method)(*args, **kwargs)
        finally:
            self.budget.charge(self.model.cost - before)

    return call


class BudgetedModel:
    """A Model charging each call's cost to a ledger once the call returns or fails; every other attribute is the
    wrapped model's (its `Model` members are the class's own, as `isinstance(..., Model)` looks them up)."""

    query = _charged("query")
    complete = _charged("complete")
    continue_text = _charged("continue_text")
    name = property(lambda self: self.model.name)
    cost = property(lambda self: self.model.cost)
    self_hosted = property(lambda self: self.model.self_hosted)

    def __init__(self, model: Model, budget: Ledger):
        self.model = model
        self.budget = budget

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.model, attribute)
