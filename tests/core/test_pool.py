"""The one pool: kept results are not run again, results come back in order and are reported as they arrive, a failure
drops the queued jobs and waits for the running ones, and a lazy value is built once."""

from __future__ import annotations

import threading
import time

import pytest

from core.pool import Lazy, run_pool


def test_kept_results_are_not_run_and_every_result_comes_back_in_order() -> None:
    ran, reported = [], []
    lock = threading.Lock()

    def square(n: int) -> int:
        with lock:
            ran.append(n)
        time.sleep(0.01 * (5 - n))  # later items finish first
        return n * n

    results = run_pool([1, 2, 3, 4], square, workers=3, done=lambda n: -n if n % 2 == 0 else None,
                       on_result=lambda n, r: reported.append((n, r)))
    assert results == [1, -2, 9, -4]
    assert sorted(ran) == [1, 3]
    assert reported[:2] == [(2, -2), (4, -4)] and sorted(reported[2:]) == [(1, 1), (3, 9)]


def test_a_failure_drops_queued_jobs_waits_for_running_ones_and_propagates() -> None:
    started, finished, aborted = [], [], []
    release = threading.Event()

    def job(n: int) -> int:
        started.append(n)
        if n == 0:
            raise RuntimeError("job 0 broke")
        release.wait(5)
        finished.append(n)
        return n

    threading.Timer(0.3, release.set).start()
    with pytest.raises(RuntimeError, match="job 0 broke"):
        run_pool(list(range(10)), job, workers=2, on_abort=aborted.append)
    assert aborted == [len(started) - 1] and sorted(finished) == sorted(started)[1:]  # running jobs ended first
    assert len(started) <= 3  # the queued ones never started


def test_a_lazy_value_is_built_once_for_many_threads() -> None:
    built = []
    value = Lazy(lambda: built.append(1) or time.sleep(0.05) or "builder")
    threads = [threading.Thread(target=value) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert value() == "builder" and built == [1]
