"""Small problem files in both schemas, written per test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HUMANEVAL = [
    {"task_id": "Toy/0", "entry_point": "add",
     "prompt": 'def add(a: int, b: int) -> int:\n    """Return a + b.\n    >>> add(2, 3)\n    5\n    """\n',
     "canonical_solution": "    return a + b\n",
     "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"},
    {"task_id": "Toy/1", "entry_point": "is_even",
     "prompt": 'def is_even(n: int) -> bool:\n    """Whether n is even.\n    >>> is_even(4)\n    True\n    """\n',
     "canonical_solution": "    return n % 2 == 0\n",
     "test": "def check(candidate):\n    assert candidate(4) is True\n    assert candidate(7) is False\n"},
]
MBPP = [{"task_id": 2, "prompt": "Write a function to find the shared elements of two lists.",
         "code": "def similar_elements(a, b):\n    return tuple(set(a) & set(b))\n",
         "test_imports": [], "test_list": ["assert set(similar_elements((3, 4, 5), (5, 7, 4))) == {4, 5}"]}]
"""Three problems: two HumanEval-schema, one MBPP-schema."""


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """`records` as JSON Lines at `path`."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def toy_file(tmp_path: Path) -> Path:
    """The two HumanEval-schema problems."""
    return write_jsonl(tmp_path / "toy.jsonl", HUMANEVAL)


@pytest.fixture
def mbpp_file(tmp_path: Path) -> Path:
    """The MBPP-schema problem."""
    return write_jsonl(tmp_path / "mbpp.jsonl", MBPP)
