"""Strategies end to end with the scripted model on a real repository in a real local workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_config
from agent.issue import IssueText
from agent.models.scripted import ScriptedModel
from agent.repo import resolve_repo
from agent.runner import SolveJob, solve
from agent.trajectory import load_trajectory
from tests.conftest import BUGGY_CALC
from tools.registry import make_tools

ISSUE = "add() returns the wrong sum: test_calc.py::test_add fails"
WRONG = {"text": "```python\ndef add(a, b):\n    return a * b\n```"}
RIGHT = {"text": '### calc.py (lines 1-7)\n```python\ndef add(a, b):\n    """Return the sum of a and b."""\n'
                 "    return a + b\n```"}
BROKEN = {"text": "```python\ndef add(a, b):\n    return (a +\n```"}
CHATTY = {"text": "The function subtracts instead of adding; it should use +."}


def run(repo: Path, tmp_path: Path, script: list, *overrides: str, issue: str = ISSUE):
    """Solve with the scripted model; mutants are off unless asked for (they would fix `a - b` themselves)."""
    config = load_config(["workspace.type=local", f"runs_dir={tmp_path / 'runs'}", "repair.mutants=0", *overrides])
    events = []
    job = SolveJob(config=config, repo=resolve_repo(str(repo)), issue=IssueText(text=issue),
                   model=ScriptedModel(script), tools=make_tools(config), on_event=events.append)
    result = solve(job)
    return result, load_trajectory(result.run_dir / "trajectory.json"), events


def test_auto_repairs_with_feedback_and_the_gate_runs_the_named_test(calc_repo: Path, tmp_path: Path) -> None:
    result, data, events = run(calc_repo, tmp_path, [CHATTY, WRONG, RIGHT], "repair.line_samples=0")
    assert result.exit_status == "Repaired" and result.gate.status == "passed"
    assert "+    return a + b" in result.patch and "a * b" not in result.patch
    attempts = data.extra["repair"]["attempts"]
    assert [(a["number"], a["parent"], a["plausible"]) for a in attempts] == [(0, None, False), (1, None, False),
                                                                              (2, 1, True)]
    assert "no code block" in attempts[0]["problem"] and attempts[1]["still_failing"] == ["test_calc.py::test_add"]
    feedback = attempts[2]["messages"][1]["content"]  # the model was shown its own try and what still failed
    assert attempts[2]["messages"][0]["content"] == WRONG["text"]
    assert "The tests still fail." in feedback and "assert 6 == 5" in feedback
    assert [s.format_error is not None for s in data.steps] == [True, False, False]
    assert data.extra["tests"]["targets"] == ["test_calc.py::test_add"] and data.extra["tests"]["origin"] == "issue"
    assert [e.kind for e in events] == ["note", "format_error", "tool", "tool"]
    assert events[-1].arguments["fixed"] == "1/1" and not events[-1].error
    assert "passing tests still pass" in next(c for c in result.gate.checks if c.name == "tests").detail


def test_one_line_answers_follow_a_first_round_that_changes_nothing(calc_repo: Path, tmp_path: Path) -> None:
    unchanged = {"text": '```python\ndef add(a, b):\n    """Return the sum of a and b."""\n    return a - b\n```'}
    lines = [{"text": "LINE 3: return a - b\n"}, {"text": "The bug is here.\nLINE 9: return a + b"},
             {"text": "LINE 3: `return a + b`\nLINE 7: extra talk"}]
    result, data, _ = run(calc_repo, tmp_path, [unchanged, WRONG, *lines])
    attempts = data.extra["repair"]["attempts"]
    assert [a["kind"] for a in attempts] == ["rewrite", "rewrite", "line", "line", "line"]
    assert "changes nothing" in attempts[0]["problem"] and not attempts[0]["unreadable"]
    assert "as it is" in attempts[2]["problem"] and "not of the form" in attempts[3]["problem"]
    assert attempts[3]["unreadable"] and attempts[4]["plausible"]
    assert result.exit_status == "Repaired" and "+    return a + b" in result.patch
    assert "3 |     return a - b" in data.extra["repair"]["line_opening"]["content"]
    chat = attempts[4]["messages"]  # one-line calls continue one chat: each answer, then what became of it
    assert [m["role"] for m in chat] == ["assistant", "user", "assistant", "user", "assistant"]
    assert "already written that way" in chat[1]["content"] and "not of the form" in chat[3]["content"]


def test_mutants_of_the_lines_the_model_names_fix_what_its_rewrites_do_not(calc_repo: Path, tmp_path: Path) -> None:
    same_line = {"text": "LINE 3: return a - b\n"}
    result, data, events = run(calc_repo, tmp_path, [WRONG, WRONG, same_line, RIGHT], "repair.mutants=5",
                               "repair.line_samples=1")
    attempts = data.extra["repair"]["attempts"]
    assert [a["kind"] for a in attempts] == ["rewrite", "rewrite", "line", "mutant"]
    assert attempts[3]["plausible"] and attempts[3]["temperature"] is None and attempts[3]["messages"] == []
    assert result.exit_status == "Repaired" and "+    return a + b" in result.patch
    assert len(data.steps) == 3  # a step per model call; the mutant made none
    assert events[-1].arguments == {"candidate": 3, "mutant": "calc.py:3: '-' -> '+'", "fixed": "1/1",
                                    "regressions": 0}


def test_mutants_stop_at_their_limit_and_the_model_goes_on(make_repo, tmp_path: Path) -> None:
    repo = make_repo({**BUGGY_CALC, "calc.py": 'def add(a, b):\n    """Return the sum of a and b."""\n'
                                               "    return abs(a) * 0 + 7\n\n\ndef mul(a, b):\n    return a * b\n"})
    right = {"text": "```python\ndef add(a, b):\n    return a + b\n```"}
    result, data, _ = run(repo, tmp_path, [WRONG, WRONG, right], "repair.mutants=3", "repair.line_samples=0")
    kinds = [a["kind"] for a in data.extra["repair"]["attempts"]]
    assert kinds == ["rewrite", "rewrite", "mutant", "mutant", "mutant", "rewrite"]
    assert result.exit_status == "Repaired" and "+    return a + b" in result.patch


def test_a_repeated_one_line_answer_starts_the_line_chat_afresh(calc_repo: Path, tmp_path: Path) -> None:
    as_it_is, right = {"text": "LINE 3: return a - b\n"}, {"text": "LINE 3: return a + b\n"}
    result, data, _ = run(calc_repo, tmp_path, [WRONG, WRONG, as_it_is, as_it_is, right], "repair.line_samples=3")
    attempts = data.extra["repair"]["attempts"]
    assert [m["role"] for m in attempts[3]["messages"]] == ["assistant", "user", "assistant"]
    assert [m["role"] for m in attempts[4]["messages"]] == ["assistant"]  # not shown its repeated answer again
    assert attempts[4]["plausible"] and result.exit_status == "Repaired"


def test_feedback_that_brings_back_a_repeat_moves_on_to_the_next_candidate(calc_repo: Path, tmp_path: Path) -> None:
    off_by_one = {"text": "```python\ndef add(a, b):\n    return a + b + 1\n```"}
    result, data, _ = run(calc_repo, tmp_path, [WRONG, off_by_one, WRONG, off_by_one, RIGHT], "repair.line_samples=0")
    attempts = data.extra["repair"]["attempts"]
    assert [a["parent"] for a in attempts] == [None, None, 0, None, 1]
    assert attempts[4]["messages"][0]["content"] == off_by_one["text"]  # #0's feedback gave #0 back: #1's turn
    assert attempts[4]["plausible"] and result.exit_status == "Repaired"


def test_a_line_named_inside_a_statement_over_several_lines_brings_its_other_lines_first(make_repo, tmp_path) -> None:
    repo = make_repo({**BUGGY_CALC, "calc.py": "def add(a, b):\n    start = a < b and 0\n    return sum(\n"
                                               "        [a,\n         -b],\n        start,\n    )\n\n\n"
                                               "def mul(a, b):\n    return a * b\n"})
    closing = {"text": "LINE 7: )\n"}
    result, data, _ = run(repo, tmp_path, [CHATTY, CHATTY, closing], "repair.mutants=1", "repair.line_samples=1")
    attempts = data.extra["repair"]["attempts"]
    assert attempts[3]["mutant"] == "calc.py:5: '-' -> '+'"  # line 5 is neither named nor next to line 7
    assert attempts[3]["plausible"] and result.exit_status == "Repaired"


def test_a_line_the_model_names_gets_every_kind_of_edit_before_lines_its_rewrites_changed(make_repo, tmp_path) -> None:
    head = 'def add(a, b):\n    """Return the sum of a and b."""\n'
    tail = "    return sum([a, b][:1], start)\n\n\ndef mul(a, b):\n    return a * b\n"
    repo = make_repo({**BUGGY_CALC, "calc.py": head + "    start = 0 if a < b else 0\n" + tail})
    rewrite = {"text": "```python\n" + head + "    start = 1 if a < b else 0\n" + tail + "```"}
    as_it_is = {"text": "LINE 4: return sum([a, b][:1], start)\n"}
    result, data, _ = run(repo, tmp_path, [rewrite, CHATTY, as_it_is], "repair.mutants=1", "repair.line_samples=1")
    attempts = data.extra["repair"]["attempts"]
    assert attempts[3]["mutant"] == "calc.py:4: 1 -> 2"  # line 3, which the rewrite changed, would flip `<` first
    assert attempts[3]["plausible"] and result.exit_status == "Repaired"


def test_a_syntax_error_is_shown_to_the_model_and_never_tested(calc_repo: Path, tmp_path: Path) -> None:
    result, data, _ = run(calc_repo, tmp_path, [BROKEN, RIGHT, RIGHT], "repair.first_round=1",
                          "repair.line_samples=0")
    attempts = data.extra["repair"]["attempts"]
    assert attempts[0]["problem"].startswith("the code does not parse") and attempts[1]["parent"] == 0
    assert "does not parse" in attempts[1]["messages"][1]["content"] and result.exit_status == "Repaired"


def test_auto_falls_back_to_the_tool_loop_told_which_tests_fail(calc_repo: Path, tmp_path: Path) -> None:
    fix = {"tool": "edit", "args": {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}}
    script = [WRONG, WRONG, fix, {"tool": "submit", "args": {"summary": "fixed"}}]
    result, data, _ = run(calc_repo, tmp_path, script, "repair.samples=2", "repair.line_samples=0")
    assert result.exit_status == "Submitted" and result.gate.passed
    assert data.extra["repair"]["reason"].startswith("No candidate of 2 passed every known test")
    task = next(m for m in data.messages if m.role == "user").content
    assert "These tests fail now and must pass once the issue is fixed: test_calc.py::test_add" in task
    assert len(data.steps) == 4  # two repair calls, then two loop steps, counted against one step limit


def test_when_the_loop_changes_nothing_the_best_repair_candidate_is_the_patch(make_repo, tmp_path: Path) -> None:
    two = {"calc.py": "def add(a, b):\n    return a - b\n\n\ndef double(a):\n    return a\n",
           "test_calc.py": "from calc import add, double\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
                           "def test_double():\n    assert double(2) == 4\n"}
    half = {"text": "```python\ndef add(a, b):\n    return a + b\n\n\ndef double(a):\n    return a\n```"}
    issue = "test_calc.py::test_add and test_calc.py::test_double fail"
    script = [WRONG, half, {"tool": "submit", "args": {"summary": "gave up"}}]
    result, data, _ = run(make_repo(two), tmp_path, script, "repair.samples=2", "repair.line_samples=0",
                          "repair.file_lines=0", issue=issue)
    assert result.exit_status == "Submitted" and "+    return a + b" in result.patch  # fixes one of the two tests
    assert data.extra["repair"]["kept_at_the_end"] == 1 and "best candidate, #1" in result.message
    assert result.gate.status == "failed" and "1/2 failing tests now pass" in result.gate.checks[-1].detail


def test_a_run_that_reaches_its_limit_mid_call_hands_out_its_best_candidate(make_repo, tmp_path: Path) -> None:
    two = {"calc.py": "def add(a, b):\n    return a - b\n\n\ndef double(a):\n    return a\n",
           "test_calc.py": "from calc import add, double\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
                           "def test_double():\n    assert double(2) == 4\n"}
    half = {"text": "```python\ndef add(a, b):\n    return a + b\n\n\ndef double(a):\n    return a\n```"}
    slow = {"text": "```python\ndef add(a, b):\n    return b\n```", "sleep": 30}
    issue = "test_calc.py::test_add and test_calc.py::test_double fail"
    result, data, _ = run(make_repo(two), tmp_path, [half, slow], "repair.samples=4", "repair.line_samples=0",
                          "repair.file_lines=0", "limits.wall_time=8", issue=issue)
    assert "+    return a + b" in result.patch and data.extra["repair"]["kept_at_the_end"] == 0
    assert result.gate.status == "failed" and "1/2 failing tests now pass" in result.gate.checks[-1].detail


UNTESTED_BUG = {  # the tests pass: nothing fails before the fix
    "calc.py": 'def add(a, b):\n    """Return the sum of a and b."""\n    return a - b\n\n\n'
               "def mul(a, b):\n    return a * b\n",
    "test_calc.py": "from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n",
}


def test_without_a_failing_test_auto_is_the_tool_loop(make_repo, tmp_path: Path) -> None:
    script = [{"tool": "submit", "args": {}}]
    result, data, _ = run(make_repo(UNTESTED_BUG), tmp_path, script, issue="add() is wrong")
    assert result.exit_status == "Submitted" and "repair" not in data.extra
    assert result.gate.status == "no change" and data.extra["tests"]["origin"] == "none"


def test_repair_alone_without_a_failing_test_lets_agreement_decide(make_repo, tmp_path: Path) -> None:
    other = {"text": "```python\ndef add(a, b):\n    return b * a\n```"}
    result, data, _ = run(make_repo(UNTESTED_BUG), tmp_path, [other, RIGHT, RIGHT], "strategy=repair",
                          "repair.samples=3", "repair.line_samples=0", "repair.reproduce=0",
                          issue="add() in calc.py is wrong, see test_calc.py")
    assert result.exit_status == "Repaired" and "return a + b" in result.patch
    assert "largest group of equivalent patches" in result.message
    assert len(data.extra["repair"]["attempts"]) == 3  # no failing test to stop on: every call is made


@pytest.mark.parametrize("strategy", ["loop"])
def test_loop_strategy_never_repairs(calc_repo: Path, tmp_path: Path, strategy: str) -> None:
    result, data, _ = run(calc_repo, tmp_path, [{"tool": "submit", "args": {}}], f"strategy={strategy}")
    assert "repair" not in data.extra and result.exit_status == "Submitted"
    assert data.extra["tests"]["targets"] == ["test_calc.py::test_add"]  # the gate still knows the failing test


def test_a_self_hosted_model_gets_a_compact_opening_and_the_lean_tools(calc_repo: Path, tmp_path: Path) -> None:
    config = load_config(["workspace.type=local", f"runs_dir={tmp_path / 'runs'}", "strategy=loop"])
    model = ScriptedModel([{"tool": "find_symbol", "args": {"name": "add"}}, {"tool": "submit", "args": {}}])
    model.self_hosted = True  # what LitellmModel says of a model behind api_base that litellm does not know
    job = SolveJob(config=config, repo=resolve_repo(str(calc_repo)), issue=IssueText(text=ISSUE + "\n" + "x" * 5000),
                   model=model, tools=make_tools(config))
    data = load_trajectory(solve(job).run_dir / "trajectory.json")
    task = data.messages[1].content
    assert "Repository map" not in task and len(task) < 4000 and "characters omitted" in task
    assert "there is no tool named 'find_symbol'" in data.steps[0].format_error


def test_auto_gives_a_self_hosted_model_repair_by_agreement_without_a_failing_test(make_repo, tmp_path) -> None:
    config = load_config(["workspace.type=local", f"runs_dir={tmp_path / 'runs'}", "repair.samples=2",
                          "repair.reproduce=0"])
    model = ScriptedModel([RIGHT, RIGHT])
    model.self_hosted = True
    job = SolveJob(config=config, repo=resolve_repo(str(make_repo(UNTESTED_BUG))), issue=IssueText(text="add()"),
                   model=model, tools=make_tools(config))
    result = solve(job)
    assert result.exit_status == "Repaired" and "+    return a + b" in result.patch
    assert result.gate.status == "passed"  # test_mul still passes; nothing failed before, so nothing to fix


def test_a_self_hosted_model_aiming_at_a_failing_test_samples_past_the_hosted_limit(calc_repo, tmp_path) -> None:
    config = load_config(["workspace.type=local", f"runs_dir={tmp_path / 'runs'}", "repair.samples=2",
                          "repair.self_hosted_samples=4", "repair.line_samples=0", "repair.mutants=0"])
    model = ScriptedModel([WRONG, WRONG, WRONG, RIGHT])
    model.self_hosted = True
    job = SolveJob(config=config, repo=resolve_repo(str(calc_repo)), issue=IssueText(text=ISSUE),
                   model=model, tools=make_tools(config))
    result = solve(job)
    data = load_trajectory(result.run_dir / "trajectory.json")
    assert result.exit_status == "Repaired" and "+    return a + b" in result.patch
    assert [a["plausible"] for a in data.extra["repair"]["attempts"]] == [False, False, False, True]
    hosted, _, _ = run(calc_repo, tmp_path / "hosted", [WRONG, WRONG, WRONG, RIGHT], "repair.samples=2",
                       "repair.self_hosted_samples=4", "repair.line_samples=0", "strategy=repair")
    assert hosted.exit_status == "RepairFailed"  # `repair` keeps the configured limit, whoever the model is


def test_without_a_failing_test_a_fix_may_break_a_test_that_pins_the_old_behaviour(make_repo, tmp_path) -> None:
    others = "".join(f"\n\ndef test_other_{n}():\n    assert fmt.WIDTH == 8\n" for n in range(9))
    repo = make_repo({"fmt.py": 'import os\n\nFORMAT = "%(filename)s"\nWIDTH = 8\n',
                      "test_fmt.py": "import fmt\n\n\ndef test_format():\n    assert fmt.FORMAT == '%(filename)s'\n"
                                     + others})
    right = {"text": '```python\nFORMAT = "%(name)s:%(filename)s"\n```'}
    broken = {"text": '```python\nimport os\n\nFORMAT = "%(name)s"\nWIDTH = None\n```'}
    result, data, _ = run(repo, tmp_path, [broken, right, right], "strategy=repair", "repair.samples=3",
                          "repair.line_samples=0", "repair.reproduce=0", issue="fmt.FORMAT should show the module name")
    assert result.exit_status == "Repaired" and '+FORMAT = "%(name)s:%(filename)s"' in result.patch
    attempts = data.extra["repair"]["attempts"]
    assert len(attempts[0]["regressions"]) == 10 and attempts[1]["regressions"] == ["test_fmt.py::test_format"]
    assert result.gate.status == "failed"  # the gate still says that a passing test now fails


def test_a_change_of_formatting_only_is_not_a_candidate(calc_repo: Path, tmp_path: Path) -> None:
    spaced = {"text": '### calc.py (lines 1-7)\n```python\ndef add(a, b):\n    """Return the sum of a and b."""\n'
                      "    return a  -  b   # subtracts\n\n\n\ndef mul(a, b):\n    return a * b\n```"}
    result, data, _ = run(calc_repo, tmp_path, [spaced, RIGHT], "repair.line_samples=0")
    attempts = data.extra["repair"]["attempts"]
    assert attempts[0]["problem"].startswith("the change is only in formatting") and not attempts[0]["unreadable"]
    assert attempts[0]["diff"] == "" and result.exit_status == "Repaired"


def test_without_a_failing_test_repair_aims_at_one_written_from_the_issue(make_repo, tmp_path) -> None:
    no_test = {"text": "The test would call add."}
    imports_nothing = {"text": "```python\nfrom calc import subtract\n\n\ndef test_it():\n    pass\n```"}
    invents = {"text": "```python\nfrom calc import add\n\n\ndef test_it():\n    assert run_and_parse(add) == 5\n```"}
    good = {"text": "```python\nfrom calc import add\n\n\ndef test_add_adds():\n    assert add(2, 3) == 5\n```"}
    wrong_fix = {"text": "```python\ndef add(a, b):\n    return a * b\n```"}
    script = [no_test, imports_nothing, invents, good, wrong_fix, RIGHT]
    result, data, events = run(make_repo(UNTESTED_BUG), tmp_path, script, "strategy=repair", "repair.line_samples=0",
                               "repair.reproduce=4", issue="add(2, 3) should be 5")
    reproduction = data.extra["repair"]["reproduction"]
    assert [a["verdict"] for a in reproduction["answers"]] == [
        "no code block", "does not fail because of the issue", "does not fail because of the issue", "kept"]
    assert reproduction["path"] == "test_repo_agent_issue.py"
    assert reproduction["tests"] == ["test_repo_agent_issue.py::test_add_adds"]
    assert data.extra["repair"]["attempts"][0]["still_failing"] == ["test_repo_agent_issue.py::test_add_adds"]
    assert result.exit_status == "Repaired" and "+    return a + b" in result.patch
    assert "test_repo_agent_issue" not in result.patch  # aimed at, never part of the patch
    assert "1/1 failing tests now pass" in next(c for c in result.gate.checks if c.name == "tests").detail
    assert any("writing one from the issue" in e.text for e in events if e.kind == "note")


def test_a_repaired_run_replays_to_the_same_patch(calc_repo: Path, tmp_path: Path) -> None:
    from agent.replay import replay

    result, data, _ = run(calc_repo, tmp_path, [RIGHT])
    assert result.exit_status == "Repaired" and data.extra["repair"]["chosen"] == 0
    replayed = replay(data)
    assert replayed.identical and replayed.calls == 0 and "+    return a + b" in replayed.patch


def test_the_wall_limit_counts_the_setup_and_baseline_tests(make_repo, tmp_path: Path) -> None:
    slow = {**BUGGY_CALC, "test_slow.py": "import time\n\n\ndef test_slow():\n    time.sleep(2)\n"}
    result, data, _ = run(make_repo(slow), tmp_path, [RIGHT, RIGHT], "limits.wall_time=1.5")
    assert data.extra["tests"]["targets"] == ["test_calc.py::test_add"]  # the baseline ran, and took ~2 s
    assert result.exit_status != "Repaired" and "+    return a + b" not in result.patch
    assert not data.extra.get("repair", {}).get("attempts")  # no time was left for a candidate


def test_whole_file_rewrites_take_turns_with_region_rewrites_after_the_first_round(calc_repo, tmp_path) -> None:
    whole = {"text": "```python\n" + BUGGY_CALC["calc.py"].replace("a - b", "a + b") + "```"}
    result, data, _ = run(calc_repo, tmp_path, [WRONG, WRONG, WRONG, WRONG, whole], "repair.line_samples=0",
                          "repair.feedback=false")
    attempts = data.extra["repair"]["attempts"]
    assert [(a["kind"], a["plausible"]) for a in attempts] == [("rewrite", False), ("rewrite", False), ("file", False),
                                                               ("rewrite", False), ("file", True)]
    assert result.exit_status == "Repaired" and "+    return a + b" in result.patch
    assert "Write the whole corrected `calc.py`" in data.extra["repair"]["file_opening"]["content"]
    assert "assert -1 == 5" in data.extra["repair"]["file_opening"]["content"]
    assert [(m["role"], m["content"]) for m in attempts[2]["messages"]] == [("assistant", WRONG["text"])]


def test_a_run_that_reaches_its_limit_while_a_test_is_written_from_the_issue_still_ends_with_its_gate(
        make_repo, tmp_path: Path) -> None:
    slow = {"text": "```python\nfrom calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n```", "sleep": 30}
    result, data, _ = run(make_repo(UNTESTED_BUG), tmp_path, [slow], "strategy=repair", "repair.reproduce=2",
                          "limits.wall_time=6", issue="add(2, 3) should be 5")
    assert data.extra["repair"]["reproduction"]["answers"] == []  # the call was cut at the limit, nothing kept
    assert data.extra["repair"]["attempts"] == [] and result.gate.status == "no change"


def test_an_answer_cut_off_inside_its_code_gets_twice_the_room_the_next_time(calc_repo: Path, tmp_path: Path) -> None:
    budgets: list[int | None] = []

    class Recording(ScriptedModel):
        def complete(self, messages, **options):
            budgets.append(options.get("max_tokens"))
            return super().complete(messages, **options)

    cut = {"text": "```python\ndef add(a, b):\n    total = a"}  # the token budget ended inside the code block
    config = load_config(["workspace.type=local", f"runs_dir={tmp_path / 'runs'}", "repair.mutants=0",
                          "repair.line_samples=0", "repair.file_lines=0"])
    job = SolveJob(config=config, repo=resolve_repo(str(calc_repo)), issue=IssueText(text=ISSUE),
                   model=Recording([cut, cut, RIGHT]), tools=make_tools(config))
    result = solve(job)
    assert result.exit_status == "Repaired" and "+    return a + b" in result.patch
    assert budgets[1] == 2 * budgets[0] and budgets[2] == 4 * budgets[0]
