"""What `agent solve --samples N` adds to the command line: option overrides, rollout progress, the table."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.table import Table

from agent.cli.progress import short_arguments
from agent.config import AgentConfig
from agent.issue import IssueText
from agent.loop import LoopEvent
from agent.repo import RepoSource
from agent.runner import SolveResult
from agent.samples.report import HEADERS, table_rows
from agent.samples.solve import SampleJob, SamplesResult, solve_samples


def sample_overrides(samples: int | None = None, temperature: float | None = None, top_p: float | None = None,
                     workers: int | None = None, select: str | None = None) -> list[str]:
    """The `-c key=value` overrides that the sampling options stand for (none when no option is given)."""
    pairs = [("samples.count", samples), ("model.temperature", temperature), ("model.top_p", top_p),
             ("samples.workers", workers), ("samples.select", select)]
    return [f"{key}={value}" for key, value in pairs if value is not None]


class RolloutProgress:
    """One line per tool call and per finished rollout, labelled; safe to call from the rollouts' threads."""

    def __init__(self, console: Console):
        self.console = console
        self._lock = threading.Lock()

    def __call__(self, label: str, event: LoopEvent) -> None:
        """Print `event` of rollout `label`."""
        if event.kind == "tool":
            mark = "[red]✗[/]" if event.error else "[green]→[/]"
            line = (f"[magenta]{label}[/] step {event.step} {mark} [cyan]{event.tool}[/]"
                    f"({short_arguments(event.arguments, 60)})")
        elif event.kind == "exit":
            line = f"[magenta]{label}[/] [bold]finished:[/] {event.text} after {event.step} step(s), ${event.cost:.4f}"
        else:
            return
        with self._lock:
            self.console.print(line, highlight=False)


def run_samples(config: AgentConfig, repo: RepoSource, issue: IssueText, console: Console) -> SolveResult:
    """Run a sampled solve with progress, print the candidate table, and return the outcome as one SolveResult."""
    samples = config.samples
    temperatures = samples.temperatures or [config.model.temperature]
    console.print(f"[bold]repo-agent[/] {samples.count} rollouts · {repo.display} @ {repo.commit[:12]} · "
                  f"workspace {config.workspace.type} · select {samples.select}", highlight=False)
    if not any(temperatures):
        console.print("[yellow]note:[/] every rollout samples at temperature 0, so they will be much alike; "
                      "pass --temperature 0.8 for variety.", highlight=False)
    result = solve_samples(SampleJob(config=config, repo=repo, issue=issue, on_event=RolloutProgress(console)))
    print_table(result, console)
    return result.solve_result()


def print_table(result: SamplesResult, console: Console) -> None:
    """The candidate table and the reason of the choice."""
    table = Table(*HEADERS, title=f"candidates (select: {result.selection.mode})", title_justify="left")
    for row in table_rows(result.selection):
        table.add_row(*row)
    console.print(table)
    console.print(result.selection.reason, highlight=False)
    chosen = result.chosen
    where = f"rollouts/{chosen.index}/ holds the chosen rollout's trajectory; " if chosen else ""
    console.print(f"{where}selection.json holds every candidate's scores", highlight=False)
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
