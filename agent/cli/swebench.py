"""`agent swebench validate | eval | report`, and `swebench_app` with the shared option helpers for other
modules' subcommands (`infer`, `run`)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from core.errors import UserError

swebench_app = typer.Typer(name="swebench", help="SWE-bench: validate instances, evaluate predictions, report.",
                           no_args_is_help=True)
console = Console(width=None if sys.stdout.isatty() else 120)  # tables stay readable when piped
err_console = Console(stderr=True)

DATASET_HELP = ("lite, lite-dev, verified, full (from the hub, then cached), a JSON/JSONL file in the Hugging Face "
                "schema, or a hub name owner/name[:split].")
MIRRORS_HELP = "Directory of bare mirrors named owner+name or owner__name (default: $REPO_AGENT_MIRRORS, else clone)."
SPECS_HELP = "Extra spec YAML (same format as swebench/specs.yaml)."
IMAGES_HELP = ("build: our own images (Python 3.9/3.11, offline); official: SWE-bench's published instance images, "
               "pulled when absent; auto: official when present or pullable, else build.")
NAMESPACE_HELP = "Registry/namespace of the official images (a mirror, another architecture's)."


def split_ids(values: list[str] | None) -> list[str]:
    """Instance ids from repeated and comma/space-separated option values and arguments."""
    return [part for value in values or [] for part in value.replace(",", " ").split() if part]


def load_instances(dataset: str, ids: list[str] | None = None) -> list:
    """The dataset's instances, restricted to `ids` when given."""
    from swebench.datasets import load_dataset, select

    return select(load_dataset(dataset), ids)


def image_source(mirrors: Path | None, specs: list[Path] | None, images: str, namespace: str):
    """The ImageSource of the command line (`--mirrors` else $REPO_AGENT_MIRRORS); a bad `--images` is refused."""
    from swebench.images import ImageSource

    mirror_dir = str(mirrors) if mirrors else os.environ.get("REPO_AGENT_MIRRORS")
    return ImageSource(mirror_dir, tuple(str(s) for s in specs or []), images, namespace)


def show_report(runs_dir: Path, run_id: str, as_json: bool = False) -> None:
    """Write the run's report.html and results.json, then print the report (or, `as_json`, results.json)."""
    from swebench.report import load_report, official_results, print_report, write_reports

    report = load_report(runs_dir, run_id)
    results_path, html_path = write_reports(report, runs_dir)
    if as_json:
        print(json.dumps(official_results(report), indent=2))
        return
    print_report(report, console)
    console.print(f"results: {results_path}\nreport:  {html_path}", highlight=False)


@swebench_app.command("validate")
def validate_command(
    instance_ids: list[str] = typer.Argument(None, help="Instance ids (also --instances)."),
    dataset: str = typer.Option("lite", "--dataset", "-d", help=DATASET_HELP),
    instances: list[str] = typer.Option(None, "--instances", help="Instance ids; repeatable, comma-separated."),
    mirrors: Path = typer.Option(None, "--mirrors", help=MIRRORS_HELP),
    workers: int = typer.Option(1, "--workers", min=1, help="Instances validated at once."),
    force: bool = typer.Option(False, "--force", help="Ignore cached validations."),
    as_json: bool = typer.Option(False, "--json", help="Print [{instance_id, valid, gold, empty, seconds}] on stdout."),
    timeout: float = typer.Option(1800, "--timeout", help="Seconds one test run may take."),
    out: Path = typer.Option(None, "--out", help="Where validation folders go (default: the cache)."),
    specs: list[Path] = typer.Option(None, "--specs", help=SPECS_HELP),
    images: str = typer.Option("build", "--images", help=IMAGES_HELP),
    image_namespace: str = typer.Option("swebench", "--image-namespace", help=NAMESPACE_HELP),
) -> None:
    """Run the gold patch and the empty patch per instance: valid when gold resolves and empty does not."""
    from swebench.evaluate import EvalSettings
    from swebench.validate import Validation, validate
    from workspaces.images import cache_dir

    chosen = load_instances(dataset, split_ids(instances) + split_ids(instance_ids))
    builder = image_source(mirrors, specs, images, image_namespace).builder()

    def show(result: Validation) -> None:
        """One line per validated instance on stderr."""
        mark = "[green]valid[/]" if result.valid else "[red]not valid[/]"
        note = " (cached)" if result.cached else ""
        err_console.print(f"{result.instance_id}: {mark} gold={result.gold} empty={result.empty} "
                          f"{result.seconds:.1f}s{note} {result.reason}", highlight=False)

    started = time.monotonic()
    settings = EvalSettings(timeout=timeout, run_id="validate")
    results = validate(chosen, builder, out or cache_dir() / "swebench" / "validate", settings, workers=workers,
                       force=force, on_result=show)
    if as_json:
        print(json.dumps([r.public() for r in results], indent=2))
    valid = sum(r.valid for r in results)
    err_console.print(f"{valid}/{len(results)} valid in {time.monotonic() - started:.1f}s", highlight=False)
    if valid < len(results):
        raise typer.Exit(1)


