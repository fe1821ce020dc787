"""`agent swebench infer | run` (registered on `swebench_app`): the agent on many instances, then for `run`
evaluation and a report; the library is swebench/infer/."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import typer
from rich.console import Console

from agent.cli.main import choice_of
from agent.cli.solve import config_sources
from agent.cli.swebench import (
    DATASET_HELP,
    IMAGES_HELP,
    MIRRORS_HELP,
    NAMESPACE_HELP,
    SPECS_HELP,
    image_source,
    load_instances,
    show_report,
    split_ids,
    swebench_app,
)
from agent.config import AgentConfig
from core.errors import UserError

console = Console()
err_console = Console(stderr=True)


def sampling_sources(attempts: int | None, samples: int | None, select: str | None,
                     temperature: float | None) -> list[str]:
    """Config overrides for `--attempts` / `--samples` / `--select` / `--temperature`: `--attempts k` is k rollouts
    chosen by vote (the largest group of equivalent fixes); `--samples N` chooses as `agent solve --samples` does."""
    if attempts and samples and attempts != samples:
        raise UserError("Give --attempts or --samples, not both: --attempts k keeps the most agreed fix of k "
                        "independent rollouts, --samples N chooses by tests and agreement.")
    sources = config_sources([], samples=samples or attempts, temperature=temperature, select=select)
    return sources + (["samples.select=vote"] if attempts and not samples and not select else [])


def build_runner_inputs(args: SimpleNamespace):
    """(config, options, instances) from the command line's options; every problem a one-sentence UserError."""
    from agent.config import load_config
    from agent.models.registry import make_model
    from swebench.datasets import narrow
    from swebench.infer.backends import BACKENDS
    from swebench.infer.runner import InferOptions

    if args.backend not in BACKENDS:
        raise UserError(f"--backend {args.backend} is not known: use one of {', '.join(BACKENDS)}.")
    # the planner is on for SWE-bench unless the user's config says otherwise
    sources = config_sources(["planner.type=repomap", *args.config], model=args.model, workspace=args.workspace,
                             max_steps=args.max_steps, cost_limit=args.cost_limit, strategy=args.strategy)
    config = load_config(sources + sampling_sources(args.attempts, args.samples, args.select, args.temperature))
    model_name = args.model_name or make_model(config.model, args.model).name  # fails early on a bad model setup
    instances = load_instances(args.dataset, split_ids(args.instances) + split_ids(args.instance_ids))
    instances, left_out = narrow(instances, split_ids(args.repos), args.slice_text, args.sample)
    if not instances:
        raise UserError(f"No instances selected from {args.dataset}; check the instance ids, --repos and --slice.")
    err_console.print(f"dataset {args.dataset}: {len(instances)} instance(s)"
                      + (f"; left out: {'; '.join(left_out)}" if left_out else ""), highlight=False)
    options = InferOptions(run_id=args.run_id, runs_dir=args.runs_dir, workers=args.workers, backend=args.backend,
                           ray_address=args.ray_address, budget=args.budget, redo=args.force,
                           images=image_source(args.mirrors, args.specs, args.images, args.image_namespace),
                           cli_model=args.model, model_name=model_name)
    return config, options, instances


def infer_command(
    instance_ids: list[str] = typer.Argument(None, help="Instance ids (also --instances); default: the whole dataset."),
    dataset: str = typer.Option("lite", "--dataset", "-d", help=DATASET_HELP),
    instances: list[str] = typer.Option(None, "--instances", help="Instance ids; repeatable, comma-separated."),
    run_id: str = typer.Option(..., "--run-id", help="Name of the run (its folder under RUNS/swebench/)."),
    model: str = typer.Option(None, "--model", "-m", help="litellm model id, e.g. openai/gpt-5-mini."),
    config: list[str] = typer.Option([], "--config", "-c", help="Config file or key.sub=value; repeatable."),
    workers: int = typer.Option(1, "--workers", min=1, help="Instances at once."),
    backend: str = typer.Option("thread", "--backend", help="thread, process or ray."),
    ray_address: str = typer.Option(None, "--ray-address", help="Ray cluster address (auto); default: a local Ray."),
    cost_limit: float = typer.Option(None, "--cost-limit", min=0, help="Dollars one run (one instance) may spend."),
    budget: float = typer.Option(None, "--budget", min=0, help="Dollars all instances share; then no new one starts."),
    attempts: int = typer.Option(None, "--attempts", min=1, help="Independent rollouts per instance (pass@k)."),
    samples: int = typer.Option(None, "--samples", min=1, help="Rollouts per instance, one chosen by --select."),
    select: str = typer.Option(None, "--select", help="How a rollout is chosen: tests+vote, tests or vote."),
    temperature: float = typer.Option(None, "--temperature", min=0, max=2, help="Sampling temperature."),
    max_steps: int = typer.Option(None, "--max-steps", min=1, help="Step limit per run."),
    workspace: str = typer.Option(None, "--workspace", "-w", help="docker (instance images, default) or local."),
    force: bool = typer.Option(False, "--force", help="Run again instances that already have a prediction."),
    mirrors: Path = typer.Option(None, "--mirrors", help=MIRRORS_HELP),
    specs: list[Path] = typer.Option(None, "--specs", help=SPECS_HELP),
    images: str = typer.Option("build", "--images", help=IMAGES_HELP),
    image_namespace: str = typer.Option("swebench", "--image-namespace", help=NAMESPACE_HELP),
    runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Parent folder of runs."),
    model_name: str = typer.Option(None, "--model-name", help="model_name_or_path of the predictions."),
    strategy: str = typer.Option(None, "--strategy", callback=choice_of(AgentConfig, "strategy"),
                                 help="How the fix is looked for: auto, repair or loop (as for agent solve)."),
    repos: list[str] = typer.Option(None, "--repos", help="Only these repositories (owner/name or name); "
                                    "comma-separated."),
    slice_text: str = typer.Option(None, "--slice", help="START:STOP of the dataset's instances, e.g. 0:50."),
    sample: int = typer.Option(None, "--sample", min=1, help="A fixed-seed random sample of N instances."),
) -> None:
    """Run the agent on many instances, each in its instance container, into preds.jsonl (resumable)."""
    run_infer(SimpleNamespace(**locals()))  # its options, which `run` shares (see `with_options`)


