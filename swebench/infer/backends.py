"""Where instances run (thread pool, process pool, Ray cluster); the runner only sees `Backend` (README.md)."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable
from multiprocessing.managers import BaseManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from agent.models.budget import Ledger, SharedBudget
from core.errors import UserError
from swebench.infer.instance_job import run_instance
from swebench.infer.task import ERROR, InstanceOutcome, InstanceTask

if TYPE_CHECKING:
    from swebench.infer.ray_backend import RayBackend

BACKENDS = ("thread", "process", "ray")
"""Names accepted by `--backend`."""
DOCKER_RESOURCE = "docker"
"""The Ray custom resource that marks nodes with Docker; each instance takes one unit."""
Backend: TypeAlias = "PoolBackend | RayBackend"
"""What the runner drives: `budget`, `submit(task)`, `running()`, `wait(timeout)`, `stop()`, `close()`."""


def worker_setup(api_key: str | None = None) -> None:
    """What a worker process needs before it runs an instance: litellm's offline price table and redaction."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from agent import redact

    redact.install()
    redact.add_secret(api_key)


def crashed(task_id: str, exc: BaseException) -> InstanceOutcome:
    """The outcome of a task whose worker failed outside the job (a crashed process, a lost node)."""
    return InstanceOutcome(task_id, ERROR, type(exc).__name__, message=f"the worker failed: {exc}")


class PoolBackend:
    """A concurrent.futures pool running `entry(task, budget)`; threads or processes."""

    def __init__(self, executor: concurrent.futures.Executor, budget: Any,
                 entry: Callable[[InstanceTask, Ledger], InstanceOutcome],
                 on_close: Callable[[], None] | None = None):
        self.executor = executor
        self.budget = budget
        """The global budget the driver and the workers use: the SharedBudget, or a manager proxy of it."""
        self.entry = entry
        self.on_close = on_close
        self.futures: dict[concurrent.futures.Future, str] = {}

    def submit(self, task: InstanceTask) -> None:
        """Start `task` in the pool."""
        self.futures[self.executor.submit(self.entry, task, self.budget)] = task.instance.instance_id

    def running(self) -> int:
        """Tasks in flight."""
        return len(self.futures)

    def wait(self, timeout: float) -> list[InstanceOutcome]:
        """Finished outcomes (a UserError from a task is raised here)."""
        done, _ = concurrent.futures.wait(self.futures, timeout, concurrent.futures.FIRST_COMPLETED)
        outcomes = []
        for future in done:
            task_id = self.futures.pop(future)
            try:
                outcomes.append(future.result())
            except UserError:
                raise
            except Exception as exc:  # BrokenProcessPool and other worker failures
                outcomes.append(crashed(task_id, exc))
        return outcomes

    def stop(self) -> None:
        """Tell every run to end before its next step."""
        self.budget.stop()

    def close(self) -> None:
        """Shut the pool down; workers still running abandoned tasks get SIGTERM (their containers are removed)."""
        processes = getattr(self.executor, "_processes", None) or {}  # process pools only
        if self.futures:
            for process in list(processes.values()):
                process.terminate()
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.on_close is not None:
            self.on_close()


class LedgerManager(BaseManager):
    """A manager process that holds the ledger for process workers; its proxy (picklable) has the ledger's methods,
    and `check` raises BudgetExhausted or Interrupted in the worker as the ledger does."""


LedgerManager.register("SharedBudget", SharedBudget)


def thread_backend(workers: int, limit: float | None) -> PoolBackend:
    """Instances in threads of this process."""
    ledger = SharedBudget(limit, "global budget")
    executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="instance")
    return PoolBackend(executor, ledger, run_instance)


def process_backend(workers: int, limit: float | None, api_key: str | None = None) -> PoolBackend:
    """Instances in spawned worker processes; the ledger in a manager process."""
    context = multiprocessing.get_context("spawn")
    manager = LedgerManager(ctx=context)
    manager.start()
    proxy = manager.SharedBudget(limit, "global budget")  # type: ignore[attr-defined]
    executor = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=worker_setup,
                                                      initargs=(api_key,))
    return PoolBackend(executor, proxy, run_instance, on_close=manager.shutdown)


def ray_entry(task: InstanceTask, budget: Ledger) -> InstanceOutcome:
    """A Ray task: run the instance in a node-local folder and ship that folder back with the outcome."""
    worker_setup(task.config.model.api_key)
    scratch = Path(tempfile.mkdtemp(prefix="repo-agent-infer-"))
    try:
        task.out_dir, task.ship_files = scratch / task.out_dir.name, True
        return run_instance(task, budget)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def make_backend(name: str, workers: int, limit: float | None, *, ray_address: str | None = None,
                 api_key: str | None = None) -> Backend:
    """The backend called `name` with `workers` instances at once and a global budget of `limit` dollars."""
    if name == "thread":
        return thread_backend(workers, limit)
    if name == "process":
        return process_backend(workers, limit, api_key)
    if name == "ray":
        from swebench.infer.ray_backend import RayBackend

        return RayBackend(workers, limit, ray_address)
    raise UserError(f"Unknown backend {name!r}: use one of {', '.join(BACKENDS)}.")
