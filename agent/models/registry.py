"""`make_model`: the model named by the config's `type`, from a string registry."""

from __future__ import annotations

from collections.abc import Callable

from agent.config import ModelConfig
from agent.errors import UserError
from agent.models.base import Model


def _litellm(config: ModelConfig, cli_model: str | None) -> Model:
    from agent.models.litellm_model import LitellmModel
    from agent.models.selection import resolve_model_name

    name = resolve_model_name(cli_model, config)
    return LitellmModel(config.model_copy(update={"name": name}))


def _scripted(config: ModelConfig, cli_model: str | None) -> Model:
    from agent.models.scripted import ScriptedModel

    return ScriptedModel.from_config(config)


MODEL_TYPES: dict[str, Callable[[ModelConfig, str | None], Model]] = {"litellm": _litellm, "scripted": _scripted}
"""`model.type` -> factory taking the model config and the `--model` value (ignored by `scripted`)."""


def make_model(config: ModelConfig, cli_model: str | None = None) -> Model:
    """The model for `config` (`--model` overrides the name of a litellm model); UserError when unusable."""
    factory = MODEL_TYPES.get(config.type)
    if factory is None:
        raise UserError(f"Unknown model.type {config.type!r}: use one of {', '.join(MODEL_TYPES)}.")
    return factory(config, cli_model)
