"""The trajectory: one JSON file per run, written atomically after every step, enough to read, audit and replay it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.atomic import write_atomically
from agent.redact import redact
from core.types import Message

TRAJECTORY_FORMAT = 1
"""Version of the file layout; bumped when a field changes meaning."""

def filter_output(text: str) -> str:
    """`text` as every file a run writes gets it: secrets redacted (agent/redact.py)."""
    return redact(text)


class ToolCallRecord(BaseModel):
    """One tool call as executed."""

    id: str
    """The call's id (pairs it with its message)."""
    name: str
    """Tool name."""
    arguments: dict[str, Any]
    """Arguments as the model gave them."""
    seconds: float
    """Wall-clock duration of the call."""
    error: bool = False
    """True when the observation was an error."""


class StepRecord(BaseModel):
    """One model call and the tool calls it led to."""

    step: int
    """1-based step number."""
    model_seconds: float
    """Seconds the model call took (retries included)."""
    cost: float
    """Dollars this model call cost."""
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    """The tool calls executed in this step, in order."""
    format_error: str | None = None
    """Why the reply could not be parsed, when it could not."""


class TrajectoryData(BaseModel):
    """What the trajectory file holds."""

    trajectory_format: int = TRAJECTORY_FORMAT
    """File layout version."""
    run_id: str
    """The run's id (also its folder name under runs/)."""
    created: float = Field(default_factory=time.time)
    """Unix time the run started."""
    repo: dict[str, Any] = Field(default_factory=dict)
    """Repository source: `path`, `url`, `commit`."""
    issue: str = ""
    """The task text."""
    config: dict[str, Any] = Field(default_factory=dict)
    """The validated configuration of the run."""
    model: str = ""
    """Model name."""
    plan: dict[str, Any] | None = None
    """The planner's output, when planning ran."""
    messages: list[Message] = Field(default_factory=list)
    """Every message, in order, with meta (cost, latency, tokens)."""
    steps: list[StepRecord] = Field(default_factory=list)
    """Every step with its tool calls and durations."""
    cost: float = 0.0
    """Total dollars."""
    exit_status: str | None = None
    """Name of the condition that ended the run (`Submitted`, `StepLimitExceeded`, ...); empty while running."""
    exit_message: str = ""
    """Details of the exit (the submit summary, the error text)."""
    patch: str = ""
    """The final diff (or the diff so far, while running)."""
    gate: dict[str, Any] | None = None
    """The patch gate's result."""
    duration: float = 0.0
    """Seconds from start to the last save."""
    extra: dict[str, Any] = Field(default_factory=dict)
    """Room for integrations (SWE-bench instance id, GitHub issue, sample index, ...)."""


class Trajectory:
    """A trajectory being written: holds the data and saves it atomically to `path`."""

    def __init__(self, path: Path, data: TrajectoryData):
        self.path = Path(path)
        self.data = data
        self.started = time.monotonic()
        """`time.monotonic()` when the run began: the wall-time limit counts from here."""

    def save(self) -> None:
        """Write the file atomically (a crash mid-write leaves the previous version)."""
        self.data.duration = time.monotonic() - self.started
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, filter_output(self.data.model_dump_json(indent=1)))


def load_trajectory(path: Path) -> TrajectoryData:
    """Read a trajectory file, checking that its format is one we understand."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    version = raw.get("trajectory_format")
    if version != TRAJECTORY_FORMAT:
        raise ValueError(f"trajectory format {version!r} is not supported (expected {TRAJECTORY_FORMAT})")
    return TrajectoryData.model_validate(raw)
