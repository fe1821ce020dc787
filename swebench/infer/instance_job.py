"""One instance, start to finish, in whatever worker runs it: environment, agent, prediction.

With the Docker workspace (the default) the instance image comes from the harness's ImageBuilder, so the
agent works in the environment the tests will run in: a DockerWorkspace on it with the repository at
/testbed, and a host repository holding the image's commit (host_repo.py) for the patch gate, the planner
and the sampling judge. With `workspace.type=local` (tests, benches, machines without Docker) the agent
works in a clone of the mirror at the base commit instead.

One rollout runs `agent.runner.solve`; with `samples.count` > 1, `agent.samples.solve_samples` runs the
rollouts and chooses one. Test files the agent created or edited are kept out of `model_patch` and listed
in the trajectory (`extra.swebench.excluded_from_model_patch`).
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from agent.atomic import write_atomically
from agent.issue import IssueText
from agent.repo import RepoSource
from agent.samples.budget import BudgetedModel
from agent.samples.rollouts import WorkspaceFactory
from agent.trajectory import filter_output, load_trajectory
from core.errors import UserError
from swebench.infer.budget import BatchBudget
from swebench.infer.task import ERROR, INFRA_EXITS, NOT_STARTED, PREDICTED, InstanceOutcome, InstanceTask

_builders: dict[tuple, object] = {}
_builders_lock = threading.Lock()


@dataclass
class Environment:
    """Where an instance's agent works."""

    repo: RepoSource
    """A repository on this machine holding the workspace's base commit."""
    workspace: WorkspaceFactory
    """Makes a workspace (not yet entered) for a rollout name."""


def run_instance(task: InstanceTask, budget: BatchBudget) -> InstanceOutcome:
    """Run the agent on `task`'s instance, charging `budget`; the outcome says whether it predicted."""
    from workspaces.images import ImageBuildError

    started = time.monotonic()
    instance_id = task.instance.instance_id
    if budget.exhausted():
        return InstanceOutcome(instance_id, NOT_STARTED, "BudgetExhausted", message="the global budget was spent")
    shutil.rmtree(task.out_dir, ignore_errors=True)
    task.out_dir.mkdir(parents=True)
    try:
        environment = prepare_environment(task)
        outcome = (solve_sampled if task.config.samples.count > 1 else solve_single)(task, environment, budget)
    except UserError as exc:
        if not isinstance(exc, ImageBuildError):
            raise  # the run's settings are wrong for every instance
        outcome = InstanceOutcome(instance_id, ERROR, type(exc).__name__, message=str(exc))
    except Exception as exc:  # unsupported instance, repository unavailable, container gone, ...
        outcome = InstanceOutcome(instance_id, ERROR, type(exc).__name__, message=str(exc))
    if outcome.kind == PREDICTED and outcome.steps == 0 and budget.exhausted():
        outcome.kind = NOT_STARTED  # the budget ran out while the environment was being prepared
    outcome.seconds = time.monotonic() - started
    if task.ship_files:
        outcome.files = folder_files(task.out_dir)
        shutil.rmtree(task.out_dir, ignore_errors=True)
    return outcome


def instance_image_and_host(builder, instance):
    """The instance image's name and its HostRepo (both built once and cached)."""
    from swebench.infer.host_repo import host_repo
    from workspaces.images import cache_dir

    image = builder.images(instance).instance.name
    return image, host_repo(builder.client, image, builder.mirrors.git_dir(instance.repo),
                            cache_dir() / "swebench" / "host-repos")


def prepare_environment(task: InstanceTask) -> Environment:
    """The instance image, its workspace factory and host repository; or the mirror, for a local workspace."""
    from swebench.mirrors import Mirrors

    instance = task.instance
    if task.config.workspace.type == "local":
        from workspaces.local import LocalWorkspace

        git_dir = Mirrors(task.mirrors).require(instance.repo, instance.base_commit)
        return Environment(RepoSource(git_dir, instance.base_commit),
                           lambda config, name: LocalWorkspace(git_dir, instance.base_commit))
    from swebench.images import REPO_DIR
    from workspaces.docker import DockerWorkspace

    builder = builder_for(task.mirrors, task.specs)
    image, host = instance_image_and_host(builder, instance)
    settings = task.config.workspace.model_copy(update={"image": image})

    def workspace(config, name: str) -> DockerWorkspace:
        """A container of the instance image, named after the instance and the rollout."""
        return DockerWorkspace(settings, None, run_id=f"{instance.instance_id}-{name}", root=REPO_DIR,
                               client=builder.client)

    return Environment(RepoSource(host.path, host.commit), workspace)


