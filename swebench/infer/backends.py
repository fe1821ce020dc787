"""Where instances run: a concurrent.futures executor (threads, spawned processes, or Ray tasks through
ray_backend.py) and the global budget its workers charge; the runner only sees `PoolBackend` (README.md)."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.managers import BaseManager
from typing import Any

from agent.models.budget import Ledger, SharedBudget
from core.errors import UserError
from swebench.infer.instance_job import run_instance
from swebench.infer.task import ERROR, InstanceOutcome, InstanceTask

BACKENDS = ("thread", "process", "ray")
"""Names accepted by `--backend`."""


def worker_setup(api_key: str | None = None) -> None:
    """What a worker process needs before it runs an instance: litellm's offline price table, the API key as a
    secret to redact."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from agent import redact

    redact.add_secret(api_key)


class PoolBackend:
    """An executor running `entry(task, budget)`: threads, processes or Ray tasks."""

    def __init__(self, executor: concurrent.futures.Executor, budget: Any,
                 entry: Callable[[InstanceTask, Ledger], InstanceOutcome],
                 on_close: Callable[[], None] | None = None):
        self.executor = executor
        self.budget = budget
        """The global budget the driver and the workers use: the SharedBudget, a manager proxy or a Ray actor's."""
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
            except Exception as exc:  # BrokenProcessPool, a lost Ray node; a Ray task's error holds its `cause`
                cause = getattr(exc, "cause", None) or exc
                if isinstance(cause, UserError):
                    raise cause from None  # the run's settings are wrong for every instance
                outcomes.append(InstanceOutcome(task_id, ERROR, type(cause).__name__,
                                                message=f"the worker failed: {cause}"))
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


def make_backend(name: str, workers: int, limit: float | None, *, ray_address: str | None = None,
                 api_key: str | None = None) -> PoolBackend:
    """The backend called `name` with `workers` instances at once and a global budget of `limit` dollars:
    threads of this process, spawned worker processes (the ledger in a manager process), or Ray tasks."""
    if name == "thread":
        executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="instance")
        return PoolBackend(executor, SharedBudget(limit, "global budget"), run_instance)
    if name == "process":
        context = multiprocessing.get_context("spawn")
        manager = LedgerManager(ctx=context)
        manager.start()
        proxy = manager.SharedBudget(limit, "global budget")  # type: ignore[attr-defined]
        executor = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=worker_setup,
                                                          initargs=(api_key,))
        return PoolBackend(executor, proxy, run_instance, on_close=manager.shutdown)
    if name == "ray":
        from swebench.infer.ray_backend import ray_backend

        return ray_backend(workers, limit, ray_address)
    raise UserError(f"Unknown backend {name!r}: use one of {', '.join(BACKENDS)}.")
