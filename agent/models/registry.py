"""`make_model`: the model named by the config's `type`, from a string registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agent.config import ModelConfig, PriceConfig
from core.model import Model


def _litellm(config: ModelConfig, cli_model: str | None) -> Model:
    from agent.models.litellm_model import LitellmModel
    from agent.models.probe import check_reachable
    from agent.models.selection import gguf_file, resolve_model_name

    if config.api_base:
        check_reachable(config.api_base)  # before litellm's import, which takes seconds
    name = resolve_model_name(cli_model, config)
    path = gguf_file(name)
    return LitellmModel(config.model_copy(update={"name": name}) if path is None else local_model_config(config, path))


def local_model_config(config: ModelConfig, path: Path) -> ModelConfig:
    """`config` aimed at the llama.cpp server for GGUF `path`: name `openai/<file stem>`, `api_base` its URL, a
    placeholder key unless one is set, and a zero price so cost stays 0 without a warning."""
    from agent.models import local_server

    server = local_server.serve(path, config.local)
    prices = {server.model_name: PriceConfig(input_per_million=0, output_per_million=0), **config.prices}
    return config.model_copy(update={"name": server.model_name, "api_base": server.base_url,
                                     "api_key": config.api_key or "local", "prices": prices})


def _scripted(config: ModelConfig, cli_model: str | None) -> Model:
    from agent.models.scripted import ScriptedModel

    return ScriptedModel.from_config(config)


MODEL_TYPES: dict[str, Callable[[ModelConfig, str | None], Model]] = {"litellm": _litellm, "scripted": _scripted}
"""`model.type` -> factory taking the model config and the `--model` value (ignored by `scripted`); a litellm name
`gguf:PATH` starts (or reuses) a local llama.cpp server for that file."""


def make_model(config: ModelConfig, cli_model: str | None = None) -> Model:
    """The model for `config` (`--model`, `gguf:PATH` too, overrides a litellm model's name); UserError if unusable.
    `model.type` is one of MODEL_TYPES' keys: the config's literal checked it."""
    return MODEL_TYPES[config.type](config, cli_model)
