"""Config loading: shipped defaults, files and key=value overrides, validation in one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import AgentConfig, deep_merge, load_config, parse_override
from core.errors import UserError


def test_defaults_load_and_validate() -> None:
    config = load_config()
    assert isinstance(config, AgentConfig)
    assert config.limits.steps > 0 and config.limits.command_timeout > 0
    assert "submit" in config.tools.enabled


def test_overrides_apply_in_order_and_parse_yaml_values(tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text("limits: {steps: 7, cost: 1.5}\nmodel: {temperature: 0.3}\n")
    config = load_config([str(file), "limits.steps=9", "model.name=openai/gpt-x", "tools.enabled=[view, submit]"])
    assert config.limits.steps == 9
    assert config.limits.cost == 1.5
    assert config.model.temperature == 0.3
    assert config.model.name == "openai/gpt-x"
    assert config.tools.enabled == ["view", "submit"]


def test_workspace_type_selects_the_section_class() -> None:
    config = load_config(["workspace.type=docker", "workspace.network=bridge"])
    assert config.workspace.type == "docker"
    assert config.workspace.network == "bridge"


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        (["limits.steps=0"], "limits.steps"),
        (["limits.stepz=3"], "limits.stepz"),
        (["model.protocol=smoke-signals"], "model.protocol"),
        (["nonexistent.yaml"], "does not exist"),
        (["=3"], "key.sub=value"),
    ],
)
def test_bad_config_is_one_sentence(sources: list[str], message: str) -> None:
    with pytest.raises(UserError, match=message.replace(".", r"\.")) as info:
        load_config(sources)
    assert "\n" not in str(info.value)


def test_bad_yaml_file_is_reported(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("limits: [unclosed\n")
    with pytest.raises(UserError, match="not valid YAML"):
        load_config([str(file)])


def test_parse_override_and_deep_merge() -> None:
    assert parse_override("a.b.c=3") == {"a": {"b": {"c": 3}}}
    assert parse_override("a=hello world") == {"a": "hello world"}
    merged = deep_merge({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}})
    assert merged == {"a": {"x": 1, "y": 3}, "b": 1}
