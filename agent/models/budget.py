"""The one budget ledger: dollars several runs share and a stop flag.
`BudgetedModel` charges each call as it returns; `SharedBudget.check` stops a run before its next step, so the
overshoot is at most one call per run in flight. Plain methods only, so a manager proxy or a Ray actor can hold it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from core.errors import BudgetExhausted, Interrupted
from core.model import Model, Sampling
from core.types import Message, ToolSpec

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


class BudgetedModel:
    """A Model charging each call's cost to a ledger (SharedBudget or a link to one) once the call returns or fails."""

    def __init__(self, model: Model, budget: Ledger):
        self.model = model
        self.budget = budget

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

    def _charged(self, method: str, *args, **kwargs) -> Message:
        """Call the wrapped model's `method` and charge what the call cost (also when it fails)."""
        before = self.model.cost
        try:
            return getattr(self.model, method)(*args, **kwargs)
        finally:
            self.budget.charge(self.model.cost - before)

    def query(self, messages: list[Message], tools: list[ToolSpec], *, deadline: float | None = None,
              sampling: Sampling | None = None) -> Message:
        """Ask the wrapped model and charge what the call cost."""
        return self._charged("query", messages, tools, deadline=deadline, sampling=sampling)

    def complete(self, messages: list[Message], *, sampling: Sampling | None = None, deadline: float | None = None,
                 max_tokens: int | None = None, until: Callable[[str], bool] | None = None) -> Message:
        """Ask the wrapped model for a plain reply and charge what the call cost."""
        return self._charged("complete", messages, sampling=sampling, deadline=deadline, max_tokens=max_tokens,
                             until=until)

    def continue_text(self, prompt: str, *, sampling: Sampling | None = None, deadline: float | None = None,
                      max_tokens: int | None = None, stop: Sequence[str] = ()) -> Message:
        """Ask the wrapped model to continue a plain prompt and charge what the call cost."""
        return self._charged("continue_text", prompt, sampling=sampling, deadline=deadline, max_tokens=max_tokens,
                             stop=stop)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.model, attribute)
