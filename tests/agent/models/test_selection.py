"""Model selection: precedence, provider keys, unknown models; and make_model for litellm."""

from __future__ import annotations

import pytest

from agent.config import ModelConfig
from agent.models.litellm_model import LitellmModel
from agent.models.registry import make_model
from agent.models.selection import DEFAULT_MODELS, resolve_model_name
from core.errors import UserError

KEYS = {"OPENAI_API_KEY": "sk-o", "ANTHROPIC_API_KEY": "sk-a"}


def test_cli_beats_config_beats_env_beats_keys() -> None:
    env = {**KEYS, "AGENT_MODEL": "openai/gpt-4o-mini"}
    config = ModelConfig(name="anthropic/claude-sonnet-4-5")
    assert resolve_model_name("openai/gpt-4o", config, env) == "openai/gpt-4o"
    assert resolve_model_name(None, config, env) == "anthropic/claude-sonnet-4-5"
    assert resolve_model_name(None, ModelConfig(), env) == "openai/gpt-4o-mini"
    assert resolve_model_name(None, ModelConfig(), KEYS) == DEFAULT_MODELS[0][1]


@pytest.mark.parametrize(("variable", "model"), DEFAULT_MODELS)
def test_each_provider_key_picks_its_model(variable: str, model: str) -> None:
    assert resolve_model_name(None, ModelConfig(), {variable: "key"}) == model


def test_first_key_in_preference_order_wins() -> None:
    env = {"DEEPSEEK_API_KEY": "d", "OPENAI_API_KEY": "o"}
    assert resolve_model_name(None, ModelConfig(), env) == "openai/gpt-5.5"


def test_empty_values_count_as_unset() -> None:
    env = {"AGENT_MODEL": " ", "ANTHROPIC_API_KEY": "", "MISTRAL_API_KEY": "m"}
    assert resolve_model_name(None, ModelConfig(), env) == "mistral/devstral-medium-latest"


def test_nothing_set_says_what_to_set() -> None:
    with pytest.raises(UserError) as info:
        resolve_model_name(None, ModelConfig(), {})
    assert str(info.value) == ("No model chosen: set ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY (or another "
                               "provider's key), or pass --model provider/name.")


def test_unknown_model_is_named() -> None:
    with pytest.raises(UserError, match="Unknown model 'nonsense-model': write it as provider/model"):
        resolve_model_name("nonsense-model", ModelConfig(), KEYS)


def test_missing_provider_key_names_the_variable() -> None:
    with pytest.raises(UserError) as info:
        resolve_model_name("anthropic/claude-sonnet-4-5", ModelConfig(), {"OPENAI_API_KEY": "o"})
    assert str(info.value) == ("The model anthropic/claude-sonnet-4-5 needs ANTHROPIC_API_KEY: set it, "
                               "or pick another model with --model.")


def test_bare_names_are_checked_through_their_provider() -> None:
    with pytest.raises(UserError, match="needs OPENAI_API_KEY"):
        resolve_model_name("gpt-4o", ModelConfig(), {})


def test_alternative_key_variables_and_explicit_endpoints_satisfy_the_check() -> None:
    assert resolve_model_name("gemini/gemini-2.5-pro", ModelConfig(), {"GOOGLE_API_KEY": "g"})
    local = ModelConfig(api_base="http://127.0.0.1:8765/v1")
    assert resolve_model_name("openai/local", local, {}) == "openai/local"
    assert resolve_model_name("anthropic/claude-sonnet-4-5", ModelConfig(api_key="sk"), {})


def test_providers_we_do_not_know_keys_for_are_not_checked() -> None:
    assert resolve_model_name("ollama/qwen2.5-coder", ModelConfig(), {}) == "ollama/qwen2.5-coder"


def test_make_model_builds_a_litellm_model_with_the_resolved_name(monkeypatch, openai_server) -> None:
    monkeypatch.setenv("AGENT_MODEL", "openai/local")
    model = make_model(ModelConfig(api_base=openai_server.base_url, protocol="json"))
    assert isinstance(model, LitellmModel) and model.name == "openai/local" and model.protocol == "json"
    other = make_model(ModelConfig(api_base=openai_server.base_url, protocol="text"), cli_model="openai/other")
    assert other.name == "openai/other"


def test_make_model_reports_selection_problems(monkeypatch) -> None:
    for variable, _ in DEFAULT_MODELS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("AGENT_MODEL", raising=False)
    with pytest.raises(UserError, match="No model chosen"):
        make_model(ModelConfig())
