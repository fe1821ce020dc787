"""The agent loop: ask the model, run the tools it calls, repeat until a condition (an exception from
core/errors.py, whose name is the exit status) ends it. The trajectory is saved every step; every exit yields a diff."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agent.config import LimitsConfig
from agent.trajectory import StepRecord, ToolCallRecord, Trajectory
from core.errors import (
    AgentException,
    CostLimitExceeded,
    FormatError,
    FormatErrorLimitExceeded,
    Interrupted,
    RepeatedCallLimitExceeded,
    StepLimitExceeded,
    TimeLimitExceeded,
    WorkspaceError,
)
from core.model import Model, Sampling
from core.types import Message, ToolCall
from tools.base import Tool
from tools.dispatch import call_tool
from workspaces.base import Workspace

logger = logging.getLogger(__name__)

READ_ONLY_TOOLS = frozenset({"search", "view", "find_symbol", "submit"})
"""Tools that never change files; after any other tool the diff so far is snapshotted."""

SNAPSHOT_INTERVAL = 2.0
"""Seconds between diff snapshots: if the workspace dies, at most this much of the agent's work is lost."""

REPEATED_CALL = (
    "You already made this exact call and its result has not changed; it is in the conversation above. "
    "Repeating it will not help: act on that result with a different call (for example, view one of the "
    "files it names, or edit one)."
)

DROPPED_ACTIONS = (
    "Note: your reply held {count} more action(s) after this one; they were not run, and anything you wrote "
    "after the first action was discarded. Send exactly one action per reply and wait for its result.\n\n"
)

NO_TOOL_CALL = (
    "Your reply did not call a tool. Call exactly one of the tools to make progress, "
    "or call `submit` when the fix is done."
)


@dataclass
class LoopEvent:
    """Something the loop did, for progress displays."""

    kind: str
    """`step` (a model reply), `tool` (a tool call finished), `format_error`, `note` (a line of news), or `exit`."""
    step: int
    """Current step number."""
    cost: float
    """Dollars spent so far."""
    tool: str = ""
    """Tool name, for `tool` events."""
    arguments: dict | None = None
    """Tool arguments, for `tool` events."""
    seconds: float = 0.0
    """Duration of the model call or tool call."""
    error: bool = False
    """The tool call's observation was an error."""
    text: str = ""
    """Exit status or format error text."""