def builder_for(mirrors: str | None, specs: list[str]):
    """One ImageBuilder per mirror directory and spec files in this process (parallel jobs share its builds)."""
    from swebench.images import ImageBuilder

    key = (mirrors, tuple(specs))
    with _builders_lock:
        if key not in _builders:
            _builders[key] = ImageBuilder.local(Path(mirrors) if mirrors else None, [Path(s) for s in specs] or None)
        return _builders[key]


def solve_single(task: InstanceTask, environment: Environment, budget: BatchBudget) -> InstanceOutcome:
    """One rollout with `agent.runner.solve`."""
    from agent.models.registry import make_model
    from agent.runner import SolveJob, solve
    from agent.samples.patches import split_patch
    from tools.registry import make_tools

    config = task.config.model_copy(update={"runs_dir": task.out_dir.parent})
    instance = task.instance
    model = BudgetedModel(make_model(config.model, task.cli_model), budget)
    issue = IssueText(instance.problem_statement, instance.instance_id)
    job = SolveJob(config=config, repo=environment.repo, issue=issue, model=model, tools=make_tools(config),
                   run_id=task.out_dir.name, checks=[budget.check],
                   extra={"swebench": {"instance_id": instance.instance_id}})
    started = time.monotonic()
    result = solve(job, environment.workspace(config, "0"))
    split = split_patch(result.patch)
    note_exclusions(task.out_dir / "trajectory.json", list(split.test_files))
    kind = ERROR if result.exit_status in INFRA_EXITS else PREDICTED
    return InstanceOutcome(instance.instance_id, kind, result.exit_status, split.source, list(split.test_files),
                           result.message, result.cost, result.steps, time.monotonic() - started)


def solve_sampled(task: InstanceTask, environment: Environment, budget: BatchBudget) -> InstanceOutcome:
    """Several rollouts and the choice of one with `agent.samples.solve_samples`."""
    from agent.samples.solve import SampleJob, solve_samples

    config = task.config.model_copy(update={"runs_dir": task.out_dir.parent})
    instance = task.instance
    issue = IssueText(instance.problem_statement, instance.instance_id)
    job = SampleJob(config=config, repo=environment.repo, issue=issue, run_id=task.out_dir.name,
                    cli_model=task.cli_model, budget=budget,
                    workspace=environment.workspace, extra={"swebench": {"instance_id": instance.instance_id}})
    started = time.monotonic()
    result = solve_samples(job)
    chosen = result.chosen
    excluded = list(chosen.split.test_files) if chosen else []
    if chosen is not None:
        note_exclusions(task.out_dir / "rollouts" / str(chosen.index) / "trajectory.json", excluded)
    solved = result.solve_result()
    infra = all(r.error or r.exit_status in INFRA_EXITS for r in result.rollouts)
    return InstanceOutcome(instance.instance_id, ERROR if infra else PREDICTED, solved.exit_status,
                           result.source_patch, excluded, solved.message or result.selection.reason, result.cost,
                           solved.steps, time.monotonic() - started, rollout_patches=result.model_patches,
                           selected=chosen.index if chosen else None)


def note_exclusions(path: Path, excluded: list[str]) -> None:
    """Record in a trajectory which test files were kept out of `model_patch` (rewritten atomically)."""
    if not path.exists():
        return
    data = load_trajectory(path)
    data.extra.setdefault("swebench", {})["excluded_from_model_patch"] = excluded
    write_atomically(path, filter_output(data.model_dump_json(indent=1)))


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file below `folder`, by path relative to it."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
