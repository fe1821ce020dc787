"""Compaction: old tool outputs give way to markers; system, task and recent turns stay."""

from __future__ import annotations

from agent.models.compaction import compact, elide_observations, elision_marker
from tests.agent.models.support import history, turn


def tool_outputs(messages) -> list[str]:
    return [m.content for m in messages if m.role == "tool"]


def test_keeps_system_task_and_recent_turns() -> None:
    messages = history(5, output_chars=400)
    before = [m.content for m in messages[:2]]
    assert elide_observations(messages, keep_recent_turns=2) == 3
    assert [m.content for m in messages[:2]] == before
    outputs = tool_outputs(messages)
    assert outputs[:3] == [elision_marker("view", 400)] * 3 == ["[output of view elided: 400 chars]"] * 3
    assert [len(o) for o in outputs[3:]] == [400, 400]
    assert [m.content for m in messages if m.role == "assistant"] == [f"step {n}" for n in range(5)]


def test_records_the_original_in_meta_and_is_idempotent() -> None:
    messages = history(3, output_chars=400)
    elide_observations(messages, keep_recent_turns=1)
    assert messages[3].meta["elided"] == {"chars": 400, "original": "0:" + "x" * 398}
    assert elide_observations(messages, keep_recent_turns=1) == 0
    assert messages[3].content == "[output of view elided: 400 chars]"


def test_short_outputs_are_left_alone() -> None:
    messages = history(3, output_chars=10)
    assert elide_observations(messages, keep_recent_turns=0) == 0


def test_few_turns_elide_nothing_at_the_configured_depth() -> None:
    messages = history(2, output_chars=400)
    assert elide_observations(messages, keep_recent_turns=4) == 0


def test_compact_falls_back_to_fewer_turns() -> None:
    messages = history(2, output_chars=400)
    assert compact(messages, keep_recent_turns=4) == 1
    assert tool_outputs(messages)[0].startswith("[output of view elided")
    assert len(tool_outputs(messages)[1]) == 400


def test_compact_elides_even_the_last_output_when_it_is_all_there_is() -> None:
    messages = history(0) + turn(0, "y" * 5000, tool="run")
    assert compact(messages, keep_recent_turns=3) == 1
    assert messages[-1].content == "[output of run elided: 5000 chars]"
    assert compact(messages, keep_recent_turns=3) == 0
