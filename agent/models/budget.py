"""A dollar budget shared by several runs (rollouts of one solve, or instances of a batch), safe across threads.

Cost is charged as it is spent: `BudgetedModel` charges each model call the moment it returns, and
`SharedBudget.check` (one of a `SolveJob`'s `checks`) stops a run before its next step once the budget is
spent. Runs that are mid-call when the budget runs out finish that one call, so the overshoot is at most one
step per run in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from core.errors import BudgetExhausted
from core.model import Model, Sampling
from core.types import Message, ToolSpec


class SharedBudget:
    """Dollars several runs may spend together; a budget may sit inside a larger one (`parent`)."""

    def __init__(self, limit: float | None, parent: SharedBudget | None = None, name: str = "shared budget"):
        self.limit = limit
        """Dollars that may be spent; None means no limit of its own (the parent's still applies)."""
        self.parent = parent
        """A larger budget that every charge also counts against."""
        self.name = name
        """How the budget is named in the message of the run it stops."""
        self._spent = 0.0
        self._lock = threading.Lock()

    @property
    def spent(self) -> float:
        """Dollars charged so far."""
        with self._lock:
            return self._spent

    @property
    def remaining(self) -> float | None:
        """Dollars left (never below 0), or None without a limit."""
        if self.limit is None:
            return None
        return max(0.0, self.limit - self.spent)

    def charge(self, dollars: float) -> None:
        """Count `dollars` as spent, here and in the parent."""
        if dollars <= 0:
            return
        with self._lock:
            self._spent += dollars
        if self.parent is not None:
            self.parent.charge(dollars)

    def exhausted(self) -> bool:
        """True once this budget or its parent is spent."""
        own = self.limit is not None and self.spent >= self.limit
        return own or (self.parent is not None and self.parent.exhausted())

    def check(self) -> None:
        """Raise BudgetExhausted once the budget (or its parent) is spent; meant for `SolveJob.checks`."""
        if self.parent is not None:
            self.parent.check()
        if self.limit is not None and self.spent >= self.limit:
            raise BudgetExhausted(f"the {self.name} of ${self.limit:.2f} is spent (${self.spent:.4f} so far)")


class BudgetedModel:
    """A Model that charges each call's cost to a SharedBudget as soon as the call returns (or fails)."""

    def __init__(self, model: Model, budget: SharedBudget):
        self.model = model
        """The model that answers."""
        self.budget = budget
        """Where its spending is charged."""

    @property
    def name(self) -> str:
        """The wrapped model's name."""
        return self.model.name

    @property
    def cost(self) -> float:
        """The wrapped model's dollars so far."""
        return self.model.cost

    @property
    def self_hosted(self) -> bool:
        """Whether the wrapped model is self-hosted."""
        return self.model.self_hosted

    def query(self, messages: list[Message], tools: list[ToolSpec], *, deadline: float | None = None,
              sampling: Sampling | None = None) -> Message:
        """Ask the wrapped model and charge what the call cost."""
        before = self.model.cost
        try:
            return self.model.query(messages, tools, deadline=deadline, sampling=sampling)
        finally:
            self.budget.charge(self.model.cost - before)

    def complete(self, messages: list[Message], *, sampling: Sampling | None = None, deadline: float | None = None,
                 max_tokens: int | None = None, until: Callable[[str], bool] | None = None) -> Message:
        """Ask the wrapped model for a plain reply and charge what the call cost."""
        before = self.model.cost
        try:
            return self.model.complete(messages, sampling=sampling, deadline=deadline, max_tokens=max_tokens,
                                       until=until)
        finally:
            self.budget.charge(self.model.cost - before)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.model, attribute)
