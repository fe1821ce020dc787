"""What `agent solve --samples N` adds to the command line: the table of rollouts."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.search.report import HEADERS
from agent.trajectory import load_trajectory


def print_rollouts(run_dir: Path, console: Console) -> None:
    """The candidate table of a run whose tool loop was sampled, and the reason of the choice (nothing otherwise)."""
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
