"""`agent bench exercism`: exercises become stub repositories solved by the agent; the hidden tests decide; a failed
first try gets the test output and tries again from where it left the code."""

from __future__ import annotations

import json
from pathlib import Path

from tests.agent.test_cli import agent
from tests.fakes.openai_server import OpenAIServer, completion

EXERCISES = {
    "hello": ("def hello():\n    pass\n", "Say hello.", "from hello import hello\n\n\nclass HelloTest("
              "unittest.TestCase):\n    def test_hello(self):\n        self.assertEqual(hello(), 'Hello, World!')\n"),
    "twice": ("def twice(x):\n    pass\n", "Double a number.", "from twice import twice\n\n\nclass TwiceTest("
              "unittest.TestCase):\n    def test_two(self):\n        self.assertEqual(twice(2), 4)\n\n"
              "    def test_zero(self):\n        self.assertEqual(twice(0), 0)\n"),
}
"""name -> (stub, instructions, hidden test body)."""


def clone(root: Path) -> Path:
    """A folder laid out like exercism/python with the two exercises."""
    for name, (stub, text, test) in EXERCISES.items():
        folder = root / "exercises" / "practice" / name
        (folder / ".docs").mkdir(parents=True)
        (folder / ".meta").mkdir()
        (folder / f"{name}.py").write_text(stub)
        (folder / f"{name}_test.py").write_text("import unittest\n" + test)
        (folder / ".docs" / "instructions.md").write_text(f"# Instructions\n\n{text}\n")
        (folder / ".meta" / "config.json").write_text(json.dumps(
            {"files": {"solution": [f"{name}.py"], "test": [f"{name}_test.py"], "example": [".meta/example.py"]}}))
    return root


def call(tool: str, **args) -> dict:
    """A reply in the text protocol."""
    return completion(f"```json\n{json.dumps({'tool': tool, 'args': args})}\n```")


def test_exercises_are_solved_tested_in_hiding_and_retried_with_the_test_output(tmp_path: Path) -> None:
    replies = [call("edit", path="hello.py", old_text="    pass", new_text="    return 'Hello, World!'"),
               call("submit", summary="done"),
               call("edit", path="twice.py", old_text="    pass", new_text="    return x + 2"),
               call("submit", summary="done"),
               call("edit", path="twice.py", old_text="return x + 2", new_text="return 2 * x"),
               call("submit", summary="fixed")]
    with OpenAIServer(replies) as server:
        result = agent("bench", "exercism", "--exercises", str(clone(tmp_path / "exercism")), "--sandbox", "local",
                       "-m", "openai/toy", "-c", f"model.api_base={server.base_url}", "-c", "model.api_key=sk-test",
                       "-c", "model.protocol=text", "-c", "strategy=loop", "-c", "workspace.type=local",
                       "--run-id", "ex", "--runs-dir", str(tmp_path / "runs"), cwd=tmp_path, timeout=300)
        bodies = [request.body for request in server.chat_requests]
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "runs" / "bench" / "ex" / "report.json").read_text())
    assert report["metrics"] == {"exercises": 2, "pass_try_1": 0.5, "pass_try_2": 1.0, "runs_with_no_patch": 0}
    hello, twice = report["exercises"]
    assert (hello["passed_1"], twice["passed_1"], twice["passed_2"]) == (True, False, True)
    first_task = bodies[0]["messages"][1]["content"]
    assert "Say hello." in first_task and "assertEqual" not in first_task  # the tests stay hidden
    retry = bodies[4]["messages"][1]["content"]
    assert "Double a number." in retry and "the tests fail" in retry and "AssertionError: 2 != 0" in retry
    assert "after try 2 100.0%" in result.stdout
