"""What a person watches during `agent swebench infer | run`: a live view (or a line per instance), then a summary."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from swebench.infer.task import ERROR, NOT_STARTED, PREDICTED, InstanceOutcome


def duration(seconds: float) -> str:
    """`42s`, `3m05s`, `2h04m`."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


@dataclass
class Tally:
    """Counts kept while a run goes."""

    total: int
    """Instances this invocation runs."""
    skipped: int = 0
    """Instances that already had a prediction."""
    outcomes: dict[str, InstanceOutcome] = field(default_factory=dict)
    """Finished instances."""
    running: dict[str, float] = field(default_factory=dict)
    """Instances in flight, with the time they started."""
    verdicts: Counter = field(default_factory=Counter)
    """Evaluation verdicts so far (`run` only)."""
    spent: float = 0.0
    """Dollars spent so far (the global budget's count)."""

    def kinds(self) -> Counter:
        """predicted / error / not_started counts."""
        return Counter(outcome.kind for outcome in self.outcomes.values())


class InferProgress:
    """The live view and the per-instance lines; thread-safe."""

    def __init__(self, console: Console, total: int, *, skipped: int = 0, limit: float | None = None,
                 evaluating: bool = False, live: bool | None = None):
        self.console = console
        self.tally = Tally(total, skipped)
        self.limit = limit
        """The global budget in dollars (None: none)."""
        self.evaluating = evaluating
        """Show resolved so far."""
        self.live = console.is_terminal if live is None else live
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._view = Live(console=console, get_renderable=self.render, refresh_per_second=2, transient=True) \
            if self.live else None

    def __enter__(self) -> InferProgress:
        if self._view is not None:
            self._view.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._view is not None:
            self._view.stop()

    def started_instance(self, instance_id: str) -> None:
        """An instance was handed to a worker."""
        with self._lock:
            self.tally.running[instance_id] = time.monotonic()

    def finished(self, outcome: InstanceOutcome) -> None:
        """An instance came back."""
        with self._lock:
            self.tally.running.pop(outcome.instance_id, None)
            self.tally.outcomes[outcome.instance_id] = outcome
            done = len(self.tally.outcomes)
        if not self.live:
            self.console.print(f"[{done}/{self.tally.total}] {outcome_line(outcome)}", highlight=False)

    def not_started(self, instance_id: str) -> None:
        """An instance will not run in this invocation (it leaves the total)."""
        with self._lock:
            self.tally.running.pop(instance_id, None)
            self.tally.total -= 1

    def evaluated(self, instance_id: str, status: str) -> None:
        """An instance's prediction was scored (`run`)."""
        with self._lock:
            self.tally.verdicts[status] += 1
        if not self.live:
            self.console.print(f"  eval {instance_id}: {status}", highlight=False)

    def cost(self, spent: float) -> None:
        """The global budget's count of dollars spent."""
        self.tally.spent = spent

    def eta(self) -> str:
        """Time left at the rate instances have been finishing ("-" before the first)."""
        done = len(self.tally.outcomes)
        left = self.tally.total - done
        if not done or not left:
            return "-"
        return duration((time.monotonic() - self.started) / done * left)

    def render(self) -> Group:
        """The live view."""
        with self._lock:
            tally = self.tally
            done, now = len(tally.outcomes), time.monotonic()
            # in the order they started (a dict keeps insertion order)
            running = ", ".join(f"{i} ({duration(now - t)})" for i, t in list(tally.running.items())[:6])
            more = len(tally.running) - 6
            money = f"${tally.spent:.2f}" + (f" of ${self.limit:.2f}" if self.limit else "")
            lines = [f"[bold]infer[/] {done}/{tally.total} done · {len(tally.running)} running · "
                     f"{tally.kinds()[ERROR]} error(s) · {money} · elapsed {duration(now - self.started)} · "
                     f"ETA {self.eta()}"]
            if self.evaluating:
                scored = sum(tally.verdicts.values())
                lines.append(f"[bold]eval[/] resolved {tally.verdicts['resolved']}/{scored} scored")
            if running:
                lines.append(f"running: {running}" + (f" and {more} more" if more > 0 else ""))
        return Group(*(Text.from_markup(line) for line in lines))


def outcome_line(outcome: InstanceOutcome) -> str:
    """One line about a finished instance (rich markup; the messages in it are escaped)."""
    if outcome.kind == NOT_STARTED:
        return f"{outcome.instance_id}: not started ({escape(outcome.message)})"
    if outcome.kind == ERROR:
        return f"{outcome.instance_id}: [red]error[/] {outcome.exit_status}: {escape(outcome.message[:160])}"
    size = f"{outcome.model_patch.count(chr(10))} patch lines" if outcome.model_patch else "empty patch"
    return (f"{outcome.instance_id}: {outcome.exit_status}, {outcome.steps} steps, ${outcome.cost:.4f}, "
            f"{outcome.seconds:.1f}s, {size}")


def exit_counts(outcomes: dict[str, InstanceOutcome]) -> Counter:
    """Exit status -> instances, for instances that started."""
    return Counter(o.exit_status for o in outcomes.values() if o.kind != NOT_STARTED)


def summary_table(tally: Tally, wall: float, not_started: int, budget_note: str = "") -> Table:
    """Exit statuses counted, then the totals."""
    table = Table(title="inference summary", title_justify="left")
    table.add_column("exit status")
    table.add_column("instances", justify="right")
    for status, count in exit_counts(tally.outcomes).most_common():
        table.add_row(status, str(count))
    kinds = tally.kinds()
    agent = sum(o.agent_seconds for o in tally.outcomes.values())
    table.add_section()
    table.add_row("predicted", str(kinds[PREDICTED]))
    table.add_row("errors (no prediction; a rerun retries them)", str(kinds[ERROR]))
    table.add_row("not started (budget spent or run stopped)", str(not_started))
    table.add_row("skipped (already predicted)", str(tally.skipped))
    table.add_section()
    table.add_row("cost", f"${tally.spent:.4f}")
    table.add_row("agent time (sum)", duration(agent))
    table.add_row("wall time", duration(wall))
    if tally.verdicts:
        table.add_row("resolved (scored as it went)", f"{tally.verdicts['resolved']}/{sum(tally.verdicts.values())}")
    if budget_note:
        table.caption = budget_note
    return table
