"""Which model answers: `--model` > config `model.name` > `AGENT_MODEL` > the first provider whose key is set.
Checked before the run (known provider, its key set, or a `gguf:PATH` file that exists); failures are one sentence."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from agent.config import ModelConfig
from agent.models import lazy
from core.errors import UserError

DEFAULT_MODELS: list[tuple[str, str]] = [
    ("ANTHROPIC_API_KEY", "anthropic/claude-sonnet-4-6"),
    ("OPENAI_API_KEY", "openai/gpt-5.5"),
    ("GEMINI_API_KEY", "gemini/gemini-2.5-pro"),
    ("MISTRAL_API_KEY", "mistral/devstral-medium-latest"),
    ("DEEPSEEK_API_KEY", "deepseek/deepseek-chat"),
    ("OPENROUTER_API_KEY", "openrouter/anthropic/claude-sonnet-4.5"),
    ("XAI_API_KEY", "xai/grok-4.20"),
    ("GROQ_API_KEY", "groq/openai/gpt-oss-120b"),
]
"""In order of preference: an API key variable and the model picked when it is the first one set."""

PROVIDER_KEYS: dict[str, tuple[str, ...]] = {model.split("/")[0]: (variable,) for variable, model in DEFAULT_MODELS}
PROVIDER_KEYS["gemini"] += ("GOOGLE_API_KEY",)
"""litellm provider -> the environment variables that can hold its key (the first is the one we name)."""

ENV_MODEL = "AGENT_MODEL"
"""Environment variable naming the model when neither `--model` nor the config does."""

GGUF_PREFIX = "gguf:"
"""A model name `gguf:PATH` names a local GGUF file that a llama.cpp server started by repo-agent serves."""


def gguf_file(name: str) -> Path | None:
    """The file a `gguf:PATH` model name points to (`~` expanded, not checked); None for any other name."""
    if not name.startswith(GGUF_PREFIX):
        return None
    raw = name[len(GGUF_PREFIX):].strip()
    if not raw:
        raise UserError("gguf: needs the path of a GGUF file after it, e.g. --model gguf:models/qwen.gguf.")
    return Path(raw).expanduser()


def key_variable(provider: str | None) -> str | None:
    """The environment variable that holds `provider`'s API key, if we know it."""
    return PROVIDER_KEYS.get(provider or "", (None,))[0]


def pick_model_name(cli_model: str | None, config: ModelConfig, env: Mapping[str, str]) -> str:
    """The model name by precedence, without checking it; UserError when nothing names one."""
    for candidate in (cli_model, config.name, env.get(ENV_MODEL)):
        if candidate and candidate.strip():
            return candidate.strip()
    for variable, model in DEFAULT_MODELS:
        if env.get(variable):
            return model
    keys = ", ".join(variable for variable, _ in DEFAULT_MODELS[:3])
    raise UserError(f"No model chosen: set {keys} (or another provider's key), or pass --model provider/name.")


def provider_of(name: str, config: ModelConfig) -> str:
    """litellm's provider for `name`; UserError naming the model when litellm cannot tell."""
    try:
        return lazy.litellm().get_llm_provider(name, api_base=config.api_base)[1]
    except Exception as exc:  # litellm raises BadRequestError, but be safe with any failure
        raise UserError(
            f"Unknown model {name!r}: write it as provider/model, e.g. anthropic/claude-sonnet-4-6, "
            "or openai/<name> with model.api_base for an OpenAI-compatible server."
        ) from exc


def check_key(name: str, provider: str, config: ModelConfig, env: Mapping[str, str]) -> None:
    """UserError when `provider` needs an API key that the environment does not hold."""
    if config.api_base or config.api_key:
        return
    variables = PROVIDER_KEYS.get(provider)
    if variables and not any(env.get(v) for v in variables):
        raise UserError(f"The model {name} needs {variables[0]}: set it, or pick another model with --model.")


def resolve_model_name(cli_model: str | None, config: ModelConfig, env: Mapping[str, str] | None = None) -> str:
    """The model name to use (precedence: see the module docstring), checked to be usable."""
    env = os.environ if env is None else env
    name = pick_model_name(cli_model, config, env)
    path = gguf_file(name)
    if path is not None:
        from agent.models.local_server import check_model_file

        check_model_file(path)
        return name
    check_key(name, provider_of(name, config), config, env)
    return name
