"""What the Action does with one `issues` event: filter (only `labeled` with `github.label`), trust check (the
label's `sender`, not the issue's author, by their repository permission against `github.trusted_permissions`; bots
never), budget reservation, solve, then a pull request or a comment, the budget settled and the label removed; and
the Actions runner's output (step outputs, job summary, `::warning` annotations; no-ops outside Actions)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.config import AgentConfig
from agent.github.budget import DailyBudget, Reservation
from agent.github.client import GitHubClient, RepoRef
from agent.github.issue_reader import GitHubIssue, is_bot, read_issue
from agent.github.pull_request import comment_failure, publish
from agent.github.report import error_facts
from agent.issue import IssueText
from agent.redact import redact
from agent.repo import RepoSource
from agent.runner import SolveResult, new_run_id
from agent.trajectory import load_trajectory
from core.errors import UserError


@dataclass
class LabeledIssue:
    """The parts of an `issues: labeled` event a run needs."""

    repo: RepoRef
    number: int
    label: str
    sender: dict[str, Any]


@dataclass
class EventOutcome:
    """What handling the event came to."""

    status: str
    """`ignored`, `untrusted`, `over budget`, `pull request` or `comment` (a run without a pull request)."""
    message: str
    """One sentence for the log."""
    url: str = ""
    """The pull request or comment posted."""
    cost: float = 0.0
    """Dollars the run spent."""
    run_dir: Path | None = None
    """The run folder, when a run happened."""

    @property
    def exit_code(self) -> int:
        """0 unless a run ended without a pull request."""
        return 1 if self.status == "comment" else 0


@dataclass
class EventContext:
    """What handling an event needs from its caller."""

    client: GitHubClient
    settings: AgentConfig
    source: RepoSource
    """The checkout the run starts from and the branch is pushed from."""
    token: str | None
    """For the push."""
    run: Callable[[IssueText, str], SolveResult]
    """Solves (issue, run id); the CLI passes a run with live progress."""
    log: Callable[[str], None]


@dataclass
class TrustDecision:
    """Whether the sender may start a run, and why."""

    trusted: bool
    """True when the run may go ahead."""
    login: str
    """The sender."""
    permission: str
    """Their role on the repository as GitHub reported it."""
    reason: str
    """One sentence for the log."""


def check_sender(client: GitHubClient, repo: RepoRef, sender: Mapping[str, Any] | None,
                 allowed: Sequence[str]) -> TrustDecision:
    """Ask GitHub for the sender's permission on `repo` and compare it with `allowed`."""
    login = str((sender or {}).get("login") or "")
    if not login:
        return TrustDecision(False, "", "none", "the event names no sender")
    if is_bot(sender):
        return TrustDecision(False, login, "bot", f"@{login} is a bot, and bots cannot start runs")
    found = client.permission(repo, login)
    role, permission = str(found.get("role_name") or ""), str(found.get("permission") or "none")
    shown = role or permission
    wanted = {a.lower() for a in allowed}
    if role.lower() in wanted or permission.lower() in wanted:
        return TrustDecision(True, login, shown, f"@{login} has {shown} access to {repo.full_name}")
    needed = ", ".join(allowed)
    return TrustDecision(False, login, shown,
                         f"@{login} has {shown} access to {repo.full_name}; starting a run needs one of: {needed}")


