"""A per-day dollar budget per repository, kept in hidden markers of repo-agent's status comments.
A run's marker reserves `limits.cost` before any spending; it then sums the day's markers by the same account with
a smaller comment id (creation order, so concurrent runs agree) and is refused if over (agent/github/README.md)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.github.client import GitHubClient, RepoRef

MARKER = re.compile(r"<!-- repo-agent-budget (\{[^\n]*?\}) -->")
"""The hidden ledger entry in a status comment."""


@dataclass
class Reservation:
    """A run's ledger entry: the status comment that holds it."""

    comment_id: int
    """The status comment's id (orders concurrent runs)."""
    login: str
    """The account that wrote it; only its markers count."""
    day: str
    """UTC day, YYYY-MM-DD."""
    run_id: str
    """The run's id."""
    amount: float
    """Dollars reserved."""


@dataclass
class BudgetCheck:
    """The verdict on a reservation."""

    allowed: bool
    """True when the run may spend its reservation."""
    used: float
    """Dollars reserved or spent today by runs that came before."""
    limit: float
    """The daily budget (0: none)."""


def marker(day: str, run_id: str, amount: float, state: str) -> str:
    """The hidden ledger entry."""
    entry = {"day": day, "run": run_id, "amount": round(amount, 6), "state": state}
    return f"<!-- repo-agent-budget {json.dumps(entry)} -->"


def parse_entry(comment: dict[str, Any]) -> dict[str, Any] | None:
    """The ledger entry in a comment, or None."""
    match = MARKER.search(str(comment.get("body") or ""))
    if not match:
        return None
    try:
        return json.loads(match[1])  # the marker's braces make it an object
    except ValueError:
        return None


def charge(entry: dict[str, Any]) -> float:
    """What an entry counts against the day: nothing when refused, else its amount."""
    if entry.get("state") == "refused":
        return 0.0
    try:
        return max(0.0, float(entry.get("amount", 0)))
    except (TypeError, ValueError):
        return 0.0


class DailyBudget:
    """The ledger of one repository."""

    def __init__(self, client: GitHubClient, repo: RepoRef, limit: float, clock: Callable[[], float] = time.time):
        self.client, self.repo, self.limit, self.clock = client, repo, limit, clock

    def today(self) -> str:
        """The current UTC day."""
        return time.strftime("%Y-%m-%d", time.gmtime(self.clock()))

    def reserve(self, issue_number: int, run_id: str, amount: float, text: str) -> Reservation:
        """Post the status comment `text` with a reservation of `amount` dollars."""
        day = self.today()
        body = f"{text}\n\n{marker(day, run_id, amount, 'reserved')}"
        comment = self.client.add_comment(self.repo, issue_number, body)
        login = str((comment.get("user") or {}).get("login") or "")
        return Reservation(int(comment["id"]), login, day, run_id, amount)

    def used_before(self, reservation: Reservation) -> float:
        """Dollars that earlier runs of the same day and account have reserved or spent."""
        comments = self.client.repo_comments_since(self.repo, f"{reservation.day}T00:00:00Z")
        total = 0.0
        for comment in comments:
            entry = parse_entry(comment)
            if (entry and entry.get("day") == reservation.day and int(comment["id"]) < reservation.comment_id
                    and (comment.get("user") or {}).get("login") == reservation.login):
                total += charge(entry)
        return total

    def check(self, reservation: Reservation) -> BudgetCheck:
        """Whether the reservation fits in what is left of the day's budget."""
        if self.limit <= 0:
            return BudgetCheck(True, 0.0, 0.0)
        used = self.used_before(reservation)
        return BudgetCheck(used + reservation.amount <= self.limit + 1e-9, used, self.limit)

    def settle(self, reservation: Reservation, state: str, spent: float, text: str) -> None:
        """Rewrite the status comment: `text`, and the entry as `spent` dollars or `refused`."""
        body = f"{text}\n\n{marker(reservation.day, reservation.run_id, spent, state)}"
        self.client.edit_comment(self.repo, reservation.comment_id, body)
