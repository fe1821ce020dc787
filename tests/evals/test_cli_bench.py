"""`agent bench` end to end: samples through litellm over real HTTP (the local fake server), programs in the local
sandbox, pass@k in the report; a rerun asks and runs nothing again; a samples file is scored alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.agent.test_cli import agent
from tests.fakes.openai_server import OpenAIServer, completion

from .conftest import HUMANEVAL, write_jsonl

RIGHT_ADD = completion("Sure:\n```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```")
WRONG_ADD = completion("```python\ndef add(a, b):\n    return a - b\n```")
RIGHT_EVEN = completion("```python\ndef is_even(n):\n    return n % 2 == 0\n```")


def bench(server: OpenAIServer, problems: Path, folder: Path, *extra: str):
    """`agent bench` on `problems` with n=2 at temperature 0.8, against `server`, in the local sandbox."""
    return agent("bench", str(problems), "-m", "openai/toy", "-c", f"model.api_base={server.base_url}",
                 "-c", "model.api_key=sk-test", "-c", "model.retry.attempts=1", "-n", "2", "--temperature", "0.8",
                 "--k", "1,2,5", "--sandbox", "local", "--run-id", "toy", "--runs-dir", str(folder / "runs"), *extra,
                 cwd=folder)


def test_samples_are_run_scored_and_kept_for_a_rerun(toy_file: Path, tmp_path: Path) -> None:
    with OpenAIServer([RIGHT_ADD, WRONG_ADD, RIGHT_EVEN, RIGHT_EVEN]) as server:
        first = bench(server, toy_file, tmp_path)
        bodies = [request.body for request in server.chat_requests]
    assert first.returncode == 0, first.stdout + first.stderr
    assert [(b["temperature"], b["seed"]) for b in bodies] == [(0.8, 0), (0.8, 1), (0.8, 0), (0.8, 1)]
    assert "self-contained Python script" in bodies[0]["messages"][0]["content"]
    folder = tmp_path / "runs" / "bench" / "toy"
    report = json.loads((folder / "report.json").read_text())
    assert report["metrics"] == {"problems": 2, "samples": 2, "pass@1": 0.75, "pass@2": 1.0}
    assert report["problems"]["Toy/0"] == {"passed": 1, "total": 2, "statuses": ["passed", "failed"]}
    assert "pass@1 75.0%, pass@2 100.0%" in first.stdout and "Toy/0" in first.stdout and "warning" in first.stderr
    grid = (folder / "report.html").read_text()
    assert grid.count('class="cell"') == 4 and "sample 1: failed" in grid
    samples = [json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines()]
    assert {s["task_id"] for s in samples} == {"Toy/0", "Toy/1"} and all("completion" in s for s in samples)
    results = (folder / "results.jsonl").read_text()
    with OpenAIServer([]) as server:  # a rerun has every sample and every verdict: it asks nothing
        again = bench(server, toy_file, tmp_path)
        assert not server.chat_requests
    assert again.returncode == 0 and "pass@1 75.0%" in again.stdout
    assert (folder / "results.jsonl").read_text() == results


def test_a_samples_file_is_scored_alone_on_the_problems_it_covers(toy_file: Path, tmp_path: Path) -> None:
    samples = write_jsonl(tmp_path / "canonical.jsonl",
                          [{"task_id": HUMANEVAL[0]["task_id"], "completion": HUMANEVAL[0]["canonical_solution"]}])
    with OpenAIServer([]) as server:
        result = bench(server, toy_file, tmp_path, "--samples", str(samples), "--redo")
        assert not server.chat_requests
    assert result.returncode == 0, result.stdout + result.stderr
    assert "scoring 1 sample(s) of 1 problem(s)" in result.stderr and "1 problems: pass@1 100.0%" in result.stdout


def test_bad_input_is_one_sentence(tmp_path: Path) -> None:
    missing = agent("bench", "nosuch", "--sandbox", "local", cwd=tmp_path)
    assert missing.returncode != 0 and "neither a built-in benchmark" in missing.stderr
    bad_k = agent("bench", "humaneval", "--k", "one", cwd=tmp_path)
    assert bad_k.returncode == 2 and "comma-separated" in bad_k.stderr


WRONG_EVEN = completion("```python\ndef is_even(n):\n    return n % 2 == 1\n```")
OTHER_RIGHT_EVEN = completion("```python\ndef is_even(n):\n    return not n & 1\n```")


def test_feedback_shows_the_prompt_examples_only_and_is_reported_beside_plain_pass_at_1(toy_file: Path,
                                                                                         tmp_path: Path) -> None:
    with OpenAIServer([WRONG_ADD, RIGHT_ADD, RIGHT_EVEN]) as server:
        result = bench(server, toy_file, tmp_path, "-n", "1", "--feedback", "2")
        bodies = [request.body for request in server.chat_requests]
    assert result.returncode == 0, result.stdout + result.stderr
    shown = bodies[1]["messages"][-1]["content"]
    assert "add(2, 3) returned -1; the problem says 5" in shown and "candidate(-1, 1)" not in shown
    assert len(bodies) == 3  # is_even was right at once: no second round
    report = json.loads((tmp_path / "runs" / "bench" / "toy" / "report.json").read_text())
    assert report["metrics"]["pass@1"] == 1.0 and report["metrics"]["plain pass@1"] == 0.5
    assert "plain pass@1 50.0%" in result.stdout


CRASH_ADD = completion("```python\ndef add(a, b):\n    return a +\n```")


def test_a_round_answers_the_feedback_once_then_draws_fresh_replies_and_keeps_the_best(toy_file: Path,
                                                                                    tmp_path: Path) -> None:
    with OpenAIServer([WRONG_ADD, CRASH_ADD, CRASH_ADD, CRASH_ADD, RIGHT_EVEN]) as server:
        result = bench(server, toy_file, tmp_path, "-n", "1", "--temperature", "0", "--feedback", "1")
        bodies = [request.body for request in server.chat_requests]
    assert result.returncode == 0, result.stdout + result.stderr
    assert [b.get("temperature") for b in bodies[1:4]] == [0.8] * 3 and len({b["seed"] for b in bodies[1:4]}) == 3
    assert "a - b" in bodies[1]["messages"][1]["content"]  # the first reply of the round answers the feedback
    assert [len(b["messages"]) for b in bodies[2:4]] == [1, 1]  # the others are fresh replies to the instruction
    folder = tmp_path / "runs" / "bench" / "toy"
    add = next(json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines() if "Toy/0" in line)
    assert "a - b" in add["completion"] and add["rounds"] == 1 and add["replies"] == 3  # crashes are worse: kept


TRIPLE = {"task_id": "Toy/2", "entry_point": "double",
          "prompt": 'def double(n):\n    """Twice n.\n    >>> double(1)\n    2\n    >>> double(2)\n    4\n    """\n',
          "test": "def check(candidate):\n    assert candidate(3) == 6\n"}


def test_a_reply_that_quotes_the_feedback_is_not_counted_as_running_the_examples(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "double.jsonl", [TRIPLE])
    triple = completion("```python\ndef double(n):\n    return 3 * n\n```")  # both examples wrong
    prose = completion("The code is right: double(2) returned 6; the problem says 4 is a typo.")  # no code at all
    with OpenAIServer([triple, prose, prose, prose]) as server:
        result = bench(server, problems, tmp_path, "-n", "1", "--feedback", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    sample = json.loads((tmp_path / "runs" / "bench" / "toy" / "samples.jsonl").read_text())
    assert "3 * n" in sample["completion"] and sample["replies"] == 3


def test_a_vote_chooses_the_sample_most_others_agree_with(toy_file: Path, tmp_path: Path) -> None:
    replies = [RIGHT_ADD, RIGHT_ADD, RIGHT_ADD, WRONG_EVEN, RIGHT_EVEN, OTHER_RIGHT_EVEN]
    with OpenAIServer(replies) as server:
        result = bench(server, toy_file, tmp_path, "-n", "3", "--select", "vote")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "runs" / "bench" / "toy" / "report.json").read_text())
    assert report["chosen"] == {"Toy/0": 0, "Toy/1": 1}  # is_even: the two right samples agree, the wrong one is alone
    assert report["metrics"]["selected@1"] == 1.0 and report["metrics"]["pass@1"] == pytest.approx(5 / 6)


def test_a_base_prompt_is_continued_through_plain_completions_up_to_the_stop_sequences(toy_file: Path,
                                                                                        tmp_path: Path) -> None:
    # the second reply runs on into a new top-level statement: a server stops before "\ndef", so it still passes
    with OpenAIServer([completion("    return a + b\n"), completion("    return a * b\n\ndef x():\n    pass\n"),
                       completion("    return n % 2 == 0\n\nprint(1)\n"), completion("    return n > 0\n")]) as server:
        result = bench(server, toy_file, tmp_path, "--prompt", "base")
        requests = [r for r in server.requests if r.method == "POST"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert {r.path for r in requests} == {"/v1/completions"} and not server.chat_requests
    assert requests[0].body["prompt"] == HUMANEVAL[0]["prompt"] and "\ndef" in requests[0].body["stop"]
    folder = tmp_path / "runs" / "bench" / "toy"
    samples = [json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines()]
    assert sorted(s["completion"] for s in samples if s["task_id"] == "Toy/1") == ["    return n % 2 == 0\n",
                                                                                   "    return n > 0\n"]
    report = json.loads((folder / "report.json").read_text())
    assert report["prompt"] == "base" and "Codex paper" in report["prompts"]
    assert report["problems"]["Toy/0"]["statuses"] == ["passed", "failed"] and report["metrics"]["pass@1"] == 0.5


def test_mbpp_base_prompt_shows_tasks_2_to_4_as_examples_but_never_a_task_its_own_answer(tmp_path: Path) -> None:
    from .conftest import MBPP

    other = {"task_id": 11, "prompt": "Write a function to double n.", "code": "def double(n):\n    return 2 * n\n",
             "test_imports": [], "test_list": ["assert double(2) == 4"]}
    problems = write_jsonl(tmp_path / "mbpp.jsonl", [*MBPP, other])
    replies = [completion("def similar_elements(a, b):\n    return tuple(set(a) & set(b))\n[DONE]\nmore"),
               completion("def double(n):\n    return n + n\n[DONE]")]
    with OpenAIServer(replies) as server:
        result = bench(server, problems, tmp_path, "--prompt", "base", "-n", "1")
        prompts = {r.body["prompt"].count("[BEGIN]"): r.body for r in server.requests if r.method == "POST"}
    assert result.returncode == 0, result.stdout + result.stderr
    assert prompts[1]["stop"] == ["[DONE]"] and prompts[1]["prompt"].endswith("[BEGIN]\n")
    assert "def similar_elements" not in prompts[1]["prompt"]  # task 2's own prompt holds no example of itself
    assert "def similar_elements" in prompts[2]["prompt"] and "[DONE]" in prompts[2]["prompt"]
    assert "1 problems" not in result.stdout and "pass@1 100.0%" in result.stdout


def test_base_prompts_take_no_feedback(toy_file: Path, tmp_path: Path) -> None:
    result = agent("bench", str(toy_file), "--prompt", "base", "--feedback", "1", "--sandbox", "local", cwd=tmp_path)
    assert result.returncode == 2 and "--feedback needs --prompt instruct" in result.stderr
    wrong = agent("bench", str(toy_file), "--prompt", "chatty", "--sandbox", "local", cwd=tmp_path)
    assert wrong.returncode == 2 and "use instruct or base" in wrong.stderr
