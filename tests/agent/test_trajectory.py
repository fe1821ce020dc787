"""Trajectory files: atomic saves, round trip, format check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.trajectory import StepRecord, ToolCallRecord, Trajectory, TrajectoryData, load_trajectory
from core.types import Message, ToolCall


def test_round_trip_keeps_messages_steps_and_durations(tmp_path: Path) -> None:
    path = tmp_path / "run" / "trajectory.json"
    trajectory = Trajectory(path, TrajectoryData(run_id="r1", issue="bug", model="scripted"))
    call = ToolCall(id="c1", name="view", arguments={"path": "a.py"})
    trajectory.data.messages.append(Message(role="assistant", tool_calls=[call], meta={"cost": 0.01}))
    trajectory.data.steps.append(StepRecord(step=1, model_seconds=0.5, cost=0.01, tool_calls=[
        ToolCallRecord(id="c1", name="view", arguments={"path": "a.py"}, seconds=0.002)
    ]))
    trajectory.save()
    loaded = load_trajectory(path)
    assert loaded.messages[0].tool_calls[0].arguments == {"path": "a.py"}
    assert loaded.steps[0].tool_calls[0].seconds == 0.002
    assert loaded.trajectory_format == 1
    assert not list(path.parent.glob(".*.tmp"))  # no temp files left behind


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"trajectory_format": 99, "run_id": "x"}))
    with pytest.raises(ValueError, match="not supported"):
        load_trajectory(path)