def usable_predictions(path: Path, dataset: list, ids: list[str]):
    """The predictions of `path` (for `ids` only, when given), rejected lines listed on stderr; UserError when none
    is usable or `ids` are unknown or have none."""
    from swebench.datasets import select
    from swebench.predictions import read_predictions, require_predictions

    wanted = {instance.instance_id for instance in select(dataset, ids)} if ids else set()
    preds = read_predictions(path, dataset)
    require_predictions(preds, path)
    if wanted:
        preds.predictions = {k: v for k, v in preds.predictions.items() if k in wanted}
        if not preds.predictions:
            raise UserError(f"{path} has no prediction for the instances given with --instances "
                            f"({', '.join(ids[:3])}{' …' if len(ids) > 3 else ''}); check the ids against the file.")
    for rejection in preds.rejections:
        detail = escape(f"{rejection.reason} {rejection.instance_id}".rstrip())
        err_console.print(f"[yellow]line {rejection.line} skipped[/]: {detail}", highlight=False)
    return preds


@swebench_app.command("eval")
def eval_command(
    predictions: Path = typer.Option(None, "--predictions", "-p", help="Predictions file (JSONL or JSON)."),
    dataset: str = typer.Option("lite", "--dataset", "-d", help=DATASET_HELP),
    run_id: str = typer.Option(..., "--run-id", help="Name of the run (its folder under RUNS/swebench/)."),
    instances: list[str] = typer.Option(None, "--instances", help="Only these instance ids."),
    workers: int = typer.Option(1, "--workers", min=1, help="Instances evaluated at once."),
    mirrors: Path = typer.Option(None, "--mirrors", help=MIRRORS_HELP),
    runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Parent folder of runs."),
    force: bool = typer.Option(False, "--force", help="Evaluate again instances that have a report."),
    regrade: bool = typer.Option(False, "--regrade", help="Grade again from stored test logs; no Docker."),
    timeout: float = typer.Option(1800, "--timeout", help="Seconds one instance's tests may take."),
    specs: list[Path] = typer.Option(None, "--specs", help=SPECS_HELP),
    images: str = typer.Option("build", "--images", help=IMAGES_HELP),
    image_namespace: str = typer.Option("swebench", "--image-namespace", help=NAMESPACE_HELP),
) -> None:
    """Evaluate a predictions file; reruns skip finished instances; then print the report."""
    from swebench.evaluate import EvalSettings
    from swebench.run_eval import RunOptions, regrade_run, run_evaluation
    from swebench.specs import SpecTable

    source = image_source(mirrors, specs, images, image_namespace)
    full = load_instances(dataset)
    if regrade:
        regrade_run(full, SpecTable.load(specs), runs_dir, run_id)
    else:
        if predictions is None:
            raise UserError("Give the predictions file with --predictions FILE (or use --regrade).")
        preds = usable_predictions(predictions, full, split_ids(instances))
        options = RunOptions(run_id=run_id, runs_dir=runs_dir, workers=workers, force=force,
                             settings=EvalSettings(timeout=timeout, run_id=run_id), dataset_name=dataset,
                             predictions_path=str(predictions))
        run_evaluation(full, preds, source.builder, options, err_console)
    show_report(runs_dir, run_id)


@swebench_app.command("report")
def report_command(
    run_id: str = typer.Argument(..., help="The run id given to `eval`."),
    runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Parent folder of runs."),
    as_json: bool = typer.Option(False, "--json", help="Print results.json (the official shape) on stdout."),
) -> None:
    """Resolved rate overall and per repository, in the terminal and as report.html / results.json."""
    show_report(runs_dir, run_id, as_json)


def register(app: typer.Typer) -> None:
    """Add `agent swebench ...` to the main app."""
    app.add_typer(swebench_app, name="swebench")
