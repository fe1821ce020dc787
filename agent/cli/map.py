"""`agent map`: the planner's ranking and repo map for an issue, for people or (--json) for tools."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from agent.cli.solve import config_sources
from agent.config import load_config
from agent.issue import resolve_issue
from agent.planner import Plan
from agent.repo import resolve_repo

console = Console()


def print_plan(plan: Plan) -> None:
    """The plan as a person reads it: ranking table, symbols, tests, notes, then the map."""
    console.print("[bold]Candidate files[/] (best first):")
    width = max((len(f.path) for f in plan.files), default=0)
    for n, f in enumerate(plan.files, 1):
        why = "; ".join(f.reasons)
        line = f"{n:>3}. {f.path:<{width}}  {f.score:6.3f}  {why}"
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if plan.symbols:
        console.print("[bold]Symbols:[/] " + escape(", ".join(plan.symbols[:12])), highlight=False, soft_wrap=True)
    console.print(f"[bold]Test command:[/] {plan.test_command or '(none detected)'}", highlight=False, soft_wrap=True)
    if plan.test_files:
        console.print("[bold]Related tests:[/] " + escape(", ".join(plan.test_files)), highlight=False, soft_wrap=True)
    for note in plan.notes:
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False, soft_wrap=True)
    if plan.repo_map:
        console.rule("repo map")
        console.print(plan.repo_map, highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `agent map` to the app."""

    @app.command("map")
    def map_command(
        issue: str = typer.Option(..., "--issue", "-i", help="Issue text, or @FILE to read it from a file."),
        repo: str = typer.Option(".", "--repo", "-r", help="A local git repository (or a path inside one)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON for tools instead of a table."),
        tokens: int | None = typer.Option(None, "--tokens", help="Token budget of the repo map."),
        files: int | None = typer.Option(None, "--files", help="How many ranked files to show."),
        config: list[str] = typer.Option([], "--config", "-c", help="Config file or key.sub=value override."),
    ) -> None:
        """Rank the files and symbols an issue is about and print the repo map (the planner's view)."""
        sources = config_sources(config, tokens=tokens, files=files)
        from agent.repomap_planner import RepoMapPlanner  # numpy/scipy: imported only when a map is asked for

        planner_config = load_config(sources).planner.model_copy(update={"type": "repomap"})
        source = resolve_repo(repo)
        plan = RepoMapPlanner(planner_config).plan(resolve_issue(issue).text, source.path)
        if as_json:
            typer.echo(plan.model_dump_json(indent=2))  # files with scores and reasons, symbols, tests, map
        else:
            print_plan(plan)
