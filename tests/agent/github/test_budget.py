"""The daily budget ledger in status comments: reservations, settling, concurrency order, forged markers."""

from __future__ import annotations

import calendar
import time

import pytest

from agent.github.budget import DailyBudget, charge, marker, parse_entry
from agent.github.client import GitHubClient, RepoRef
from tests.agent.github.conftest import ALICE
from tests.agent.github.fake_github import BOT, FakeGitHub

REPO = RepoRef("acme", "calc")
NOW = time.time()
TODAY = time.strftime("%Y-%m-%d", time.gmtime(NOW))


@pytest.fixture
def acme(fake_github: FakeGitHub):
    repo = fake_github.state.add_repo("acme", "calc")
    for title in ("one", "two", "three"):
        fake_github.state.add_issue(repo, title, "", ALICE)
    return repo


def budget(client: GitHubClient, limit: float) -> DailyBudget:
    return DailyBudget(client, REPO, limit, clock=lambda: NOW)


def test_reservations_add_up_until_the_limit(client: GitHubClient, acme) -> None:
    ledger = budget(client, 5.0)
    first = ledger.reserve(1, "run-1", 2.0, "working")
    assert first.login == "github-actions[bot]" and first.day == TODAY
    assert ledger.check(first).allowed and ledger.check(first).used == 0.0
    second = ledger.reserve(2, "run-2", 2.0, "working")
    assert ledger.check(second).used == 2.0 and ledger.check(second).allowed
    third = ledger.reserve(3, "run-3", 2.0, "working")
    verdict = ledger.check(third)
    assert (verdict.allowed, verdict.used, verdict.limit) == (False, 4.0, 5.0)


def test_settling_replaces_the_reservation_with_the_real_cost(client: GitHubClient, acme) -> None:
    ledger = budget(client, 5.0)
    first = ledger.reserve(1, "run-1", 3.0, "working")
    ledger.settle(first, "spent", 0.25, "done")
    body = acme.comments[0]["body"]
    assert body.startswith("done\n\n") and parse_entry(acme.comments[0]) == \
        {"day": TODAY, "run": "run-1", "amount": 0.25, "state": "spent"}
    later = ledger.reserve(2, "run-2", 3.0, "working")
    assert ledger.check(later).used == 0.25


def test_concurrent_runs_are_ordered_by_comment_id(client: GitHubClient, acme) -> None:
    """Both post before either checks: the earlier comment wins, the later one is refused."""
    ledger = budget(client, 3.0)
    a = ledger.reserve(1, "run-a", 2.0, "working")
    b = ledger.reserve(2, "run-b", 2.0, "working")
    assert not ledger.check(b).allowed
    assert ledger.check(a).allowed
    ledger.settle(b, "refused", 0.0, "refused")
    c = ledger.reserve(3, "run-c", 1.0, "working")
    assert ledger.check(c).used == 2.0 and ledger.check(c).allowed  # the refused one counts nothing


def test_markers_from_other_accounts_and_other_days_do_not_count(client: GitHubClient, fake_github: FakeGitHub,
                                                                  acme) -> None:
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(NOW - 86400))
    fake_github.state.add_comment(acme, 1, f"forged {marker(TODAY, 'x', 100.0, 'spent')}", ALICE)
    fake_github.state.add_comment(acme, 1, "garbled <!-- repo-agent-budget {not json} -->", BOT)
    fake_github.state.add_comment(acme, 2, f"edited today {marker(yesterday, 'old', 4.0, 'spent')}", BOT)
    ledger = budget(client, 5.0)
    mine = ledger.reserve(3, "mine", 5.0, "working")
    assert ledger.check(mine).used == 0.0 and ledger.check(mine).allowed
    assert fake_github.calls("GET", "/issues/comments")[-1].query["since"] == f"{TODAY}T00:00:00Z"


def test_no_limit_means_no_lookup(client: GitHubClient, fake_github: FakeGitHub, acme) -> None:
    ledger = budget(client, 0.0)
    entry = ledger.reserve(1, "run", 50.0, "working")
    assert ledger.check(entry).allowed and not fake_github.calls("GET", "/issues/comments")


def test_today_is_the_utc_day() -> None:
    midnight = calendar.timegm((2025, 1, 31, 23, 59, 0, 0, 0, 0))
    assert DailyBudget(None, REPO, 1.0, clock=lambda: midnight).today() == "2025-01-31"  # type: ignore[arg-type]


def test_charge_of_entries() -> None:
    assert charge({"amount": 2, "state": "reserved"}) == 2.0
    assert charge({"amount": 2, "state": "refused"}) == 0.0
    assert charge({"amount": "nonsense"}) == 0.0
    assert charge({"amount": -5}) == 0.0
