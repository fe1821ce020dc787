"""Fixtures for the model tests: the fake OpenAI server and configs aimed at it."""

from __future__ import annotations

import pytest

from agent.config import ModelConfig
from tests.agent.models.support import FAST_RETRY
from tests.fakes.openai_server import OpenAIServer, openai_server  # noqa: F401 - fixture re-exported


@pytest.fixture
def server_config(openai_server: OpenAIServer):  # noqa: F811 - uses the re-exported fixture
    """Factory: a ModelConfig aimed at the fake server (fast retries), with overrides."""

    def make(**overrides) -> ModelConfig:
        data = {"name": "openai/fake-model", "api_base": openai_server.base_url, "api_key": "sk-test",
                "retry": FAST_RETRY, "protocol": "tools", **overrides}
        return ModelConfig(**data)

    return make
