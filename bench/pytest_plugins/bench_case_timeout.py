"""pytest plugin: a test that runs longer than `BENCH_CASE_TIMEOUT` seconds (default 5) fails instead of hanging.

Uses SIGALRM in the main thread, so it stops pure-Python infinite loops; the caller still bounds the whole
run with an outer timeout for anything the alarm cannot interrupt.
"""

from __future__ import annotations

import os
import signal

import pytest

MESSAGE = "Timeout: the test ran longer than {seconds:g} s"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Arm an alarm around the test body; when it fires, the test fails with a timeout message."""
    seconds = float(os.environ.get("BENCH_CASE_TIMEOUT", "5"))

    def expire(signum, frame):
        """Fail the running test."""
        pytest.fail(MESSAGE.format(seconds=seconds), pytrace=False)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
