"""`agent replay`: re-run a recorded trajectory's tool calls and check the diff is the same."""

from __future__ import annotations

import difflib
from pathlib import Path

import typer
from rich.console import Console

from agent.config import merge_sources, validate_config

console = Console()


def replay_command(
    trajectory: Path = typer.Argument(..., help="A run folder (runs/RUN_ID) or the trajectory.json in it."),
    workspace: str | None = typer.Option(None, "--workspace", "-w", help="Override the recorded workspace type."),
    config: list[str] = typer.Option([], "--config", "-c", help="Overrides applied on top of the recorded config."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the replayed patch to this file."),
) -> None:
    """Re-run the recorded tool calls against a fresh workspace; exit 0 when the diff is identical."""
    from agent.replay import read_trajectory, replay

    data = read_trajectory(trajectory)
    sources = list(config) + ([f"workspace.type={workspace}"] if workspace else [])
    settings = validate_config(merge_sources(sources, base=data.config))
    result = replay(data, settings)
    if out:
        out.write_text(result.patch, encoding="utf-8")
    if result.identical:
        console.print(f"replayed {result.calls} tool call(s): the diff is identical to the recorded one")
        raise typer.Exit(0)
    console.print(f"replayed {result.calls} tool call(s): [red]the diff differs[/] from the recorded one")
    delta = difflib.unified_diff(result.recorded_patch.splitlines(), result.patch.splitlines(),
                                 "recorded", "replayed", lineterm="")
    console.print("\n".join(list(delta)[:80]), highlight=False, markup=False)
    raise typer.Exit(1)
