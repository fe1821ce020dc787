"""`agent solve`: from an issue to a validated patch, with live progress of the run in the terminal (one line per step
and tool call, a spinner while waiting)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from agent.cli.main import choice_of
from agent.config import AgentConfig, SamplesConfig, load_config
from agent.issue import resolve_issue
from agent.repo import RepoSource, is_dirty, resolve_repo
from core.errors import UserError
from core.git import run_git

if TYPE_CHECKING:
    from rich.status import Status

    from agent.loop import LoopEvent
    from agent.runner import SolveJob, SolveResult

console = Console(soft_wrap=True)

CONFIG_HELP = "Config file, or key.sub=value override; repeatable, applied in order."


FLAG_KEYS = {
    "model": "model.name", "workspace": "workspace.type", "image": "workspace.image", "setup": "workspace.setup",
    "max_steps": "limits.steps", "cost_limit": "limits.cost", "strategy": "strategy", "samples": "samples.count",
    "temperature": "model.temperature", "top_p": "model.top_p", "select": "samples.select",
    "tokens": "planner.map_tokens", "files": "planner.max_files", "daily_budget": "github.daily_budget",
    "label": "github.label",
}
"""The one table of shortcut flags: option name (as the command's parameter) -> the config key it sets."""


def config_sources(config: list[str], **flags) -> list[str]:
    """`-c` sources followed by the overrides that shortcut flags stand for (FLAG_KEYS); unset flags (None, empty)
    add nothing, a list is written as JSON (valid YAML)."""
    sources = list(config)
    for name, value in flags.items():
        if value is not None and value != "" and value != []:
            sources.append(f"{FLAG_KEYS[name]}={json.dumps(value) if isinstance(value, list) else value}")
    return sources


def short_arguments(arguments: dict | None, limit: int = 70) -> str:
    """Tool arguments on one short line."""
    if not arguments:
        return ""
    parts = []
    for key, value in arguments.items():
        text = value if isinstance(value, str) else json.dumps(value)
        text = text.replace("\n", "\\n")
        parts.append(f"{key}={text[:40] + '…' if len(text) > 40 else text}")
    line = ", ".join(parts)
    return line[:limit] + "…" if len(line) > limit else line


class ProgressPrinter:
    """Renders LoopEvents with rich; call it as the loop's `on_event`."""

    def __init__(self, console: Console, label: str = ""):
        self.console = console
        self.label = f"[magenta]{label}[/] " if label else ""
        self.status: Status | None = None

    def __call__(self, event: LoopEvent) -> None:
        """Print one event and keep the spinner going while the model thinks."""
        self.close()
        if event.kind == "step":
            self.console.print(
                f"{self.label}[bold]step {event.step}[/] · model {event.seconds:.1f}s · ${event.cost:.4f}",
                highlight=False,
            )
        elif event.kind == "tool":
            mark = "[red]✗[/]" if event.error else "[green]→[/]"
            self.console.print(
                f"   {mark} [cyan]{event.tool}[/]({short_arguments(event.arguments)}) {event.seconds:.2f}s",
                highlight=False,
            )
        elif event.kind == "note":
            self.console.print(f"{self.label}[dim]{event.text}[/]", highlight=False)
        elif event.kind == "format_error":
            self.console.print(f"   [yellow]! reply not understood:[/] {event.text[:100]}", highlight=False)
        elif event.kind == "exit":
            self.console.print(f"{self.label}[bold]finished:[/] {event.text} after {event.step} step(s), "
                               f"${event.cost:.4f}", highlight=False)
            return
        self._start_spinner(event.step + (1 if event.kind != "step" else 0))

    def _start_spinner(self, step: int) -> None:
        if self.console.is_terminal:
            self.status = self.console.status(f"{self.label}step {step}: waiting for the model…")
            self.status.start()

    def close(self) -> None:
        """Stop the spinner, if any."""
        if self.status is not None:
            self.status.stop()
            self.status = None


def run_with_progress(job: SolveJob, label: str = "") -> SolveResult:
    """Solve with live progress in the terminal."""
    from agent.runner import solve

    printer = ProgressPrinter(console, label)
    job.on_event = printer
    console.print(f"[bold]repo-agent[/] run {job.run_id} · {job.repo.display} @ {job.repo.commit[:12]} · "
                  f"model {job.model.name} · workspace {job.config.workspace.type}", highlight=False)
    try:
        return solve(job)
    finally:
        printer.close()


def report(result: SolveResult) -> None:
    """Print where the outputs are and the gate's verdict."""
    colour = {"passed": "green", "failed": "red", "no change": "yellow", "unverified": "yellow"}[result.gate.status]
    if result.exit_status == "Repaired":
        console.print(f"repair: {result.message}", highlight=False)
    elif result.exit_status != "Submitted":
        detail = f": {result.message}" if result.message else ""
        console.print(f"[yellow]run ended by {result.exit_status}[/]{detail}", highlight=False)
    console.print(f"patch gate: [{colour}]{result.gate.status}[/]", highlight=False)
    for check in result.gate.checks:
        first = (check.detail.strip().splitlines() or [""])[0]
        console.print(f"  {'[green]pass[/]' if check.passed else '[red]FAIL[/]'} {check.name}: {first}",
                      highlight=False)
    console.print(f"run folder: {result.run_dir}  (trajectory.json, patch.diff, summary.md)", highlight=False)


def print_rollouts(run_dir: Path) -> None:
    """`--samples N` with the tool loop: the candidate table of the rollouts and the reason of the choice (nothing for
    other runs)."""
    from rich.table import Table

    from agent.search.report import HEADERS
    from agent.trajectory import load_trajectory

    path = run_dir / "trajectory.json"
    rollouts = load_trajectory(path).extra.get("rollouts") if path.exists() else None
    if not rollouts:
        return
    table = Table(*HEADERS, title=f"candidates (select: {rollouts['select']})", title_justify="left")
    for row in rollouts["rows"]:
        table.add_row(*row)
    console.print(table)
    console.print(rollouts["reason"], highlight=False)
    chosen = rollouts["chosen"]
    where = f"rollouts/{chosen}/ holds the chosen rollout's conversation; " if chosen is not None else ""
    console.print(f"{where}trajectory.json (extra.rollouts) holds every candidate's scores", highlight=False)


def apply_to_checkout(repo: RepoSource, patch: str) -> None:
    """Apply the patch to the user's checkout with `git apply` (then a 3-way merge)."""
    for args in (["apply"], ["apply", "--3way"]):
        result = run_git(*args, "-", cwd=repo.path, input=patch)
        if result.returncode == 0:
            console.print(f"applied to {repo.path}")
            return
    raise UserError(f"The patch did not apply to {repo.path}: {result.stderr.decode().strip().splitlines()[-1]}.")


def solve_command(
    issue: str = typer.Option(..., "--issue", "-i", help="Issue text, @FILE with the text, or an issue URL."),
    repo: str | None = typer.Option(None, "--repo", "-r", help="Local git repository (a path inside one is fine) "
                                    "or a clone URL; defaults to the issue URL's repository."),
    commit: str = typer.Option("HEAD", "--commit", help="Base commit to start from."),
    model: str | None = typer.Option(None, "--model", "-m", help="litellm model id, e.g. anthropic/claude-sonnet-4-5; "
                                     "default: config, then AGENT_MODEL, then the first provider whose key is set."),
    config: list[str] = typer.Option([], "--config", "-c", help=CONFIG_HELP),
    workspace: str | None = typer.Option(None, "--workspace", "-w", help="Where commands run: docker or local."),
    image: str | None = typer.Option(None, "--image", help="Docker image to start from (docker workspace)."),
    setup: list[str] = typer.Option([], "--setup", help="Setup command baked into a cached image; repeatable."),
    max_steps: int | None = typer.Option(None, "--max-steps", help="Stop after this many model calls."),
    cost_limit: float | None = typer.Option(None, "--cost-limit", help="Stop after spending this many dollars."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Also write the patch to this file."),
    apply: bool = typer.Option(False, "--apply", help="Apply a patch that passed the gate to your checkout "
                               "(refused when the checkout has uncommitted changes)."),
    pr: bool = typer.Option(False, "--pr", help="For a GitHub issue URL: push a branch and open a draft pull request "
                            "(or comment on the issue when the patch does not pass the gate)."),
    github_api: str | None = typer.Option(None, "--github-api", help="GitHub REST API base URL; GitHub Enterprise: "
                                          "https://HOST/api/v3 (default: GITHUB_API_URL, then api.github.com)."),
    samples: int | None = typer.Option(None, "--samples", min=1, help="Candidates to choose among by tests and "
                                       "agreement: the repair's model calls, or rollouts of the tool loop (default "
                                       "1 rollout)."),
    temperature: float | None = typer.Option(None, "--temperature", min=0, max=2, help="Sampling temperature."),
    top_p: float | None = typer.Option(None, "--top-p", min=0, max=1, help="Nucleus sampling."),
    select: str | None = typer.Option(None, "--select", callback=choice_of(SamplesConfig, "select"),
                                      help="How a rollout is chosen: tests+vote, tests or vote."),
    strategy: str | None = typer.Option(None, "--strategy", callback=choice_of(AgentConfig, "strategy"),
                                        help="How the fix is looked for: auto, repair or loop. repair: rewrites of "
                                        "the suspect code judged by the failing tests; loop: the tool-using agent; "
                                        "auto (default): repair when a failing test is known (or the model is "
                                        "self-hosted), then the loop."),
) -> None:
    """Resolve an issue in a repository and write a validated patch (your checkout is untouched without --apply)."""
    from agent.runner import build_job

    settings = load_config(config_sources(config, model=model, workspace=workspace, image=image, setup=setup,
                                          max_steps=max_steps, cost_limit=cost_limit, strategy=strategy,
                                          samples=samples, temperature=temperature, top_p=top_p, select=select))
    if out and not out.parent.is_dir():  # refused before the run, not after it
        raise UserError(f"--out {out}: the folder {out.parent} does not exist; create it or choose another path.")
    if github_api:
        os.environ["GITHUB_API_URL"] = github_api  # read by the GitHub issue reader and client
    issue_text = resolve_issue(issue)
    github_issue = None
    if pr:  # the GitHub issue behind --issue, checked before solving (UserError for text or file issues)
        from agent.github.issue_reader import GitHubIssue

        github_issue = GitHubIssue.from_meta(issue_text.meta)
    source = resolve_source(repo or str(issue_text.meta.get("clone_url") or ""), commit, apply)
    result = run_with_progress(build_job(settings, source, issue_text))
    print_rollouts(result.run_dir)
    report(result)
    deliver(result, source, settings, github_issue, out, apply)
    raise typer.Exit(0 if result.gate.passed else 1)


def resolve_source(repo_spec: str, commit: str, apply: bool) -> RepoSource:
    """The repository to work on, checked before any work when `--apply` will write to it."""
    if not repo_spec:
        raise UserError("--repo is required unless --issue is an issue URL: give a path or a clone URL.")
    source = resolve_repo(repo_spec, commit)
    if apply and (source.url or is_dirty(source.path)):
        raise UserError(f"--apply needs a local checkout without uncommitted changes; {source.display} has "
                        "changes (commit or stash them) or is a URL.")
    return source


def deliver(result: SolveResult, source: RepoSource, settings: AgentConfig, github_issue, out: Path | None,
            apply: bool) -> None:
    """Hand the patch over: a pull request or comment, a file, the user's checkout."""
    if github_issue:
        from agent.github.pull_request import publish_from_cli

        published = publish_from_cli(github_issue, source, result, settings.github)
        console.print(f"{published.kind.replace('_', ' ')}: {published.url}", highlight=False)
    if out:
        out.write_text(result.patch, encoding="utf-8")
        console.print(f"patch written to {out}")
    if apply:
        if not result.gate.passed:
            raise UserError(f"Not applied: the patch gate says {result.gate.status!r}.")
        apply_to_checkout(source, result.patch)


def register(app: typer.Typer) -> None:
    """Add `solve`, `replay` and `example` to the app."""
    from agent.cli import example, replay

    app.command("solve")(solve_command)
    app.command("replay")(replay.replay_command)
    app.command("example")(example.example_command)
