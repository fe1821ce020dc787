"""pytest's `-rA` summary -> {test id: status}. The id is the first token after the status, so parametrized ids with
spaces are cut at the first space, as SWE-bench's FAIL_TO_PASS / PASS_TO_PASS lists write them."""

from __future__ import annotations

import re

PASSED, FAILED, SKIPPED, ERROR, XFAIL = "PASSED", "FAILED", "SKIPPED", "ERROR", "XFAIL"
STATUSES = (FAILED, PASSED, SKIPPED, ERROR, XFAIL)
"""Every status a parser reports."""

_SKIP_COUNT = re.compile(r"^\[\d+\]$")


def status_line(line: str) -> tuple[str, str] | None:
    """(status, name) of a pytest `-rA` summary line such as `PASSED tests/t.py::test_a`, else None."""
    status = next((word for word in STATUSES if line.startswith(word)), None)
    if status is None:
        return None
    if status == FAILED:
        line = line.replace(" - ", " ")
    words = line.split()
    if len(words) < 2:
        return None
    if status == SKIPPED and _SKIP_COUNT.match(words[1]):
        return None  # `SKIPPED [2] path:line: reason` summarises skips; `[2]` is not a test
    return words[0], words[1]


def parse_pytest(log: str) -> dict[str, str]:
    """pytest with `-rA`: one summary line per test, status first."""
    results = {}
    for line in log.split("\n"):
        found = status_line(line)
        if found:
            results[found[1]] = found[0]
    return results
