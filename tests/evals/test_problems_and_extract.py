"""Problems of both schemas become programs that pass with the right answer and fail with a wrong one; the code of a
chat reply is taken the way the reference harnesses take it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from core.errors import UserError
from evals.extract import extract_code
from evals.problems import load_problems
from evals.sandbox import LocalSandbox

from .conftest import HUMANEVAL, MBPP, write_jsonl


def test_humaneval_problems_come_from_the_package_and_their_canonical_solutions_pass() -> None:
    problems = load_problems("humaneval")
    assert len(problems) == 164 and problems[0].task_id == "HumanEval/0"
    assert "self-contained Python script" in problems[0].instruction() and problems[0].prompt.strip() in \
        problems[0].instruction()


def test_programs_of_both_schemas_pass_exactly_when_the_answer_is_right(toy_file: Path, mbpp_file: Path) -> None:
    sandbox = LocalSandbox()
    add, is_even = load_problems(str(toy_file))
    assert sandbox.run(add.program(HUMANEVAL[0]["canonical_solution"]), 10).status == "passed"
    assert sandbox.run(add.program("    return a - b\n"), 10).status == "failed"
    whole = "def is_even(n):\n    return not n & 1\n"  # a chat model's whole function redefines the stub
    assert sandbox.run(is_even.program(whole), 10).status == "passed"
    (mbpp,) = load_problems(str(mbpp_file))
    assert mbpp.kind == "mbpp" and mbpp.entry_point == "similar_elements"
    assert "Your code should pass these tests:" in mbpp.instruction() and MBPP[0]["test_list"][0] in mbpp.instruction()
    assert sandbox.run(mbpp.program(MBPP[0]["code"]), 10).status == "passed"
    assert sandbox.run(mbpp.program("def similar_elements(a, b):\n    return ()\n"), 10).status == "failed"
    no_code = write_jsonl(mbpp_file.with_name("plain.jsonl"), [{k: v for k, v in MBPP[0].items() if k != "code"}])
    assert load_problems(str(no_code))[0].entry_point == "similar_elements"  # `set(` is a builtin, not the function


def test_gzipped_files_load_and_bad_files_are_one_sentence(tmp_path: Path) -> None:
    packed = tmp_path / "toy.jsonl.gz"
    packed.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in HUMANEVAL).encode()))
    assert [p.task_id for p in load_problems(str(packed))] == ["Toy/0", "Toy/1"]
    with pytest.raises(UserError, match="neither a built-in benchmark"):
        load_problems(str(tmp_path / "missing.jsonl"))
    with pytest.raises(UserError, match="neither the HumanEval fields"):
        load_problems(str(write_jsonl(tmp_path / "odd.jsonl", [{"task_id": "x", "question": "?"}])))
    (tmp_path / "broken.jsonl").write_text("{not json\n")
    with pytest.raises(UserError, match="not a JSON Lines file"):
        load_problems(str(tmp_path / "broken.jsonl"))


def test_the_block_that_defines_the_entry_point_wins_then_the_longest_then_the_reply() -> None:
    reply = ("Here is a helper:\n```python\nimport math\n```\nAnd the answer:\n```python\ndef add(a, b):\n"
             "    return a + b\n```\nUsage:\n```python\nprint(add(1, 2))  # a longer block, but not the function\n```")
    assert extract_code(reply, "add") == "def add(a, b):\n    return a + b\n"
    assert extract_code(reply, "other") == "print(add(1, 2))  # a longer block, but not the function\n"
    assert extract_code("```\ndef f():\n    return 1", "f") == "def f():\n    return 1"  # cut at its token limit
    assert extract_code("def f():\n    return 1\n", "f") == "def f():\n    return 1\n"
    assert extract_code("I cannot do that.", "f") == "I cannot do that."
