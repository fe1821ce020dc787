"""`LitellmModel`: any provider through litellm, with native tool calls or the text/json protocol.

Provider failures go through resilience.py (retries, compaction on overflow, one-sentence
`ModelError`); replies are turned into tool calls by wire.py; the cost comes from litellm's price
table or from `model.prices`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from agent.config import ModelConfig
from agent.errors import UserError
from agent.models import lazy, text_protocol, wire
from agent.models.resilience import resilient_query
from agent.types import Message, ToolSpec

log = logging.getLogger(__name__)

_warned_unpriced: set[str] = set()
"""Models already warned about (one warning per model and process)."""


def resolve_protocol(config: ModelConfig, name: str) -> wire.WireProtocol:
    """The wire protocol: as configured, or for `auto` native tools when litellm says the model supports them."""
    if config.protocol != "auto":
        return config.protocol
    try:
        supported = lazy.litellm().supports_function_calling(model=name)
    except Exception:  # unknown models make some litellm versions raise instead of answering False
        supported = False
    return "tools" if supported else "text"


class LitellmModel:
    """A model reached through `litellm.completion`; satisfies the `Model` protocol."""

    def __init__(self, config: ModelConfig, *, sleep: Callable[[float], None] = time.sleep):
        if not config.name:
            raise UserError("No model name given: pass --model provider/name or set model.name.")
        self.config = config
        """The model section of the run's configuration."""
        self.name: str = config.name
        """litellm model id."""
        self.cost: float = 0.0
        """Dollars spent so far."""
        self.protocol: wire.WireProtocol = resolve_protocol(config, config.name)
        """The wire protocol in use (`tools`, `text` or `json`)."""
        self._sleep = sleep

    def query(self, messages: list[Message], tools: list[ToolSpec]) -> Message:
        """The model's next assistant message, with parsed tool calls and meta (cost, latency, tokens)."""
        return resilient_query(
            lambda history: self._call(history, tools), messages, model=self.name, retry=self.config.retry,
            keep_recent_turns=self.config.keep_recent_turns, sleep=self._sleep,
        )

    def request(self, messages: list[Message], tools: list[ToolSpec]) -> dict[str, Any]:
        """Keyword arguments for `litellm.completion` (litellm's own retries off: ours are in resilience.py)."""
        cfg = self.config
        kwargs: dict[str, Any] = {
            "model": self.name, "messages": wire.to_wire(messages, tools, self.protocol),
            "temperature": cfg.temperature, "timeout": cfg.timeout,
            "num_retries": 0, "max_retries": 0, "drop_params": True,
        }
        optional = {"top_p": cfg.top_p, "seed": cfg.seed, "max_tokens": cfg.max_output_tokens,
                    "api_base": cfg.api_base, "api_key": cfg.api_key}
        kwargs.update({key: value for key, value in optional.items() if value is not None})
        if self.protocol == "tools" and tools:
            kwargs["tools"] = [spec.openai_format() for spec in tools]
        elif self.protocol == "json" and tools:
            kwargs["response_format"] = text_protocol.response_format(tools)
        kwargs.update(cfg.extra_params)
        return kwargs

    def _call(self, messages: list[Message], tools: list[ToolSpec]) -> Message:
        kwargs = self.request(messages, tools)
        start = time.monotonic()
        response = lazy.litellm().completion(**kwargs)
        latency = time.monotonic() - start
        usage = getattr(response, "usage", None)
        input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        cost = self.price(response, input_tokens, output_tokens)
        self.cost += cost
        choice = response.choices[0] if response.choices else None
        message = getattr(choice, "message", None)
        meta = {"cost": cost, "latency": latency, "input_tokens": input_tokens, "output_tokens": output_tokens,
                "model": self.name, "protocol": self.protocol, "finish_reason": getattr(choice, "finish_reason", None)}
        content, raw_calls = getattr(message, "content", None) or "", getattr(message, "tool_calls", None) or []
        return wire.parse_reply(content, list(raw_calls), tools, self.protocol, meta)

    def price(self, response: Any, input_tokens: int, output_tokens: int) -> float:
        """Dollars for one response: `model.prices` if given, else litellm's table; unknown -> warn once, 0."""
        override = self.config.prices.get(self.name)
        if override is not None:
            return (input_tokens * override.input_per_million + output_tokens * override.output_per_million) / 1e6
        try:
            return float(lazy.litellm().completion_cost(completion_response=response, model=self.name) or 0.0)
        except Exception:  # litellm raises for models missing from its price table
            if self.name not in _warned_unpriced:
                _warned_unpriced.add(self.name)
                log.warning("litellm has no price for %s; its cost counts as 0 (set model.prices to fix).", self.name)
            return 0.0
