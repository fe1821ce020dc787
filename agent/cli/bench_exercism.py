"""`agent bench exercism --exercises DIR`: Exercism's Python exercises solved by `agent solve`'s own strategy."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.config import load_config
from core.errors import UserError

console = Console(soft_wrap=True)


def names(text: str | None) -> list[str]:
    """`a,b` -> ["a", "b"]."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def run_exercism(exercises: Path | None, only: str | None, exclude: str | None, model: str | None, config: list[str],
                 sandboxes, workers: int, folder: Path, progress_bar) -> None:
    """Solve every selected exercise (kept results first), then print and store the report."""
    from agent.issue import IssueText
    from agent.repo import resolve_repo
    from agent.runner import build_job, solve
    from core.pool import run_pool
    from evals.exercism import load_exercises, record, run_exercise
    from evals.run import JsonLines

    if exercises is None:
        raise UserError("agent bench exercism needs --exercises DIR, a local clone of exercism/python.")
    chosen = load_exercises(exercises, names(only), names(exclude))
    settings = load_config(config).model_copy(update={"runs_dir": folder / "runs"})

    def solve_one(repo: Path, issue: str, run_id: str) -> tuple[str, str, float]:
        """One `agent solve` of an exercise's repository."""
        started = time.monotonic()
        result = solve(build_job(settings, resolve_repo(str(repo)), IssueText(issue), cli_model=model, run_id=run_id))
        return result.patch, result.exit_status, time.monotonic() - started

    store = JsonLines(folder / "results.jsonl")
    kept = {r["name"]: r for r in store.read()}

    def one(exercise) -> dict:
        """Solve one exercise and keep its result."""
        line = record(run_exercise(exercise, folder / "repos", solve_one, sandboxes.get()))
        store.append(line)
        return line

    bar, task = progress_bar("exercises", len(chosen))
    with bar:
        results = run_pool(chosen, one, workers=workers, done=lambda e: kept.get(e.name), name="exercism",
                           on_result=lambda _e, r: bar.advance(task))
    report(results, folder)


def report(results: list[dict], folder: Path) -> None:
    """Per exercise, then pass after try 1 and try 2 and how many tries ended with no patch."""
    import json

    table = Table(title="Exercism", title_justify="left")
    for column in ("exercise", "try 1", "try 2", "no patch", "seconds", "exit"):
        table.add_column(column)
    for r in results:
        table.add_row(r["name"], "pass" if r["passed_1"] else "-", "pass" if r["passed_2"] else "-",
                      str(sum(r["empty"] or [])), " + ".join(map(str, r["seconds"] or [])),
                      ", ".join(r["exit_status"] or []))
    console.print(table)
    total = max(1, len(results))
    first, second = sum(r["passed_1"] for r in results), sum(r["passed_2"] for r in results)
    empty = sum(any(r["empty"] or []) for r in results)
    summary = {"exercises": len(results), "pass_try_1": first / total, "pass_try_2": second / total,
               "runs_with_no_patch": empty}
    console.print(f"[bold]exercism[/]: {len(results)} exercises · pass after try 1 {100 * first / total:.1f}% · "
                  f"after try 2 {100 * second / total:.1f}% · exercises with a try that ended with no patch: {empty}",
                  highlight=False)
    (folder / "report.json").write_text(json.dumps({"metrics": summary, "exercises": results}, indent=1),
                                        encoding="utf-8")
    console.print(f"run folder: {folder}  (results.jsonl, report.json, runs/, repos/)", highlight=False)
