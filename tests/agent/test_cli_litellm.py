"""`agent solve` through litellm over real HTTP, against the local OpenAI-compatible fake server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.agent.test_cli import agent
from tests.fakes.openai_server import OpenAIServer, completion, rate_limited, tool_call

EDIT = {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}


def fenced(tool: str, args: dict) -> str:
    return f"Next step.\n```json\n{json.dumps({'tool': tool, 'args': args})}\n```"


def model_options(server: OpenAIServer, protocol: str) -> list[str]:
    return ["-m", "openai/gpt-4o-mini", "-c", f"model.api_base={server.base_url}", "-c", "model.api_key=sk-test",
            "-c", f"model.protocol={protocol}", "-c", "model.retry.initial_wait=0.01", "-w", "local",
            "--strategy", "loop"]


def trajectory_of(tmp_path: Path) -> dict:
    return json.loads(next((tmp_path / "runs").glob("*/trajectory.json")).read_text())


def test_native_tool_calls_with_a_rate_limit_on_the_way(calc_repo: Path, tmp_path: Path) -> None:
    replies = [
        rate_limited(retry_after=0),
        completion(tool_calls=[tool_call("search", {"pattern": "def add"})]),
        completion("Fixing it.", tool_calls=[tool_call("edit", EDIT)]),
        completion(tool_calls=[tool_call("submit", {"summary": "add now adds"})]),
    ]
    with OpenAIServer(replies) as server:
        result = agent("solve", "-r", str(calc_repo), "-i", "add() subtracts", *model_options(server, "tools"),
                       cwd=tmp_path)
        requests = server.chat_requests
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(requests) == 4  # the 429 was retried once
    first = requests[1].body
    assert {t["function"]["name"] for t in first["tools"]} >= {"search", "view", "edit", "run", "submit"}
    assert first["messages"][0]["role"] == "system" and "add() subtracts" in first["messages"][1]["content"]
    assert requests[2].body["messages"][-1]["role"] == "tool"  # the search result went back as a tool message
    data = trajectory_of(tmp_path)
    assert data["exit_status"] == "Submitted" and data["gate"]["status"] == "passed"
    assert data["cost"] > 0  # priced by litellm from the usage block
    assert all("seconds" in call for step in data["steps"] for call in step["tool_calls"])


def test_text_protocol_run(calc_repo: Path, tmp_path: Path) -> None:
    replies = [completion(fenced("edit", EDIT)), completion(fenced("submit", {"summary": "fixed"}))]
    with OpenAIServer(replies) as server:
        result = agent("solve", "-r", str(calc_repo), "-i", "add() subtracts", *model_options(server, "text"),
                       cwd=tmp_path)
        requests = server.chat_requests
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tools" not in requests[0].body  # the tools are described in the prompt instead
    assert "```json" in requests[0].body["messages"][0]["content"]
    assert trajectory_of(tmp_path)["gate"]["status"] == "passed"


def test_rejected_key_is_one_line_and_not_retried(calc_repo: Path, tmp_path: Path) -> None:
    from tests.fakes.openai_server import invalid_api_key

    with OpenAIServer([invalid_api_key()]) as server:
        result = agent("solve", "-r", str(calc_repo), "-i", "x", *model_options(server, "tools"), cwd=tmp_path)
        count = len(server.chat_requests)
    assert count == 1
    assert result.returncode == 1  # the run ended (ModelError) and wrote its folder; no patch
    data = trajectory_of(tmp_path)
    assert data["exit_status"] == "ModelError" and "401" in data["exit_message"]


def sampled_seeds(calc_repo: Path, folder: Path) -> list[int]:
    """The seeds of the sampled (temperature > 0) requests of a repair run with four samples; greedy ones have none."""
    folder.mkdir()
    unchanged = completion("```python\ndef add(a, b):\n    return a - b\n```")
    with OpenAIServer(fallback=unchanged) as server:
        options = [*model_options(server, "text")[:-2], "--strategy", "repair", "--samples", "4",
                   "-c", "samples.seed=100", "-c", "repair.reproduce=0"]
        result = agent("solve", "-r", str(calc_repo), "-i", "test_calc.py::test_add fails", *options, cwd=folder)
        bodies = [request.body for request in server.chat_requests]
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert all("seed" not in body for body in bodies if not body.get("temperature"))
    return [body["seed"] for body in bodies if body.get("temperature")]


def test_the_repair_samples_with_a_seed_per_call_so_a_rerun_asks_the_same(calc_repo: Path, tmp_path: Path) -> None:
    first = sampled_seeds(calc_repo, tmp_path / "first")
    assert first and len(set(first)) == len(first) and min(first) > 100
    assert sampled_seeds(calc_repo, tmp_path / "again") == first
