"""The Ray backend, apart so other backends never import Ray: a task per instance on Docker nodes, a budget actor."""

from __future__ import annotations

import os
from typing import Any

from agent.models.budget import SharedBudget, raise_verdict
from core.errors import UserError
from swebench.infer.backends import DOCKER_RESOURCE, crashed, ray_entry
from swebench.infer.task import InstanceOutcome, InstanceTask


def import_ray() -> Any:
    """The ray module, or a UserError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise UserError("The Ray backend needs the ray package: pip install 'repo-agent[ray]'.") from None
    return ray


class ActorLedger:
    """The ledger actor as a `Ledger` for the driver and the tasks (picklable with the actor handle)."""

    def __init__(self, actor: Any):
        self.actor = actor

    def _call(self, method: str, *args: Any) -> Any:
        return import_ray().get(getattr(self.actor, method).remote(*args))

    def charge(self, dollars: float) -> None:
        """Count `dollars` as spent (nothing is sent for a free call)."""
        if dollars > 0:
            self._call("charge", dollars)

    def spent(self) -> float:
        """Dollars charged so far."""
        return self._call("spent")

    def exhausted(self) -> bool:
        """True once the budget is spent or the runner stopped."""
        return self._call("exhausted")

    def verdict(self) -> tuple[str, str]:
        """The actor's verdict (see SharedBudget.verdict)."""
        return self._call("verdict")

    def check(self) -> None:
        """Raise BudgetExhausted or Interrupted here (not wrapped in a Ray error) when the verdict says so."""
        raise_verdict(*self.verdict())


class RayBackend:
    """Instances as Ray tasks (see backends.py); outcomes and instance folders come back to the driver."""

    def __init__(self, workers: int, limit: float | None, address: str | None = None):
        ray = self.ray = import_ray()
        self.refs: dict[Any, str] = {}
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
            self.close()
            raise UserError(f"No node of the Ray cluster offers the `{DOCKER_RESOURCE}` resource: start each node "
                            f"that has Docker with `ray start --resources='{{\"{DOCKER_RESOURCE}\": 4}}'` (4 "
                            "instances at once on it).")
        self.actor = ray.remote(num_cpus=0)(SharedBudget).remote(limit, "global budget")
        self.budget = ActorLedger(self.actor)
        """The driver's (and the tasks') handle on the global budget."""
        self.remote = ray.remote(num_cpus=0, resources={DOCKER_RESOURCE: 1}, max_retries=0)(ray_entry)

    def submit(self, task: InstanceTask) -> None:
        """Start `task` on a node with Docker."""
        self.refs[self.remote.remote(task, self.budget)] = task.instance.instance_id

    def running(self) -> int:
        """Tasks in flight."""
        return len(self.refs)

    def wait(self, timeout: float) -> list[InstanceOutcome]:
        """Finished outcomes (a UserError raised by a task is raised here)."""
        if not self.refs:
            return []
        ready, _ = self.ray.wait(list(self.refs), num_returns=1, timeout=timeout)
        if ready:
            rest = [ref for ref in self.refs if ref not in ready]
            ready += self.ray.wait(rest, num_returns=len(rest), timeout=0)[0] if rest else []
        return [self._result(ref) for ref in ready]

    def _result(self, ref: Any) -> InstanceOutcome:
        task_id = self.refs.pop(ref)
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayTaskError as exc:
            if isinstance(exc.cause, UserError):
                raise exc.cause from None
            return crashed(task_id, exc.cause or exc)
        except self.ray.exceptions.RayError as exc:  # a worker or node died
            return crashed(task_id, exc)

    def stop(self) -> None:
        """Tell every task to end before its next step."""
        self.actor.stop.remote()

    def close(self) -> None:
        """Cancel abandoned tasks; shut Ray down when this backend started it."""
        for ref in list(self.refs):
            self.ray.cancel(ref)
        self.refs.clear()
        if self.started_ray:
            self.ray.shutdown()
