"""One instance, start to finish, in whatever worker runs it: environment, agent, prediction. Test files the
agent created or edited are kept out of `model_patch` (listed in the trajectory's extra.swebench)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from agent.atomic import write_atomically
from agent.issue import IssueText
from agent.models.budget import Ledger
from agent.repo import RepoSource
from agent.trajectory import filter_output, load_trajectory
from core.errors import UserError
from core.pool import Lazy
from swebench.images import ImageSource
from swebench.infer.task import ERROR, INFRA_EXITS, NOT_STARTED, PREDICTED, InstanceOutcome, InstanceTask

if TYPE_CHECKING:
    from agent.config import AgentConfig
    from workspaces.base import Workspace

_builders: dict[ImageSource, Lazy] = {}

WorkspaceFactory = Callable[["AgentConfig", str], "Workspace"]
"""Makes an instance's workspace (not yet entered): (the run's config, a name) -> a workspace."""


def run_instance(task: InstanceTask, budget: Ledger) -> InstanceOutcome:
    """Run the agent on `task`'s instance, charging `budget`; the outcome says whether it predicted."""
    from workspaces.images import ImageBuildError

    started = time.monotonic()
    instance_id = task.instance.instance_id
    if budget.exhausted():
        return InstanceOutcome(instance_id, NOT_STARTED, "BudgetExhausted", message="the global budget was spent")
    shutil.rmtree(task.out_dir, ignore_errors=True)
    task.out_dir.mkdir(parents=True)
    try:
        outcome = solve_instance(task, *prepare_environment(task), budget)
    except UserError as exc:
        if not isinstance(exc, ImageBuildError):
            raise  # the run's settings are wrong for every instance
        outcome = InstanceOutcome(instance_id, ERROR, type(exc).__name__, message=str(exc))
    except Exception as exc:  # unsupported instance, repository unavailable, container gone, ...
        outcome = InstanceOutcome(instance_id, ERROR, type(exc).__name__, message=str(exc))
    if outcome.kind == PREDICTED and outcome.steps == 0 and budget.exhausted():
        outcome.kind = NOT_STARTED  # the budget ran out while the environment was being prepared
    outcome.seconds = time.monotonic() - started
    return outcome


def prepare_environment(task: InstanceTask) -> tuple[RepoSource, WorkspaceFactory]:
    """Where the instance's repository comes from (the mirror and its base commit, as recorded) and the factory of
    its workspaces: containers of the instance image, or worktrees of the mirror for a local workspace."""
    from swebench.mirrors import Mirrors

    instance = task.instance
    if task.config.workspace.type == "local":
        from workspaces.local import LocalWorkspace

        commit = instance.base_commit
        git_dir = Mirrors(task.images.mirrors).require(instance.repo, commit)
        return RepoSource(git_dir, commit), lambda config, name: LocalWorkspace(git_dir, commit)
    from swebench.images import REPO_DIR
    from swebench.official import inference_layer
    from workspaces.docker import DockerWorkspace

    builder = builder_for(task.images)
    images = builder.images(instance)
    image = inference_layer(builder.client, images.instance.name).name if images.official else images.instance.name
    settings = task.config.workspace.model_copy(update={"image": image})

    def workspace(config, name: str) -> DockerWorkspace:
        """A container of the instance image, named after the instance and the rollout."""
        return DockerWorkspace(settings, None, run_id=f"{instance.instance_id}-{name}", root=REPO_DIR,
                               client=builder.client)

    return RepoSource(builder.mirrors.git_dir(instance.repo), instance.base_commit), workspace


def builder_for(source: ImageSource):
    """One ImageBuilder per image source in this process (parallel jobs share its builds; setdefault is atomic)."""
    return _builders.setdefault(source, Lazy(source.builder))()


def solve_instance(task: InstanceTask, repo: RepoSource, workspace: WorkspaceFactory,
                   budget: Ledger) -> InstanceOutcome:
    """The instance solved with `agent.runner.solve`; with `samples.count` > 1 each rollout's fix and the chosen one."""
    from agent.runner import build_job, solve
    from agent.search.patches import split_patch

    config = task.config.model_copy(update={"runs_dir": task.out_dir.parent})
    instance = task.instance
    issue = IssueText(instance.problem_statement, instance.instance_id)
    job = build_job(config, repo, issue, cli_model=task.cli_model, budget=budget,
                    run_id=task.out_dir.name, extra={"swebench": {"instance_id": instance.instance_id}})
    started = time.monotonic()
    result = solve(job, workspace(config, "0"))
    split = split_patch(result.patch)
    # the trajectory records which test files were kept out of `model_patch` (rewritten atomically)
    path = task.out_dir / "trajectory.json"
    trajectory = load_trajectory(path)
    trajectory.extra.setdefault("swebench", {})["excluded_from_model_patch"] = list(split.test_files)
    write_atomically(path, filter_output(trajectory.model_dump_json(indent=1)))
    kind = ERROR if result.exit_status in INFRA_EXITS else PREDICTED
    rollouts = trajectory.extra.get("rollouts") or {}
    patches = [split_patch(c["patch"]).source for c in rollouts.get("candidates", [])]
    return InstanceOutcome(instance.instance_id, kind, result.exit_status, split.source, list(split.test_files),
                           result.message, result.cost, result.steps, time.monotonic() - started,
                           rollout_patches=patches or None, selected=rollouts.get("chosen"))
