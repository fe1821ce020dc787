"""Every template renders with the variables the code passes, and undefined variables fail."""

from __future__ import annotations

import jinja2
import pytest

from agent.planner import Plan, RankedFile
from prompts import render, template_names

FULL_PLAN = Plan(
    files=[RankedFile(path="pkg/a.py", score=1.0, reasons=["named in the issue"])],
    symbols=["pkg.a.f"], test_command="pytest -q", test_files=["tests/test_a.py"], repo_map="pkg/a.py:\n  def f()",
)
VARIABLES = {
    "system.j2": {"root": "/repo", "command_timeout": 60},
    "instance.j2": {"issue": "It breaks", "root": "/repo", "base_commit": "0123456789abcdef", "plan": FULL_PLAN,
                    "failing": "tests/test_a.py::test_b"},
    "plan.j2": {"plan": FULL_PLAN},
    "reply_format.j2": {"fenced": True},
    "format_error.j2": {"problem": "no JSON block", "fenced": False, "names": "view, submit"},
    "repair_system.j2": {},
    "repair.j2": {"issue": "It breaks", "report": "FAILED t.py::test_a", "code": "### a.py (lines 1-2)\n```\nx\n```",
                  "single": True, "count": 1, "explain": True},
    "repair_lines.j2": {"issue": "It breaks", "report": "FAILED t.py::test_a", "code": "### a.py\n```\n1 | x\n```",
                        "single": True},
    "repair_reproduce.j2": {"issue": "It breaks", "code": "### a.py (lines 1-2)\n```\nx\n```", "example": "",
                            "example_path": ""},
    "repair_file.j2": {"path": "a.py", "code": "x = 1", "language": "python", "report": "FAILED t.py::test_a",
                       "issue": "It breaks"},
    "bench_humaneval.j2": {"prompt": "def f(x):\n    \"\"\"Double x.\"\"\""},
    "bench_mbpp.j2": {"text": "Write a function to double x.", "tests": "assert f(2) == 4"},
    "bench_feedback.j2": {"output": "f(2) returned 3; the problem says 4"},
    "repair_feedback.j2": {"problem": "", "summary": "2 of 3 still fail.", "report": "FAILED t.py::test_a"},
    "text_protocol.j2": {"tools": [{"name": "view", "description": "Show a file.", "schema": '{"type": "object"}'}],
                         "fenced": True},
}


@pytest.mark.parametrize("name", template_names())
def test_every_template_renders(name: str) -> None:
    assert name in VARIABLES, f"add render variables for {name} to this test"
    text = render(name, **VARIABLES[name])
    assert text.strip()


def test_instance_shows_issue_and_plan() -> None:
    text = render("instance.j2", **VARIABLES["instance.j2"])
    assert "It breaks" in text and "pkg/a.py" in text and "pytest -q" in text
    bare = render("instance.j2", **{**VARIABLES["instance.j2"], "plan": None})
    assert "pkg/a.py" not in bare


def test_missing_variable_is_an_error() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("system.j2", root="/repo")