def run_options(
    eval_workers: int = typer.Option(1, "--eval-workers", min=1, help="Instances evaluated at once."),
    timeout: float = typer.Option(1800, "--timeout", help="Seconds one instance's tests may take."),
) -> None:
    """Holds the signature of the options only `run` has."""


def with_options(command: Callable[..., None], *holders: Callable[..., None]) -> Callable[..., None]:
    """Give `command` (taking **options) the parameters of `holders`, with resolved types, for typer to read."""
    parameters = []
    for holder in holders:
        hints = typing.get_type_hints(holder)
        parameters += [p.replace(annotation=hints[p.name]) for p in inspect.signature(holder).parameters.values()]
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return command


def run_infer(args: SimpleNamespace, evaluate: bool = False) -> None:
    """Run inference (for `run`, evaluating each prediction as it arrives, then `finish_run`), print the summary."""
    from swebench.evaluate import EvalSettings
    from swebench.infer.evaluation import LiveEvaluator
    from swebench.infer.instance_job import builder_for
    from swebench.infer.runner import InferRunner, print_summary

    config, options, instances = build_runner_inputs(args)
    evaluator = None
    runner = InferRunner(config, options, err_console, evaluating=evaluate)
    if evaluate:
        settings = EvalSettings(timeout=args.timeout, run_id=options.run_id, model_name=options.model_name)
        evaluator = LiveEvaluator(instances, lambda: builder_for(options.images), runner.paths.folder,
                                  settings, args.eval_workers,
                                  notify=lambda i, status: runner.progress.evaluated(i, status))
        runner.on_outcome = evaluator
    err_console.print(f"[bold]repo-agent[/] swebench infer {options.run_id}: {len(instances)} instance(s) · model "
                      f"{options.model_name} · workspace {config.workspace.type} · {options.workers} worker(s) on "
                      f"{options.backend}", highlight=False)
    summary = None
    try:
        summary = runner.run(instances)
    finally:
        if evaluator is not None:
            evaluator.finish(cancel=summary is None or summary.interrupted)
    print_summary(summary, err_console)
    if summary.interrupted:
        raise typer.Exit(130)
    if evaluate:
        finish_run(args, summary.paths, instances, options, settings)


def run_command(**options) -> None:
    """Infer (evaluating each prediction as it arrives), evaluate what is left, then report; resumable."""
    run_infer(SimpleNamespace(**options), evaluate=True)


def finish_run(args: SimpleNamespace, paths, instances: list, infer, settings) -> None:
    """After `run`'s inference: evaluate what is left and report; with several rollouts per instance, evaluate each
    rollout, then print and save pass@k and selected@1."""
    from swebench.infer.evaluation import print_sampling, score_rollouts, write_sampling
    from swebench.infer.instance_job import builder_for
    from swebench.predictions import read_predictions
    from swebench.run_eval import RunOptions, run_evaluation

    preds = read_predictions(paths.preds, instances)
    run_evaluation(instances, preds, lambda: builder_for(infer.images),
                   RunOptions(run_id=infer.run_id, runs_dir=infer.runs_dir, workers=args.eval_workers,
                              settings=settings, dataset_name=args.dataset, predictions_path=str(paths.preds)),
                   err_console)
    show_report(infer.runs_dir, infer.run_id)
    if paths.rollouts.exists():
        outcomes = score_rollouts(instances, paths.rollouts, paths.folder, builder_for(infer.images), settings,
                                  args.eval_workers)
        if outcomes:
            print_sampling(write_sampling(outcomes, paths.folder / "sampling.json"), console)


def register(app: typer.Typer) -> None:
    """Add `infer` and `run` to `swebench_app` (which agent.cli.swebench puts on the main app)."""
    swebench_app.command("infer")(infer_command)
    swebench_app.command("run")(with_options(run_command, infer_command, run_options))
