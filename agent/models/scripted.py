"""`ScriptedModel`: replays actions from a YAML/JSON script (a list, or a mapping with `actions:`), for tests and demos.
Each action is one reply (fields: `ScriptAction`): `tool` + `args` or several `calls`, a `raise` of a litellm
exception by class name, a `malformed` reply, or a plain `text` for `complete`; optionally `thought`, `cost`, `sleep`
and `repeat: N|forever`. Raised errors go through resilience.py like LitellmModel's (a retry consumes the next
action). A thought with no call is a FormatError; a sleep past the deadline raises TimeLimitExceeded; running out
raises ScriptExhausted."""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.config import ModelConfig, RetryConfig, yaml_problem
from agent.models import lazy, text_protocol, wire
from agent.models.resilience import resilient_query
from agent.models.streaming import cut_before, cut_where
from core.errors import ScriptExhausted, TimeLimitExceeded, UserError
from core.model import Sampling
from core.types import Message, ToolSpec

ERROR_STATUS = {"BadRequestError": 400, "AuthenticationError": 401, "PermissionDeniedError": 403,
                "NotFoundError": 404, "Timeout": 408, "UnprocessableEntityError": 422, "RateLimitError": 429,
                "BadGatewayError": 502, "ServiceUnavailableError": 503}
"""HTTP status of the fake response given to raised errors (by the nearest class in their MRO; else 500)."""


class ScriptedCall(BaseModel):
    """One tool call in a script."""

    model_config = ConfigDict(extra="forbid")
    tool: str
    """Tool name."""
    args: dict[str, Any] = Field(default_factory=dict)
    """Tool arguments."""


class ScriptAction(BaseModel):
    """One scripted reply (see the module docstring for the directives)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    thought: str = ""
    """Content text of the reply."""
    tool: str | None = None
    """Name of the one tool to call."""
    args: dict[str, Any] = Field(default_factory=dict)
    """Arguments of `tool`."""
    calls: list[ScriptedCall] | None = None
    """Several calls in one reply."""
    cost: float = Field(default=0.0, ge=0)
    """Dollars charged for this reply."""
    raise_: str | None = Field(default=None, alias="raise")
    """Name of a litellm exception class to raise instead of replying."""
    message: str = "scripted failure"
    """Text of the raised exception."""
    retry_after: float | None = Field(default=None, ge=0)
    """Retry-after hint (seconds) attached to the raised exception."""
    malformed: str | None = None
    """Reply text that is parsed as a text-protocol reply (and so normally fails)."""
    text: str | None = None
    """A plain reply, for `complete`."""
    sleep: float = Field(default=0.0, ge=0)
    """Seconds to wait before replying or raising."""
    repeat: int | Literal["forever"] = 1
    """How many times this action is replayed, or `forever`."""

    @model_validator(mode="after")
    def _one_kind(self) -> ScriptAction:
        kinds = [k for k, v in (("tool", self.tool), ("calls", self.calls), ("raise", self.raise_),
                                ("malformed", self.malformed), ("text", self.text)) if v is not None]
        if len(kinds) > 1:
            raise ValueError(f"an action has one of tool, calls, raise, malformed, text; this one has "
                             f"{', '.join(kinds)}")
        if isinstance(self.repeat, int) and self.repeat < 1:
            raise ValueError("repeat must be at least 1 or 'forever'")
        return self


def load_script(path: Path) -> list[ScriptAction]:
    """Read and validate a script file; UserError in one sentence when it is missing or invalid."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise UserError(f"Script {path} could not be read ({exc.strerror}): check model.script.") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except ValueError as exc:
        raise UserError(f"Script {path} is not valid JSON: {exc}.") from exc
    except yaml.YAMLError as exc:
        raise UserError(f"Script {path} is not valid YAML{yaml_problem(exc)}.") from exc
    return parse_actions(data, str(path))


def parse_actions(data: Any, source: str = "script") -> list[ScriptAction]:
    """Validate script data (a list of actions, or a mapping with `actions`)."""
    if isinstance(data, dict):
        data = data.get("actions")
    if not isinstance(data, list):
        raise UserError(f"{source} must be a list of actions (or a mapping with an `actions` list).")
    actions = []
    for number, item in enumerate(data, 1):
        try:
            action = item if isinstance(item, ScriptAction) else ScriptAction.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise UserError(f"{source}, action {number}: {where + ': ' if where else ''}{first['msg']}.") from exc
        if action.raise_ is not None:
            exception_class(action.raise_)
        actions.append(action)
    return actions