class AgentLoop:
    """Runs one conversation to an exit condition against one workspace."""

    def __init__(
        self,
        model: Model,
        workspace: Workspace,
        tools: dict[str, Tool],
        limits: LimitsConfig,
        trajectory: Trajectory,
        on_event: Callable[[LoopEvent], None] | None = None,
        checks: Sequence[Callable[[], None]] = (),
        sampling: Sampling | None = None,
    ):
        self.model, self.ws, self.tools, self.limits = model, workspace, tools, limits
        self.sampling = sampling
        self.trajectory = trajectory
        self.on_event = on_event or (lambda event: None)
        self.checks = checks
        self.specs = [tool.spec for tool in tools.values()]
        self.messages = trajectory.data.messages
        self.started = time.monotonic()
        self.last_snapshot = 0.0
        self.seen: dict[tuple[str, str], tuple[str, int]] = {}
        """(tool, arguments) -> the last output of that call and how many times in a row it was that output."""
        self.format_errors = 0

    def run(self) -> str:
        """Step until an exit condition; record it and the diff so far; return the exit status."""
        try:
            while True:
                try:
                    self.step()
                finally:
                    self.trajectory.save()
        except KeyboardInterrupt:
            return self.finish(Interrupted("interrupted by the user"))
        except Exception as exc:  # conditions, workspace failures, and bugs all end the run the same way
            if not isinstance(exc, AgentException | WorkspaceError):
                logger.exception("unexpected error in the agent loop")
            return self.finish(exc)

    def step(self) -> None:
        """One model call and the tool calls it asks for."""
        self.check_limits()
        step_no = len(self.trajectory.data.steps) + 1
        record = StepRecord(step=step_no, model_seconds=0.0, cost=0.0)
        self.trajectory.data.steps.append(record)
        cost_before, start = self.model.cost, time.monotonic()
        try:
            reply = self.model.query(self.messages, self.specs, deadline=self.started + self.limits.wall_time,
                                     sampling=self.sampling)
        except FormatError as exc:
            record.format_error = exc.text
            self.messages.extend(exc.messages)
            self.on_event(LoopEvent("format_error", step_no, self.model.cost, text=exc.text))
            self.format_errors += 1
            if self.format_errors >= self.limits.format_errors:
                raise FormatErrorLimitExceeded(f"{self.format_errors} replies in a row could not be read as an "
                                               f"action (last: {exc.text})") from None
            return
        finally:
            record.model_seconds = time.monotonic() - start
            record.cost = self.model.cost - cost_before
            self.trajectory.data.cost = self.model.cost
        self.format_errors = 0
        self.messages.append(reply)
        self.on_event(LoopEvent("step", step_no, self.model.cost, seconds=record.model_seconds))
        if not reply.tool_calls:
            self.messages.append(Message(role="user", content=NO_TOOL_CALL))
            return
        for call in reply.tool_calls:
            self.execute(call, record)
        dropped = int(reply.meta.get("dropped_actions") or 0)
        if dropped:
            last = self.messages[-1]
            last.content = DROPPED_ACTIONS.format(count=dropped) + last.content
        changing = any(call.name not in READ_ONLY_TOOLS for call in reply.tool_calls)
        if changing and time.monotonic() - self.last_snapshot >= SNAPSHOT_INTERVAL:
            self.trajectory.data.patch = self.ws.diff()
            self.last_snapshot = time.monotonic()

    def execute(self, call: ToolCall, record: StepRecord) -> None:
        """Run one tool call and append its observation; `Submitted` still records the call."""
        start = time.monotonic()
        observation = None
        try:
            observation = call_tool(self.tools, call, self.ws)
        finally:
            seconds = time.monotonic() - start
            error = bool(observation and observation.error)
            record.tool_calls.append(ToolCallRecord(
                id=call.id, name=call.name, arguments=call.arguments, seconds=seconds, error=error
            ))
            self.on_event(LoopEvent(
                "tool", record.step, self.model.cost, tool=call.name, arguments=call.arguments,
                seconds=seconds, error=error,
            ))
        key = (call.name, json.dumps(call.arguments, sort_keys=True, default=str))
        last, times = self.seen.get(key, (None, 0))
        times = times + 1 if last == observation.output else 1
        self.seen[key] = (observation.output, times)
        self.messages.append(Message(  # re-showing the same output invites weak models to loop on it
            role="tool", content=REPEATED_CALL if times > 1 else observation.output, tool_call_id=call.id,
            name=call.name, meta={"seconds": seconds, "error": observation.error, **observation.data},
        ))
        if times >= self.limits.repeated_calls:
            raise RepeatedCallLimitExceeded(f"the model made the same {call.name} call {times} times "
                                            "with the same result")

    def check_limits(self) -> None:
        """Raise the limit condition that applies, if any."""
        if len(self.trajectory.data.steps) >= self.limits.steps:
            raise StepLimitExceeded(f"step limit of {self.limits.steps} reached")
        if self.limits.cost and self.model.cost >= self.limits.cost:
            raise CostLimitExceeded(f"cost limit of ${self.limits.cost:.2f} reached (${self.model.cost:.4f} spent)")
        if time.monotonic() - self.started >= self.limits.wall_time:
            raise TimeLimitExceeded(f"wall-time limit of {self.limits.wall_time:.0f} s reached")
        for check in self.checks:
            check()

    def finish(self, exc: Exception) -> str:
        """Record the exit condition and the final diff; return the exit status."""
        data = self.trajectory.data
        data.exit_status = type(exc).__name__
        data.exit_message = exc.text if isinstance(exc, AgentException) else str(exc)
        data.cost = self.model.cost
        if isinstance(exc, AgentException):
            self.messages.extend(exc.messages)
        # On failure keep the last snapshot, taken after the last step that changed files.
        with contextlib.suppress(Exception, KeyboardInterrupt):
            data.patch = self.ws.diff()
        self.on_event(LoopEvent("exit", len(data.steps), self.model.cost, text=data.exit_status))
        self.trajectory.save()
        return data.exit_status
