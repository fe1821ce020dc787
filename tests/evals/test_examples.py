"""The prompt's own examples: read from doctests, prose and asserts; run as a check (feedback) and as outputs (vote)."""

from __future__ import annotations

from pathlib import Path

from evals.examples import Example, check_program, examples, outputs_program, wrong_examples
from evals.problems import Problem, load_problems
from evals.sandbox import LocalSandbox

from .conftest import MBPP

DOCTEST = Problem("T/0", "humaneval", 'def f(x):\n    """Double.\n    >>> f(2)\n    4\n    >>> f(0)\n    0"""\n', "f",
                  "def check(candidate):\n    assert candidate(3) == 6\n")
PROSE = Problem("T/1", "humaneval", 'def g(s):\n    """Shout.\n    g("a") ➞ "A"\n    g("ok") should return "OK"\n'
                '    g(x) is true when it works\n    """\n', "g", "")


def test_examples_come_from_doctests_prose_and_asserts(mbpp_file: Path) -> None:
    assert examples(DOCTEST) == [Example("f(2)", "4"), Example("f(0)", "0")]  # the closing quotes are not output
    assert examples(PROSE) == [Example('g("a")', "'A'"), Example('g("ok")', "'OK'")]  # `true` is no Python value
    (mbpp,) = load_problems(str(mbpp_file))
    assert examples(mbpp) == [Example("set(similar_elements((3, 4, 5), (5, 7, 4)))", "{4, 5}")]


def test_the_check_names_the_wrong_example_and_never_runs_the_hidden_test(mbpp_file: Path) -> None:
    sandbox = LocalSandbox()
    assert sandbox.run(check_program(DOCTEST, "def f(x):\n    return 2 * x\n"), 10).status == "passed"
    wrong = sandbox.run(check_program(DOCTEST, "def f(x):\n    return x + 2\n"), 10)
    assert wrong.status == "failed" and wrong.output.strip() == "f(0) returned 2; the problem says 0"
    assert "candidate(3)" not in check_program(DOCTEST, "def f(x):\n    return x\n")
    (mbpp,) = load_problems(str(mbpp_file))
    assert sandbox.run(check_program(mbpp, MBPP[0]["code"]), 10).status == "passed"


def test_outputs_are_what_a_sample_returns_on_the_example_inputs() -> None:
    run = LocalSandbox().run(outputs_program(DOCTEST, "def f(x):\n    return [x] if x else 1 / x\n"), 10)
    assert run.output.strip() == '["[2]", "error: ZeroDivisionError"]'
    assert outputs_program(Problem("T/2", "humaneval", "def h():\n    pass\n", "h", ""), "") is None


def test_failure_lines_count_only_where_the_check_prints_them_at_the_end() -> None:
    failures = "add(1, 1) returned 0; the problem says 2\nadd(2, 3) returned -1; the problem says 5\n"
    assert wrong_examples("passed", "") == 0 and wrong_examples("failed", failures) == 2
    quoted = '  File "x.py", line 1\n    add(2, 3) returned -1; the problem says 5\n    ^\nSyntaxError: invalid syntax'
    assert wrong_examples("failed", quoted) == float("inf") and wrong_examples("timed out", failures) == float("inf")
