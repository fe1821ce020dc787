"""`LitellmModel`: any provider through litellm, with native tool calls or the text/json protocol.
Failures go through resilience.py, replies through wire.py. Self-hosted models (probe.py) get small-machine
defaults: constrained actions, streamed replies cut after one action, a short output budget."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from agent.config import ModelConfig
from agent.models import lazy, probe, text_protocol, wire
from agent.models.resilience import resilient_query
from agent.models.streaming import cut_before, cut_where, read_stream
from core.errors import FormatError, TimeLimitExceeded, UserError
from core.model import Sampling
from core.types import Message, ToolSpec

log = logging.getLogger(__name__)

_warned_unpriced: set[str] = set()
"""Models already warned about (one warning per model and process)."""

HOSTED_OUTPUT_TOKENS = 4096
"""Output budget per reply for hosted models when `model.max_output_tokens` is empty."""
LOCAL_OUTPUT_TOKENS = 1024
"""Output budget per reply for self-hosted models when `model.max_output_tokens` is empty: one action fits."""
ESCALATE_AFTER = 2
"""Format errors in a row after which the text protocol gives way to the schema-constrained one."""
TEXT_STOP = ["\nObservation", "Observation ("]
"""Stop sequences of the text protocol: the model must not write the tool's answer itself."""


def resolve_protocol(config: ModelConfig, name: str) -> wire.WireProtocol:
    """The wire protocol: as configured, `auto` resolved as `ModelConfig.protocol` describes."""
    if config.protocol != "auto":
        return config.protocol
    try:
        supported = lazy.litellm().supports_function_calling(model=name)
    except Exception:  # unknown models make some litellm versions raise instead of answering False
        supported = False
    if supported:
        return "tools"
    if probe.is_local_server(config, name) and probe.schema_style(config, name):
        return "json"
    return "text"


