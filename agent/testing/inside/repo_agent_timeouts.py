"""pytest plugin: a test running longer than REPO_AGENT_CASE_TIMEOUT seconds gets TimeoutError raised inside it
(SIGALRM), so it fails with a traceback of where it was stuck and the others still run."""

import os
import signal

import pytest

LIMIT = float(os.environ.get("REPO_AGENT_CASE_TIMEOUT") or 0)


def _expired(signum, frame):
    __tracebackhide__ = True
    raise TimeoutError(f"the test ran longer than {LIMIT:g} s and was stopped")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Arm the alarm around the test's call (a limit of 0 arms none)."""
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, LIMIT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
