"""The one way many independent jobs run at once: a thread pool that resumes, reports as it goes and stops cleanly.

Evaluation, validation and rollout scoring hand it their items: items with a result kept from an earlier run
(`done`) are not run again; the rest run `workers` at a time; every result is reported (kept ones first, new
ones the moment they arrive); Ctrl-C (or a job's failure) drops the queued jobs, says how many are still
running, waits for them and re-raises. The jobs are container- and model-bound, so threads are enough;
`agent swebench infer` runs instances on its own backends (threads, processes or Ray: swebench/infer/backends.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_pool(items: Sequence[Item], work: Callable[[Item], Result], *, workers: int = 1,
             done: Callable[[Item], Result | None] = lambda item: None,
             on_result: Callable[[Item, Result], None] | None = None,
             on_abort: Callable[[int], None] | None = None, name: str = "pool") -> list[Result]:
    """The result of every item, in the order of `items`: `done(item)` when it returns one (kept from an earlier
    run), else `work(item)` run in a pool of `workers` threads; `on_result` sees kept results first, then each new
    one as it finishes. On an exception (Ctrl-C included) the queued jobs are dropped, `on_abort(running)` is told
    how many still run, and the exception propagates once they have finished."""
    results: dict[int, Result] = {}
    todo = []
    for position, item in enumerate(items):
        kept = done(item)
        if kept is None:
            todo.append(position)
        else:
            results[position] = kept
            if on_result is not None:
                on_result(item, kept)
    if todo:
        with ThreadPoolExecutor(max(1, workers), thread_name_prefix=name) as pool:
            pending: dict[Future, int] = {pool.submit(work, items[position]): position for position in todo}
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        position = pending.pop(future)
                        results[position] = future.result()
                        if on_result is not None:
                            on_result(items[position], results[position])
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                running = sum(1 for future in pending if future.running())
                if running and on_abort is not None:
                    on_abort(running)
                raise
    return [results[position] for position in range(len(items))]


class Lazy(Generic[Result]):
    """A value built on first use and once, however many jobs ask for it at the same time (an image builder, say,
    that a run whose jobs are all kept never needs)."""

    def __init__(self, build: Callable[[], Result]):
        self._build = build
        self._lock = threading.Lock()
        self._value: Result | None = None

    def __call__(self) -> Result:
        """The value, built now if it is the first call."""
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value
