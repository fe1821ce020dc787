"""What an OpenAI-compatible server at `model.api_base` can do, asked once per server and model: one tiny request
per `response_format` shape (text_protocol.SchemaStyle), with a schema whose only valid answer no model would
write unasked; the shape that comes back valid is the one the server enforces."""

from __future__ import annotations

import json
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

from agent.config import ModelConfig
from agent.models import lazy
from agent.models.resilience import describe_failure, error_kind, unreachable_reason
from agent.models.text_protocol import SchemaStyle, schema_format
from core.errors import ModelError

PROBE_SCHEMA = {"type": "object", "properties": {"probe": {"type": "string", "enum": ["q7x-schema-ok"]}},
                "required": ["probe"]}
"""A schema with exactly one valid instance, `{"probe": "q7x-schema-ok"}`."""
PROBE_STYLES: tuple[SchemaStyle, ...] = ("json_schema", "json_object")
"""Shapes tried, in order."""

_cache: dict[tuple[str, str], SchemaStyle | None] = {}
_lock = threading.Lock()


def check_reachable(api_base: str, timeout: float = 3.0) -> None:
    """ModelError at once when nothing listens at `api_base` or its host is unknown (before litellm is imported,
    which takes seconds); a slow or filtered address is left to the real call."""
    parts = urlsplit(api_base)
    if not parts.hostname:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as exc:
        if unreachable_reason(exc):
            raise ModelError(describe_failure(exc, "", 1, api_base)) from None


def is_local_server(config: ModelConfig, name: str) -> bool:
    """True for a model reached through `api_base` that litellm has no record of (a self-hosted model)."""
    if not config.api_base:
        return False
    try:
        lazy.litellm().get_model_info(name)
    except Exception:  # litellm raises for models missing from its table
        return True
    return False


def schema_style(config: ModelConfig, name: str) -> SchemaStyle | None:
    """The `response_format` shape the server enforces as a grammar, or None; ModelError when it is unreachable."""
    key = (config.api_base or "", name)
    with _lock:
        if key in _cache:
            return _cache[key]
        style = next((s for s in PROBE_STYLES if _enforces(config, name, s)), None)
        _cache[key] = style
        return style


def _enforces(config: ModelConfig, name: str, style: SchemaStyle) -> bool:
    kwargs: dict[str, Any] = {
        "model": name, "api_base": config.api_base, "api_key": config.api_key or "none",
        "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 24, "temperature": 0.0,
        "response_format": schema_format(PROBE_SCHEMA, style), "timeout": config.timeout,
        "num_retries": 0, "max_retries": 0,
    }
    try:
        response = lazy.litellm().completion(**kwargs)
    except Exception as exc:
        if error_kind(exc) == "unreachable":
            raise ModelError(describe_failure(exc, name, 1, config.api_base)) from exc
        return False  # the server refused the shape (400/422) or failed on it: not this one
    content = (response.choices[0].message.content or "") if response.choices else ""
    try:
        return json.loads(content) == {"probe": "q7x-schema-ok"}
    except ValueError:
        return False


def known_style(config: ModelConfig, name: str) -> SchemaStyle | None:
    """The shape a probe already found for this server and model (None when it found none or never asked)."""
    with _lock:
        return _cache.get((config.api_base or "", name))