def load_event(path: Path) -> dict[str, Any]:
    """The event payload (GITHUB_EVENT_PATH), or a UserError saying what is wrong with the file."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"Event file {path} could not be read: {exc.strerror}.") from None
    except ValueError:
        raise UserError(f"Event file {path} is not JSON; pass the payload GitHub wrote to GITHUB_EVENT_PATH.") from None
    if not isinstance(payload, dict):
        raise UserError(f"Event file {path} must hold a JSON object.")
    return payload


def labeled_issue(payload: Mapping[str, Any], label: str) -> LabeledIssue | str:
    """The labeled issue, or why the event is not one repo-agent acts on."""
    if payload.get("action") != "labeled":
        return f"action {payload.get('action')!r} is not `labeled`"
    name = (payload.get("label") or {}).get("name")
    if name != label:
        return f"label {name!r} is not {label!r}"
    issue, repository = payload.get("issue") or {}, payload.get("repository") or {}
    if "pull_request" in issue:
        return "the label was added to a pull request, not an issue"
    owner = (repository.get("owner") or {}).get("login")
    if not (owner and repository.get("name") and isinstance(issue.get("number"), int)):
        raise UserError("The event has no issue number or repository; is it an `issues` event payload?")
    return LabeledIssue(RepoRef(owner, repository["name"]), issue["number"], name, payload.get("sender") or {})


def handle_event(payload: Mapping[str, Any], ctx: EventContext) -> EventOutcome:
    """Run the whole flow for one event payload."""
    settings = ctx.settings.github
    event = labeled_issue(payload, settings.label)
    if isinstance(event, str):
        ctx.log(f"ignored: {event}")
        return EventOutcome("ignored", event)
    decision = check_sender(ctx.client, event.repo, event.sender, settings.trusted_permissions)
    if not decision.trusted:
        ctx.log(f"refused: {decision.reason}")
        ctx.client.add_comment(event.repo, event.number, f"repo-agent did not start: {decision.reason}.")
        ctx.client.remove_label(event.repo, event.number, event.label)
        return EventOutcome("untrusted", decision.reason)
    ctx.log(f"trusted: {decision.reason}")
    if settings.daily_budget > 0 and ctx.settings.limits.cost <= 0:
        raise UserError("github.daily_budget needs a per-run cost limit: set limits.cost (or --cost-limit).")
    try:
        return _budgeted_run(ctx, event, f"@{decision.login}")
    finally:
        ctx.client.remove_label(event.repo, event.number, event.label)


def _budgeted_run(ctx: EventContext, event: LabeledIssue, who: str) -> EventOutcome:
    issue_text = read_issue(ctx.client, event.repo, event.number)
    issue = GitHubIssue.from_meta(issue_text.meta)
    run_id, limit = new_run_id(), ctx.settings.limits.cost
    budget = DailyBudget(ctx.client, event.repo, ctx.settings.github.daily_budget)
    reservation = budget.reserve(event.number, run_id, limit,
                                 f"repo-agent is working on this issue (run `{run_id}`, asked by {who}, "
                                 f"cost limit ${limit:.2f}).")
    verdict = budget.check(reservation)
    if not verdict.allowed:
        message = (f"today's budget for {event.repo.full_name} is spent: ${verdict.used:.2f} of "
                   f"${verdict.limit:.2f} used, and a run may cost up to ${limit:.2f}")
        ctx.log(f"refused: {message}")
        budget.settle(reservation, "refused", 0.0, f"repo-agent did not start: {message}. Add the label again "
                      "tomorrow (UTC) or raise `github.daily_budget`.")
        return EventOutcome("over budget", message)
    ctx.log(f"budget: ${verdict.used:.2f} of ${verdict.limit:.2f} used today; this run may spend ${limit:.2f}")
    return _run_and_publish(ctx, issue, issue_text, budget, reservation)


def _run_and_publish(ctx: EventContext, issue: GitHubIssue, issue_text: IssueText, budget: DailyBudget,
                     reservation: Reservation) -> EventOutcome:
    run_id = reservation.run_id
    result: SolveResult | None = None
    try:
        result = ctx.run(issue_text, run_id)
        published = publish(ctx.client, issue, ctx.source, result, ctx.settings.github, ctx.token)
    except Exception as exc:
        run_dir = ctx.settings.runs_dir / run_id
        spent = result.cost if result else _cost_so_far(run_dir, reservation.amount)
        facts, reason = error_facts(run_id, exc, run_dir), redact(f"the run failed ({type(exc).__name__}: {exc}).")
        _try(ctx, lambda: budget.settle(reservation, "spent", spent, f"repo-agent run `{run_id}` failed; "
                                        f"cost ${spent:.4f}."))
        _try(ctx, lambda: comment_failure(ctx.client, issue, facts, reason))
        raise
    what = (f"opened pull request #{published.number}" if published.kind == "pull_request"
            else f"opened no pull request (see {published.url})")
    budget.settle(reservation, "spent", result.cost, f"repo-agent run `{run_id}` {what}; cost ${result.cost:.4f}.")
    status = "pull request" if published.kind == "pull_request" else "comment"
    ctx.log(f"{status}: {published.url} (cost ${result.cost:.4f})")
    return EventOutcome(status, f"run {run_id} ended by {result.exit_status}; gate {result.gate.status}",
                        published.url, result.cost, result.run_dir)


def _cost_so_far(run_dir: Path, reserved: float) -> float:
    """The cost recorded in the run's trajectory; the whole reservation when there is none."""
    try:
        return load_trajectory(run_dir / "trajectory.json").cost
    except (OSError, ValueError):
        return reserved


def _try(ctx: EventContext, action: Callable[[], object]) -> None:
    """Best effort while already failing: log instead of masking the first error."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - the original error is what gets raised
        ctx.log(f"could not update the issue: {exc}")


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(redact(text))


def write_outputs(outcome: EventOutcome, env: Mapping[str, str] = os.environ) -> None:
    """Step outputs (`status`, `url`, `cost`, `run-dir`) and the job summary of the run."""
    values = {"status": outcome.status, "url": outcome.url, "cost": f"{outcome.cost:.4f}",
              "run-dir": str(outcome.run_dir or "")}
    _append(env.get("GITHUB_OUTPUT"), "".join(f"{k}={v.replace(chr(10), ' ')}\n" for k, v in values.items()))
    summary = outcome.run_dir / "summary.md" if outcome.run_dir else None
    text = summary.read_text(encoding="utf-8") if summary and summary.is_file() else ""
    _append(env.get("GITHUB_STEP_SUMMARY"), f"## repo-agent: {outcome.status}\n\n{outcome.message}\n\n"
            + (f"{outcome.url}\n\n" if outcome.url else "") + text)


def annotation(outcome: EventOutcome, env: Mapping[str, str] = os.environ) -> str | None:
    """A `::warning` line for refusals when running in Actions, else None."""
    if env.get("GITHUB_ACTIONS") != "true" or outcome.status not in ("untrusted", "over budget"):
        return None
    return f"::warning title=repo-agent {outcome.status}::{outcome.message}"
