"""Running tests in a real local workspace: pytest per-test verdicts, the per-test time limit, unittest."""

from __future__ import annotations

from pathlib import Path

from agent.testing.failures import failure_report, without_pasted_runs
from agent.testing.runner import FAILED, HELPERS_DIR, PASSED, detect_runner
from workspaces.local import LocalWorkspace

LOOPS = {
    "loop.py": "def spin(n):\n    while n > 0:\n        n = n\n    return n\n",
    "test_loop.py": "from loop import spin\n\n\ndef test_spin():\n    assert spin(1) == 0\n\n\n"
                    "def test_zero():\n    assert spin(0) == 0\n",
}


def test_a_hanging_test_is_stopped_where_it_loops_and_the_rest_runs(make_repo) -> None:
    repo = make_repo(LOOPS)
    with LocalWorkspace(repo) as ws:
        runner = detect_runner(ws, timeout=60, case_timeout=1)
        run = runner.run(["test_loop.py"])
        assert run.statuses == {"test_loop.py::test_spin": FAILED, "test_loop.py::test_zero": PASSED}
        assert run.timed_out_tests == ["test_loop.py::test_spin"] and not run.timed_out
        report = failure_report(run, failing=["test_loop.py::test_spin"])
        assert "loop.py:2: in spin" in report and "while n > 0" in report and "n          = 1" in report
        assert "repo_agent_timeouts" not in report  # the plugin's own frame is hidden
        assert ws.diff() == "" and (Path(ws.root) / HELPERS_DIR).is_dir()  # kept in .git: never in a diff


def test_single_ids_run_alone(calc_repo: Path) -> None:
    with LocalWorkspace(calc_repo) as ws:
        run = detect_runner(ws).run(["test_calc.py"], ids=["test_calc.py::test_mul"])
    assert run.statuses == {"test_calc.py::test_mul": PASSED}


def test_without_pytest_unittest_gives_per_test_verdicts(make_repo) -> None:
    unit = ("import unittest\nfrom calc import add\n\n\nclass TestAdd(unittest.TestCase):\n"
            "    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n\n"
            "    def test_zero(self):\n        self.assertEqual(add(0, 0), 0)\n")
    functions = "from calc import add\n\n\ndef test_one():\n    assert add(1, 0) == 1\n\n\ndef test_two(tmp_path):\n" \
                "    assert False\n\n\ndef test_three():\n    assert add(1, 2) == 3\n"
    repo = make_repo({"calc.py": "def add(a, b):\n    return a - b\n", "tests/test_calc.py": unit,
                      "tests/test_functions.py": functions,
                      "repro.py": "from calc import add\nassert add(1, 1) == 2\n"})
    with LocalWorkspace(repo) as ws:
        runner = detect_runner(ws)
        runner.kind, runner.python = "unittest", "python3"  # as on a machine without pytest
        run = runner.run(["tests/test_calc.py", "tests/test_functions.py", "repro.py"])
        assert ws.diff() == ""
    assert run.statuses == {"tests/test_calc.py::TestAdd::test_add": FAILED,
                            "tests/test_calc.py::TestAdd::test_zero": PASSED,
                            "tests/test_functions.py::test_one": PASSED,  # test_two takes a fixture: not called
                            "tests/test_functions.py::test_three": FAILED, "repro.py": FAILED}


def test_without_pytest_a_test_that_fails_of_its_own_making_is_told_apart(make_repo) -> None:
    from agent.search.reproduce import broken

    written = ("from calc import add\n\n\ndef test_invents():\n    with pytest.raises(ValueError):\n"
               "        add(1, 'x')\n\n\ndef test_sum():\n    assert add(2, 3) == 5\n")
    repo = make_repo({"calc.py": "def add(a, b):\n    return a - b\n", "test_written.py": written})
    with LocalWorkspace(repo) as ws:
        runner = detect_runner(ws)
        runner.kind, runner.python = "unittest", "python3"  # as on a machine without pytest
        run = runner.run(["test_written.py"])
    assert run.statuses == {"test_written.py::test_invents": FAILED, "test_written.py::test_sum": FAILED}
    assert broken(run, "test_written.py::test_invents") and not broken(run, "test_written.py::test_sum")


def test_pasted_pytest_sessions_are_left_out_of_an_issue() -> None:
    issue = ("The tests fail:\n```\n===== test session starts =====\nFAILED t.py::test_a\n```\n"
             "and this snippet stays:\n```python\nadd(1, 2)\n```\n")
    cleaned = without_pasted_runs(issue)
    assert "test session starts" not in cleaned and "add(1, 2)" in cleaned and "see the tests' report" in cleaned


def test_tracebacks_printed_by_passing_tests_are_not_failures(make_repo) -> None:
    from agent.testing.failures import failures_of

    noisy = ("import traceback\n\n\ndef test_prints():\n    try:\n        1 / 0\n    except ZeroDivisionError:\n"
             "        traceback.print_exc()\n\n\ndef test_fails():\n    assert 1 == 2\n")
    repo = make_repo({"test_noisy.py": noisy})
    with LocalWorkspace(repo) as ws:
        run = detect_runner(ws).run(["test_noisy.py"])
    assert "ZeroDivisionError" in run.output and "ZeroDivisionError" not in failures_of(run)
    assert "assert 1 == 2" in failures_of(run)
