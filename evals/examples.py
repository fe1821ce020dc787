"""The examples a problem's prompt shows, as programs: the only tests feedback may show a sample, and the inputs a vote
compares samples on. The hidden tests are never used here.

HumanEval prompts show doctest examples (`>>> f(1)` and the expected value); an MBPP prompt shows its asserts. A
check program runs a completion on them and exits non-zero with one line per wrong example; an outputs program
prints, as JSON, what the completion returns for each example's call (errors as their type), so samples that
behave alike on the prompt's inputs fall into one cluster.
"""

from __future__ import annotations

import ast
import doctest
import json
import re
from dataclasses import dataclass
from math import inf

from evals.problems import Problem

RUN_EXAMPLES = '''
import json as _json
_failures, _outputs = [], []
for _call, _want in _json.loads({examples!r}):
    try:
        _got = repr(eval(_call))
    except BaseException as _error:  # noqa: B036 - the sample's own failure is the verdict
        _got = "error: " + type(_error).__name__
    _outputs.append(_got)
    if _want is not None and _got != _want and _got != "error: NameError":  # NameError: a call written loosely
        _failures.append(f"{{_call}} returned {{_got}}; the problem says {{_want}}")
{tail}
'''
"""Evaluates every example call after the completion; `tail` reports the failures or prints the outputs."""
FAILURE_MARK = "; the problem says "
"""What each wrong example's line in a check program's output holds (RUN_EXAMPLES writes it)."""
CHECK_TAIL = "if _failures:\n    print('\\n'.join(_failures))\n    raise SystemExit(1)"
OUTPUTS_TAIL = "print(_json.dumps(_outputs))"


@dataclass(frozen=True)
class Example:
    """One example of a prompt: a call and the value the prompt says it returns (None: not stated)."""

    call: str
    """A Python expression calling the function."""
    want: str | None
    """The expected value's repr, as the prompt writes it."""


def examples(problem: Problem) -> list[Example]:
    """The examples of the prompt: doctests (HumanEval) or the asserts' calls and values (MBPP)."""
    if problem.kind == "humaneval":
        found = []
        for example in doctest.DocTestParser().get_examples(problem.prompt):
            call, want = example.source.strip(), _want(example.want)
            if _is_expression(call):
                found.append(Example(call, want))
        return found or _written_examples(problem)
    return [example for line in problem.test_list if (example := _from_assert(line)) is not None]


WRITTEN = re.compile(r"^\W*(?P<call>{name}\(.*\))\s*(?:==|➞|=>|->|→|returns?|should return|should be|is)\s*"
                     r"(?P<want>[^\s].*?)\s*$", re.M)
"""An example written as prose: `f(1, 2) == 3`, `f(1, 2) ➞ 3`, `f(1, 2) should return 3`."""


def _written_examples(problem: Problem) -> list[Example]:
    pattern = re.compile(WRITTEN.pattern.format(name=re.escape(problem.entry_point)), re.M)
    found = []
    for match in pattern.finditer(problem.prompt):
        call, want = match["call"], match["want"].rstrip(".,;")
        if _is_expression(call) and _is_expression(want):
            found.append(Example(call, _normalise(want)))
    return found


def _want(text: str) -> str | None:
    """A doctest's expected output up to the docstring's end (doctest reads the closing quotes as output)."""
    value = re.split("\"\"\"|'''", text, maxsplit=1)[0].strip()
    return _normalise(value) if value else None


def _is_expression(source: str) -> bool:
    try:
        ast.parse(source, mode="eval")
        return True
    except SyntaxError:
        return False


def _normalise(value: str) -> str | None:
    """A written value as Python would repr it (`True`, `'a'`, `[1, 2]`); None when it is no Python literal (`true`,
    prose): then the example's value counts as unstated."""
    try:
        return repr(ast.literal_eval(value))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _from_assert(line: str) -> Example | None:
    """`assert f(x) == y` -> Example("f(x)", repr(y)); other asserts give the call alone (its value unstated)."""
    try:
        node = ast.parse(line.strip()).body[0]
    except (SyntaxError, IndexError):
        return None
    if not isinstance(node, ast.Assert):
        return None
    test = node.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        return Example(ast.unparse(test.left), _normalise(ast.unparse(test.comparators[0])))
    calls = [n for n in ast.walk(test) if isinstance(n, ast.Call)]
    return Example(ast.unparse(calls[0]), None) if calls else None


def _program(problem: Problem, completion: str, tail: str) -> str | None:
    found = examples(problem)
    if not found:
        return None
    prefix = problem.prompt if problem.kind == "humaneval" else ""
    setup = "\n".join(problem.test_imports)
    listed = json.dumps([[e.call, e.want] for e in found])
    return f"{prefix}{completion}\n\n{setup}\n" + RUN_EXAMPLES.format(examples=listed, tail=tail)


def check_program(problem: Problem, completion: str) -> str | None:
    """A program that fails, saying which examples are wrong, unless the completion gets every stated example
    right; None when the prompt shows none."""
    return _program(problem, completion, CHECK_TAIL)


def outputs_program(problem: Problem, completion: str) -> str | None:
    """A program that prints the completion's value for each example call (JSON); None when the prompt shows none."""
    return _program(problem, completion, OUTPUTS_TAIL)


def wrong_examples(status: str, output: str) -> float:
    """How many examples a check program's run got wrong: 0 when it passed, its failure lines when they end its
    output, infinite otherwise (a crash or a timeout: a SyntaxError's traceback may quote a failure line the model
    was shown, so such lines count only at the end, where the check prints them)."""
    if status == "passed":
        return 0
    lines = output.strip().splitlines()
    if status != "failed" or not lines or FAILURE_MARK not in lines[-1]:
        return inf
    return sum(FAILURE_MARK in line for line in lines)
