"""The Ray backend, apart so other backends never import Ray: a task per instance on Docker nodes (as futures of
an executor), the budget in an actor, each task's instance folder shipped back to the driver."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.models.budget import Ledger, SharedBudget, raise_verdict
from core.errors import UserError
from swebench.infer.backends import PoolBackend, worker_setup
from swebench.infer.instance_job import run_instance
from swebench.infer.task import InstanceOutcome, InstanceTask

DOCKER_RESOURCE = "docker"
"""The Ray custom resource that marks nodes with Docker; each instance takes one unit."""


def import_ray() -> Any:
    """The ray module, or a UserError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise UserError("The Ray backend needs the ray package: pip install 'repo-agent[ray]'.") from None
    return ray


class ActorLedger:
    """The ledger actor as a `Ledger` for the driver and the tasks (picklable with the actor handle): `spent`,
    `exhausted`, `verdict` and `stop` call the actor's method and wait for its answer."""

    def __init__(self, actor: Any):
        self.actor = actor

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("__"):  # pickle's lookups, not the actor's methods
            raise AttributeError(method)
        return lambda *args: import_ray().get(getattr(self.actor, method).remote(*args))

    def charge(self, dollars: float) -> None:
        """Count `dollars` as spent (nothing is sent for a free call)."""
        if dollars > 0:
            import_ray().get(self.actor.charge.remote(dollars))

    def check(self) -> None:
        """Raise BudgetExhausted or Interrupted here (not wrapped in a Ray error) when the verdict says so."""
        raise_verdict(*self.verdict())


def ray_entry(task: InstanceTask, budget: Ledger) -> InstanceOutcome:
    """A Ray task: run the instance in a node-local folder and ship that folder's files back with the outcome."""
    worker_setup(task.config.model.api_key)
    scratch = Path(tempfile.mkdtemp(prefix="repo-agent-infer-"))
    try:
        folder = task.out_dir = scratch / task.out_dir.name
        outcome = run_instance(task, budget)
        if folder.exists():  # an instance that did not start made none
            files = [path for path in sorted(folder.rglob("*")) if path.is_file()]
            outcome.files = {str(path.relative_to(folder)): path.read_bytes() for path in files}
        return outcome
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class RayExecutor(concurrent.futures.Executor):
    """Functions as Ray tasks on nodes offering DOCKER_RESOURCE; shutting down cancels the tasks still running and
    stops Ray when this executor started it."""

    def __init__(self, workers: int, address: str | None = None):
        ray = self.ray = import_ray()
        self.refs: dict[concurrent.futures.Future, Any] = {}
        self.remotes: dict[Callable, Any] = {}
        self.started_ray = not ray.is_initialized()
        if self.started_ray:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                # tasks take no CPU; the CPU count sizes Ray's pool of idle worker processes, which must hold
                # `workers` of them or every task beyond it starts (and imports the agent in) a fresh process
                ray.init(num_cpus=max(os.cpu_count() or 1, workers), resources={DOCKER_RESOURCE: workers},
                         include_dashboard=False, log_to_driver=False)
        if not ray.cluster_resources().get(DOCKER_RESOURCE):
            self.shutdown()
            raise UserError(f"No node of the Ray cluster offers the `{DOCKER_RESOURCE}` resource: start each node "
                            f"that has Docker with `ray start --resources='{{\"{DOCKER_RESOURCE}\": 4}}'` (4 "
                            "instances at once on it).")

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future:
        """`fn(*args, **kwargs)` as a Ray task taking one unit of DOCKER_RESOURCE, never retried."""
        if fn not in self.remotes:
            self.remotes[fn] = self.ray.remote(num_cpus=0, resources={DOCKER_RESOURCE: 1}, max_retries=0)(fn)
        ref = self.remotes[fn].remote(*args, **kwargs)
        future = ref.future()
        self.refs[future] = ref
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Cancel the tasks not finished; shut Ray down when this executor started it."""
        for future, ref in self.refs.items():
            if not future.done():
                self.ray.cancel(ref)
        self.refs.clear()
        if self.started_ray:
            self.ray.shutdown()


def ray_backend(workers: int, limit: float | None, address: str | None = None) -> PoolBackend:
    """Instances as Ray tasks (`address`: a cluster; None starts a local Ray), the global budget in an actor."""
    executor = RayExecutor(workers, address)
    actor = executor.ray.remote(num_cpus=0)(SharedBudget).remote(limit, "global budget")
    return PoolBackend(executor, ActorLedger(actor), ray_entry)