def exception_class(name: str) -> type[Exception]:
    """The litellm exception class called `name`; UserError when litellm has none."""
    cls = getattr(lazy.litellm().exceptions, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        raise UserError(f"Script raises {name!r}, which is not a litellm exception (e.g. RateLimitError, Timeout).")
    return cls


def make_exception(name: str, message: str, model: str, retry_after: float | None = None) -> Exception:
    """A real litellm exception built the way litellm builds it, with an optional retry-after hint."""
    import httpx

    cls = exception_class(name)
    status = next((ERROR_STATUS[c.__name__] for c in cls.__mro__ if c.__name__ in ERROR_STATUS), 500)
    headers = {"retry-after": f"{retry_after:g}"} if retry_after is not None else {}
    request = httpx.Request("POST", "http://scripted.invalid/v1/chat/completions")
    offered = {"message": message, "model": model, "llm_provider": "scripted", "status_code": status,
               "response": httpx.Response(status, headers=headers, request=request)}
    params = inspect.signature(cls.__init__).parameters
    exc = cls(**{key: value for key, value in offered.items() if key in params})
    if headers:
        exc.litellm_response_headers = httpx.Headers(headers)  # where litellm puts the provider's headers
    return exc


class ScriptedModel:
    """Replays scripts of actions; satisfies the `Model` protocol."""

    def __init__(self, *scripts: Path | str | list[Any], name: str = "scripted", retry: RetryConfig | None = None,
                 keep_recent_turns: int = 4, sleep: Callable[[float], None] = time.sleep):
        self.scripts = [load_script(Path(s)) if isinstance(s, str | Path) else parse_actions(s) for s in scripts]
        """The validated actions of each script; with several, rollout k replays script k (cycled)."""
        self._cursors: dict[int, list[int]] = {}
        """Per rollout (all share one with one script): the position in its script, the repeats of that action."""
        self._rollout = 0
        self.name = name
        """Model identifier in trajectories."""
        self.cost = 0.0
        """Dollars charged so far by the script's `cost` fields."""
        self.self_hosted = False
        self.retry = retry or RetryConfig()
        self.keep_recent_turns = keep_recent_turns
        """Turns kept whole when a raised overflow compacts the history."""
        self.steps = 0
        """Replies (and raises) produced so far."""
        self._sleep = sleep

    @classmethod
    def from_config(cls, config: ModelConfig) -> ScriptedModel:
        """The model for `model: {type: scripted, script: PATH}`, or `scripts` (several: one per rollout)."""
        scripts = [config.script] if config.script and len(config.scripts) < 2 else config.scripts
        if not scripts:
            raise UserError("model.type is scripted but model.script is not set: give the script file path.")
        return cls(*scripts, name=config.name or f"scripted:{Path(scripts[0]).name}", retry=config.retry,
                   keep_recent_turns=config.keep_recent_turns)

    def query(self, messages: list[Message], tools: list[ToolSpec], *, deadline: float | None = None,
              sampling: Sampling | None = None) -> Message:
        """The next scripted reply via real-model failure handling; `sampling` only picks the rollout's script."""
        self._rollout = sampling.rollout if sampling else 0
        return resilient_query(lambda _history: self._reply(tools, deadline), messages, model=self.name,
                               retry=self.retry, keep_recent_turns=self.keep_recent_turns, sleep=self._sleep,
                               deadline=deadline)

    def complete(self, messages: list[Message], *, sampling: Sampling | None = None, deadline: float | None = None,
                 max_tokens: int | None = None, until: Callable[[str], bool] | None = None) -> Message:
        """The next scripted action as a plain reply: its `text` (or its thought), cut where `until` first holds."""
        return resilient_query(lambda _history: self._text_reply(deadline, until), messages, model=self.name,
                               retry=self.retry, keep_recent_turns=self.keep_recent_turns, sleep=self._sleep,
                               deadline=deadline)

    def continue_text(self, prompt: str, *, sampling: Sampling | None = None, deadline: float | None = None,
                      max_tokens: int | None = None, stop: Sequence[str] = ()) -> Message:
        """The next scripted action's text, cut before the first of `stop` as a server would."""
        reply = self.complete([], sampling=sampling, deadline=deadline, max_tokens=max_tokens)
        return Message(role="assistant", content=cut_before(reply.content or "", stop), meta=reply.meta)

    def _text_reply(self, deadline: float | None, until: Callable[[str], bool] | None) -> Message:
        action, meta = self._take(deadline)
        text = action.text if action.text is not None else action.thought
        return Message(role="assistant", content=cut_where(text, until), meta=meta)

    def _take(self, deadline: float | None) -> tuple[ScriptAction, dict[str, Any]]:
        """The next action of the rollout's script, after its sleep (bounded by `deadline`) and raise, charged; and
        the reply's meta."""
        key = self._rollout if len(self.scripts) > 1 else 0
        actions, cursor = self.scripts[key % len(self.scripts)], self._cursors.setdefault(key, [0, 0])
        if cursor[0] >= len(actions):
            raise ScriptExhausted(f"The script of {self.name} ran out of actions after {self.steps} steps.")
        action = actions[cursor[0]]
        cursor[1] += 1
        if action.repeat != "forever" and cursor[1] >= action.repeat:
            cursor[:] = [cursor[0] + 1, 0]
        self.steps += 1
        if action.sleep:
            if deadline is not None and time.monotonic() + action.sleep >= deadline:
                time.sleep(max(0.0, deadline - time.monotonic()))
                raise TimeLimitExceeded("wall-time limit reached while the model was answering")
            time.sleep(action.sleep)
        if action.raise_ is not None:
            raise make_exception(action.raise_, action.message, self.name, action.retry_after)
        self.cost += action.cost
        return action, {"cost": action.cost, "latency": action.sleep, "input_tokens": 0, "output_tokens": 0,
                        "model": self.name, "script_step": self.steps}

    def _reply(self, tools: list[ToolSpec], deadline: float | None) -> Message:
        action, meta = self._take(deadline)
        if action.malformed is not None:
            return wire.parse_reply(action.malformed, [], tools, "text", meta)
        reply = Message(role="assistant", content=action.thought, meta=meta)
        calls = action.calls or ([ScriptedCall(tool=action.tool, args=action.args)] if action.tool else [])
        if not calls:
            raise text_protocol.format_error("the reply calls no tool; call exactly one of the tools to act",
                                             tools, reply)
        try:
            reply.tool_calls = [text_protocol.call_from_object({"tool": c.tool, "args": c.args}, tools,
                                                               call_id=f"call_{self.steps}_{i}")
                                for i, c in enumerate(calls)]
        except ValueError as exc:
            raise text_protocol.format_error(str(exc), tools, reply) from None
        return reply
