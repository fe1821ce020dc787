"""Grading: status maps and logs -> resolved / partial / unresolved, as SWE-bench grades them."""

from __future__ import annotations

from swebench.grading import (
    APPLY_FAILED_MARKER,
    APPLY_MARKER,
    END_MARKER,
    EXIT_MARKER,
    PARTIAL,
    RESOLVED,
    START_MARKER,
    TEST_PATCH_FAILED_MARKER,
    UNRESOLVED,
    grade,
    grade_log,
    read_test_log,
)
from swebench.log_parsers import parse_pytest

F2P = ["t.py::test_fix_a", "t.py::test_fix_b"]
P2P = ["t.py::test_old"]


def test_all_required_tests_passing_is_resolved():
    verdict = grade({"t.py::test_fix_a": "PASSED", "t.py::test_fix_b": "XFAIL", "t.py::test_old": "PASSED"}, F2P, P2P)
    assert verdict.status == RESOLVED and verdict.resolved
    assert verdict.tests_status["FAIL_TO_PASS"] == {"success": F2P, "failure": []}
    assert set(verdict.tests_status) == {"FAIL_TO_PASS", "PASS_TO_PASS", "FAIL_TO_FAIL", "PASS_TO_FAIL"}


def test_some_fail_to_pass_tests_passing_is_partial():
    verdict = grade({"t.py::test_fix_a": "PASSED", "t.py::test_fix_b": "FAILED", "t.py::test_old": "PASSED"}, F2P, P2P)
    assert verdict.status == PARTIAL
    assert verdict.tests_status["FAIL_TO_PASS"]["failure"] == ["t.py::test_fix_b"]


def test_a_broken_pass_to_pass_test_is_unresolved_even_when_the_fix_works():
    verdict = grade({"t.py::test_fix_a": "PASSED", "t.py::test_fix_b": "PASSED", "t.py::test_old": "ERROR"}, F2P, P2P)
    assert verdict.status == UNRESOLVED
    assert verdict.tests_status["PASS_TO_PASS"]["failure"] == ["t.py::test_old"]


def test_missing_tests_count_as_failures_and_skipped_ones_count_neither_way():
    assert grade({}, F2P, P2P).status == UNRESOLVED
    verdict = grade({"t.py::test_fix_a": "PASSED", "t.py::test_fix_b": "PASSED", "t.py::test_old": "SKIPPED"}, F2P, P2P)
    assert verdict.status == RESOLVED
    assert verdict.tests_status["PASS_TO_PASS"] == {"success": [], "failure": []}


def test_no_fail_to_pass_passing_is_unresolved():
    verdict = grade({"t.py::test_fix_a": "FAILED", "t.py::test_fix_b": "FAILED", "t.py::test_old": "PASSED"}, F2P, P2P)
    assert verdict.status == UNRESOLVED


def _log(body: str, exit_code: int = 0, apply: str = f"{APPLY_MARKER}: git apply --verbose") -> str:
    return f"{apply}\nsetup noise\n{START_MARKER}\n{body}\n{END_MARKER}\n{EXIT_MARKER}: {exit_code}\n"


def test_only_the_marked_section_is_parsed():
    text = "PASSED t.py::test_fix_a\n" + _log("FAILED t.py::test_fix_a - boom", exit_code=1)
    reading = read_test_log(text, parse_pytest)
    assert reading.status_map == {"t.py::test_fix_a": "FAILED"}
    assert reading.apply_method == "git apply --verbose"
    assert reading.exit_code == 1 and reading.problem is None


def test_log_problems_are_named():
    cases = {
        f"{APPLY_FAILED_MARKER}\n": "did not apply",
        f"{TEST_PATCH_FAILED_MARKER}\n": "test patch",
        "no markers at all\n": "never started",
        f"{START_MARKER}\nPASSED t.py::test_old\n": "did not finish",
    }
    for text, expected in cases.items():
        reading = read_test_log(text, parse_pytest)
        assert expected in reading.problem
    assert read_test_log(f"{APPLY_FAILED_MARKER}\n", parse_pytest).patch_applied is False


def test_a_failing_exit_code_with_no_failure_in_the_log_is_not_trusted():
    body = "\n".join(f"PASSED {name}" for name in F2P + P2P)
    reading, verdict = grade_log(_log(body, exit_code=1), parse_pytest, F2P, P2P)
    assert "exited 1" in reading.problem
    assert verdict.status == UNRESOLVED
    reading, verdict = grade_log(_log(body, exit_code=0), parse_pytest, F2P, P2P)
    assert reading.problem is None and verdict.status == RESOLVED