class LitellmModel:
    """A model reached through `litellm.completion`; satisfies the `Model` protocol."""

    def __init__(self, config: ModelConfig, *, sleep: Callable[[float], None] = time.sleep):
        if not config.name:
            raise UserError("No model name given: pass --model provider/name or set model.name.")
        self.config = config
        self.name: str = config.name
        """litellm model id."""
        self.cost: float = 0.0
        """Dollars spent so far."""
        self.self_hosted: bool = probe.is_local_server(config, config.name)
        """A self-hosted model behind `api_base` (small-model defaults apply)."""
        self.protocol: wire.WireProtocol = resolve_protocol(config, config.name)
        """The wire protocol in use (`tools`, `text` or `json`)."""
        self.stream: bool = config.stream if config.stream is not None else self.self_hosted
        """Replies are streamed (and cut off after one action)."""
        self.output_tokens = config.max_output_tokens or (LOCAL_OUTPUT_TOKENS if self.self_hosted
                                                          else HOSTED_OUTPUT_TOKENS)
        """The output budget of one reply."""
        self.format_errors = 0
        """Format errors in a row so far."""
        self._sleep = sleep

    def query(self, messages: list[Message], tools: list[ToolSpec], *, deadline: float | None = None,
              sampling: Sampling | None = None) -> Message:
        """The model's next assistant message, with parsed tool calls and meta (cost, latency, tokens)."""
        try:
            reply = self._resilient(lambda history: self._call(history, tools, deadline, sampling), messages,
                                    deadline)
        except FormatError:
            self.format_errors += 1
            self._escalate()
            raise
        self.format_errors = 0
        return reply

    def complete(self, messages: list[Message], *, sampling: Sampling | None = None, deadline: float | None = None,
                 max_tokens: int | None = None, until: Callable[[str], bool] | None = None) -> Message:
        """A plain text reply (no tools, at most `max_tokens`, ended where `until` holds) for code-asking strategies."""
        return self._resilient(lambda history: self._call_text(history, sampling, deadline, max_tokens, until),
                               messages, deadline)

    def continue_text(self, prompt: str, *, sampling: Sampling | None = None, deadline: float | None = None,
                      max_tokens: int | None = None, stop: Sequence[str] = ()) -> Message:
        """The model's continuation of `prompt` with no chat template (litellm's `text_completion`; a server behind
        `api_base` is asked at `/v1/completions`), ended before the first of `stop`."""
        return self._resilient(lambda _history: self._call_prompt(prompt, sampling, deadline, max_tokens, stop), [],
                               deadline)

    def _call_prompt(self, prompt: str, sampling: Sampling | None, deadline: float | None, max_tokens: int | None,
                     stop: Sequence[str]) -> Message:
        kwargs = self._base_kwargs(deadline, sampling)
        name = self.name
        if self.config.api_base and name.startswith("openai/"):
            name = "text-completion-openai/" + name.removeprefix("openai/")
        kwargs.update(model=name, prompt=prompt, **({"stop": list(stop)} if stop else {}),
                      **({"max_tokens": max_tokens} if max_tokens else {}))
        content, _, meta = self._send(kwargs, deadline, None)
        return Message(role="assistant", content=cut_before(content, stop), meta=meta)

    def _resilient(self, send: Callable[[list[Message]], Message], messages: list[Message],
                   deadline: float | None) -> Message:
        return resilient_query(send, messages, model=self.name, retry=self.config.retry,
                               keep_recent_turns=self.config.keep_recent_turns, sleep=self._sleep,
                               deadline=deadline, endpoint=self.config.api_base)

    def _escalate(self) -> None:
        """After repeated format errors under the text protocol, constrain replies when the server can."""
        if self.protocol != "text" or self.format_errors < ESCALATE_AFTER or not self.config.api_base:
            return
        if probe.schema_style(self.config, self.name):
            log.info("%d format errors in a row: switching %s to schema-constrained actions", self.format_errors,
                     self.name)
            self.protocol = "json"

    def _base_kwargs(self, deadline: float | None, sampling: Sampling | None = None) -> dict[str, Any]:
        """What every request sends but its messages (or prompt); litellm's own retries off (ours: resilience.py)."""
        cfg, call = self.config, sampling or Sampling()
        timeout = cfg.timeout
        if deadline is not None:
            timeout = min(timeout, deadline - time.monotonic())
            if timeout <= 0:
                raise TimeLimitExceeded("wall-time limit reached before the model was asked")
        kwargs: dict[str, Any] = {
            "model": self.name,
            "temperature": cfg.temperature if call.temperature is None else call.temperature, "timeout": timeout,
            "num_retries": 0, "max_retries": 0, "drop_params": True, "max_tokens": self.output_tokens,
        }
        optional = {"top_p": cfg.top_p if call.top_p is None else call.top_p,
                    "seed": cfg.seed if call.seed is None else call.seed, "api_base": cfg.api_base,
                    "api_key": cfg.api_key}
        kwargs.update({key: value for key, value in optional.items() if value is not None})
        if cfg.api_base and not cfg.api_key:
            kwargs["api_key"] = "none"  # self-hosted servers take any key; the OpenAI client insists on one
        return kwargs

    def _call(self, messages: list[Message], tools: list[ToolSpec], deadline: float | None,
              sampling: Sampling | None) -> Message:
        kwargs = {**self._base_kwargs(deadline, sampling), "messages": wire.to_wire(messages, tools, self.protocol)}
        if self.protocol == "tools" and tools:
            kwargs["tools"] = [spec.openai_format() for spec in tools]
        elif self.protocol == "json" and tools:
            style = probe.known_style(self.config, self.name)  # asked by `auto`; else the shape llama.cpp takes
            kwargs["response_format"] = text_protocol.response_format(tools, style or "json_object")
        elif self.protocol == "text" and self.self_hosted:
            kwargs["stop"] = list(TEXT_STOP)
        kwargs.update(self.config.extra_params)
        complete = functools.partial(_one_action, tools=tools) if self.protocol == "text" else None
        content, raw_calls, meta = self._send(kwargs, deadline, complete)
        return wire.parse_reply(content, raw_calls, tools, self.protocol, meta)

    def _call_text(self, messages: list[Message], sampling: Sampling | None, deadline: float | None,
                   max_tokens: int | None, until: Callable[[str], bool] | None) -> Message:
        kwargs = self._base_kwargs(deadline, sampling)
        kwargs["messages"] = [{"role": m.role if m.role != "tool" else "user", "content": m.content} for m in messages]
        if max_tokens:
            kwargs["max_tokens"] = max_tokens
        kwargs.update({k: v for k, v in self.config.extra_params.items() if k != "response_format"})
        content, _, meta = self._send(kwargs, deadline, until)
        return Message(role="assistant", content=cut_where(content, until), meta=meta)

    def _send(self, kwargs: dict[str, Any], deadline: float | None,
              complete: Callable[[str], bool] | None) -> tuple[str, list[Any], dict[str, Any]]:
        """One request (`text_completion` for a `prompt`, else `completion`): (content, raw tool calls, meta)."""
        start, litellm = time.monotonic(), lazy.litellm()
        if self.stream and "tools" not in kwargs and "prompt" not in kwargs:
            streamed = read_stream(litellm.completion(**kwargs, stream=True), deadline=deadline, complete=complete)
            return streamed.content, [], self._meta(None, start, streamed.input_tokens, streamed.output_tokens,
                                                    streamed.finish_reason)
        response = (litellm.text_completion if "prompt" in kwargs else litellm.completion)(**kwargs)
        choice = response.choices[0] if response.choices else None
        message, usage = getattr(choice, "message", None), getattr(response, "usage", None)
        meta = self._meta(response, start, int(getattr(usage, "prompt_tokens", 0) or 0),
                          int(getattr(usage, "completion_tokens", 0) or 0), getattr(choice, "finish_reason", None))
        content = getattr(message, "content", None) or getattr(choice, "text", None) or ""
        return content, list(getattr(message, "tool_calls", None) or []), meta

    def _meta(self, response: Any, start: float, input_tokens: int, output_tokens: int,
              finish_reason: str | None) -> dict[str, Any]:
        """The reply's meta, its cost charged (`response` None: a streamed reply, priced from its token counts)."""
        cost = self.price(response, input_tokens, output_tokens)
        self.cost += cost
        return {"cost": cost, "latency": time.monotonic() - start, "input_tokens": input_tokens,
                "output_tokens": output_tokens, "model": self.name, "protocol": self.protocol,
                "finish_reason": finish_reason}

    def price(self, response: Any, input_tokens: int, output_tokens: int) -> float:
        """Dollars for one response: `model.prices` if given, else litellm's table; unknown -> warn once, 0."""
        override = self.config.prices.get(self.name)
        if override is not None:
            return (input_tokens * override.input_per_million + output_tokens * override.output_per_million) / 1e6
        if self.self_hosted:
            return 0.0
        try:
            if response is None:  # a streamed reply: priced from its token counts
                prompt, completion = lazy.litellm().cost_per_token(model=self.name, prompt_tokens=input_tokens,
                                                                    completion_tokens=output_tokens)
                return float(prompt + completion)
            return float(lazy.litellm().completion_cost(completion_response=response, model=self.name) or 0.0)
        except Exception:  # litellm raises for models missing from its price table
            if self.name not in _warned_unpriced:
                _warned_unpriced.add(self.name)
                log.warning("litellm has no price for %s; its cost counts as 0 (set model.prices to fix).", self.name)
            return 0.0


def _one_action(text: str, tools: list[ToolSpec]) -> bool:
    """A stream predicate: the text holds a closed ```json block with a valid action."""
    if not text.rstrip().endswith("```") or not text_protocol.has_action(text):
        return False
    try:
        text_protocol.first_action(text, tools)
    except ValueError:
        return False
    return True
