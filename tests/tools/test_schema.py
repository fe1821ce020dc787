"""Tool specs generated from signatures, and arguments checked against them."""

from __future__ import annotations

from typing import Literal

import pytest

from agent.config import AgentConfig
from tools.registry import make_tools
from tools.schema import check_arguments, signature_line, spec_from_function


def sample(
    ws, name: str, count: int, ratio: float = 0.5, flag: bool = False, tags: list[str] | None = None,
    mode: Literal["fast", "slow"] = "fast", note: str | None = None, *, secret_setting: int = 3,
) -> str:
    """Do a sample thing.

    A second paragraph,
    wrapped.

    Args:
        name: The name
            continued on the next line.
        count (int): How many.
        mode: Which way.

    Returns:
        Nothing useful.
    """
    return name


def test_spec_types_required_defaults_and_descriptions() -> None:
    spec = spec_from_function(sample)
    props = spec.parameters["properties"]
    assert spec.name == "sample"
    assert spec.description == "Do a sample thing.\n\nA second paragraph, wrapped."
    assert list(props) == ["name", "count", "ratio", "flag", "tags", "mode", "note"]
    assert props["name"] == {"type": "string", "description": "The name continued on the next line."}
    assert props["count"] == {"type": "integer", "description": "How many."}
    assert props["ratio"] == {"type": "number", "default": 0.5}
    assert props["flag"] == {"type": "boolean", "default": False}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    assert props["mode"] == {"type": "string", "enum": ["fast", "slow"], "default": "fast", "description": "Which way."}
    assert props["note"] == {"type": "string"}
    assert spec.parameters["required"] == ["name", "count"]
    assert spec.parameters["additionalProperties"] is False


def test_workspace_and_keyword_only_settings_are_not_in_the_schema() -> None:
    props = spec_from_function(sample).parameters["properties"]
    assert "ws" not in props and "secret_setting" not in props


def test_spec_name_override_and_openai_format() -> None:
    spec = spec_from_function(sample, name="other")
    assert spec.openai_format()["function"]["name"] == "other"
    assert spec.openai_format()["function"]["parameters"]["type"] == "object"


def test_unsupported_or_missing_annotations_are_refused() -> None:
    def no_hint(ws, x) -> str:  # noqa: ANN001
        return ""

    def bad_union(ws, x: int | str) -> str:  # noqa: ANN001
        return ""

    def bad_type(ws, x: dict) -> str:  # noqa: ANN001
        return ""

    for fn in (no_hint, bad_union, bad_type):
        with pytest.raises(TypeError):
            spec_from_function(fn)


def test_docstring_without_args_section() -> None:
    def bare(ws, x: int = 1) -> str:  # noqa: ANN001
        """Just a line."""
        return ""

    spec = spec_from_function(bare)
    assert spec.description == "Just a line." and spec.parameters["properties"] == {"x": {"type": "integer",
                                                                                          "default": 1}}


SCHEMA = spec_from_function(sample).parameters


def test_check_arguments_accepts_and_coerces_obvious_slips() -> None:
    args, problems = check_arguments(SCHEMA, {"name": 7, "count": "3", "ratio": "0.25", "flag": "true",
                                              "tags": "solo", "note": None})
    assert problems == []
    assert args == {"name": "7", "count": 3, "ratio": 0.25, "flag": True, "tags": ["solo"]}
    args, problems = check_arguments(SCHEMA, {"name": "x", "count": 4.0, "tags": '["a", "b"]'})
    assert problems == [] and args["count"] == 4 and args["tags"] == ["a", "b"]


def test_check_arguments_reports_every_problem() -> None:
    _, problems = check_arguments(SCHEMA, {"count": "many", "mode": "medium", "colour": "red", "flag": "perhaps"})
    text = "\n".join(problems)
    assert "unknown argument 'colour' (expected: name, count, ratio, flag, tags, mode, note)" in text
    assert "'count' must be an integer, got \"many\"" in text
    assert "'mode' must be one of \"fast\", \"slow\"" in text
    assert "'flag' must be a boolean" in text
    assert "missing required argument 'name'" in text


def test_booleans_are_not_integers_and_required_null_is_missing() -> None:
    _, problems = check_arguments(SCHEMA, {"name": None, "count": True})
    assert any("'name' must be a string, got null" in p for p in problems)
    assert any("'count' must be an integer, got true" in p for p in problems)


def test_signature_line() -> None:
    assert signature_line(spec_from_function(sample)).startswith("sample(name: string, count: integer, ratio?: number")


def test_every_builtin_tool_has_a_described_schema_without_settings() -> None:
    tools = make_tools(AgentConfig())
    for name, tool in tools.items():
        params = tool.spec.parameters
        assert tool.spec.name == name and tool.spec.description
        assert params["type"] == "object"
        for prop, schema in params["properties"].items():
            assert "description" in schema, f"{name}.{prop} has no description"
    leaked = {"max_results", "timeout", "engine", "window", "output_limit", "check_syntax", "max_timeout"}
    assert not leaked & set(tools["search"].spec.parameters["properties"]) - {"timeout"}
    assert "timeout" in tools["run"].spec.parameters["properties"]
    assert not leaked & set(tools["view"].spec.parameters["properties"])


def test_optional_without_default_is_required_and_other_item_types() -> None:
    def tool(ws, must: str | None, counts: list[int], level: Literal[1, 2] = 1) -> str:  # noqa: ANN001
        return ""

    params = spec_from_function(tool).parameters
    assert params["required"] == ["must", "counts"]
    assert params["properties"]["counts"] == {"type": "array", "items": {"type": "integer"}}
    assert params["properties"]["level"] == {"type": "integer", "enum": [1, 2], "default": 1}
    args, problems = check_arguments(params, {"must": "x", "counts": ["1", 2], "level": "2"})
    assert problems == [] and args == {"must": "x", "counts": [1, 2], "level": 2}
    _, problems = check_arguments(params, {"must": "x", "counts": ["one"], "level": 3})
    assert len(problems) == 2
