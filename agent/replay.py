"""Re-run a trajectory's tool calls against a fresh workspace and compare the resulting diff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from agent.config import AgentConfig, validate_config
from agent.repo import RepoSource, resolve_repo
from agent.trajectory import TrajectoryData, load_trajectory
from core.errors import Submitted, UserError
from core.types import ToolCall
from tools.dispatch import call_tool
from tools.registry import make_tools
from workspaces.base import apply_diff
from workspaces.factory import make_workspace

TRAJECTORY_NAME = "trajectory.json"
"""The trajectory's file name inside a run folder."""


@dataclass
class ReplayResult:
    """The outcome of a replay."""

    patch: str
    """The diff the replayed calls produced."""
    recorded_patch: str
    """The diff the trajectory recorded."""
    calls: int
    """How many tool calls were replayed."""

    @property
    def identical(self) -> bool:
        """True when the replay reproduced the recorded diff exactly."""
        return self.patch == self.recorded_patch


def trajectory_file(path: Path) -> Path:
    """The trajectory `path` names: the file itself, or a run folder's trajectory.json."""
    if path.is_dir():
        inside = path / TRAJECTORY_NAME
        if not inside.is_file():
            raise UserError(f"{path} is a folder without a {TRAJECTORY_NAME}; give a run folder (runs/RUN_ID) "
                            "or a trajectory file written by `agent solve`.")
        return inside
    if not path.exists():
        raise UserError(f"Trajectory file {path} does not exist; give a run folder (runs/RUN_ID) or its "
                        f"{TRAJECTORY_NAME}.")
    return path


def read_trajectory(path: Path) -> TrajectoryData:
    """Load a trajectory file or a run folder's trajectory, with problems told in one sentence."""
    path = trajectory_file(path)
    try:
        return load_trajectory(path)
    except ValidationError as exc:
        first = exc.errors()[0]
        why = f"{'.'.join(str(part) for part in first['loc']) or 'the file'}: {first['msg']}"
    except json.JSONDecodeError as exc:
        why = f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    except (AttributeError, TypeError):
        why = "it does not hold a JSON object"
    except ValueError as exc:  # an unknown trajectory format, text that is not UTF-8
        why = str(exc).splitlines()[0]
    except OSError as exc:
        raise UserError(f"Trajectory file {path} cannot be read ({exc.strerror}).") from None
    raise UserError(f"{path} is not a repo-agent trajectory: {why}.")


def recorded_repo(data: TrajectoryData) -> RepoSource:
    """The repository the trajectory ran on: its local path when it still exists, else its URL."""
    path, url, commit = data.repo.get("path"), data.repo.get("url"), data.repo.get("commit", "HEAD")
    if path and Path(path).is_dir():
        return resolve_repo(path, commit)
    if url:
        return resolve_repo(url, commit)
    raise UserError(f"The trajectory's repository {path} no longer exists and no URL was recorded.")


def repaired_diff(data: TrajectoryData) -> str:
    """The diff of the candidate the repair strategy chose ("" when it chose none or did not run)."""
    repair = data.extra.get("repair") or {}
    chosen = repair.get("chosen")
    attempts = repair.get("attempts") or []
    return next((a.get("diff", "") for a in attempts if a.get("number") == chosen), "") if chosen is not None else ""


def replay(data: TrajectoryData, config: AgentConfig | None = None) -> ReplayResult:
    """Apply the repair's chosen candidate, if any, then every recorded tool call in a fresh workspace; both diffs."""
    config = config or validate_config(data.config)
    repo = recorded_repo(data)
    tools = make_tools(config)
    calls = [call for step in data.steps for call in step.tool_calls]
    with make_workspace(config.workspace, repo.path, repo.commit) as ws:
        repaired = repaired_diff(data)
        if repaired and not apply_diff(ws, repaired):
            raise UserError("The repair's chosen candidate no longer applies to the recorded commit.")
        for record in calls:
            try:
                call_tool(tools, ToolCall(id=record.id, name=record.name, arguments=record.arguments), ws)
            except Submitted:
                break
        patch = ws.diff()
    return ReplayResult(patch=patch, recorded_patch=data.patch, calls=len(calls))
