"""ScriptedModel: actions from YAML/JSON files, and each fault directive through the shared failure path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.config import ModelConfig, RetryConfig
from agent.models.registry import make_model
from agent.models.scripted import ScriptedModel, make_exception
from core.errors import FormatError, ModelError, ScriptExhausted, UserError
from core.model import Model, Sampling
from tests.agent.models.support import FAST_RETRY, TOOLS, history, opening

SCRIPT_YAML = """\
- thought: Look at the code first.
  tool: view
  args: {path: calc.py}
  cost: 0.25
- calls:
    - {tool: run, args: {command: pytest -q}}
    - {tool: view, args: {path: test_calc.py}}
  cost: 0.5
- tool: submit
"""


def scripted(actions: list, **kwargs) -> ScriptedModel:
    """A ScriptedModel over inline actions, with fast retries and recorded waits."""
    return ScriptedModel(actions, retry=kwargs.pop("retry", FAST_RETRY), **kwargs)


def test_replays_a_yaml_script_with_costs(tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(SCRIPT_YAML)
    model = ScriptedModel(path)
    assert isinstance(model, Model)
    first = model.query(opening(), TOOLS)
    assert first.content == "Look at the code first."
    assert [(c.name, c.arguments) for c in first.tool_calls] == [("view", {"path": "calc.py"})]
    assert first.meta["cost"] == 0.25
    second = model.query(opening(), TOOLS)
    assert [c.name for c in second.tool_calls] == ["run", "view"]
    assert len({c.id for c in first.tool_calls + second.tool_calls}) == 3
    assert model.query(opening(), TOOLS).tool_calls[0].name == "submit"
    assert model.cost == pytest.approx(0.75)
    with pytest.raises(ScriptExhausted, match="ran out of actions after 3 steps"):
        model.query(opening(), TOOLS)


def test_reads_json_scripts_and_actions_mappings(tmp_path: Path) -> None:
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"actions": [{"tool": "run", "args": {"command": "ls"}}]}))
    reply = ScriptedModel(path).query(opening(), TOOLS)
    assert reply.tool_calls[0].arguments == {"command": "ls"}


def test_transient_raise_is_retried_and_consumes_the_next_action() -> None:
    waits: list[float] = []
    model = scripted([{"raise": "RateLimitError"}, {"raise": "Timeout"}, {"tool": "submit"}], sleep=waits.append)
    reply = model.query(opening(), TOOLS)
    assert reply.tool_calls[0].name == "submit"
    assert model.steps == 3 and len(waits) == 2


def test_retry_after_hint_is_honoured() -> None:
    waits: list[float] = []
    retry = RetryConfig(attempts=3, initial_wait=0.5, max_wait=60)
    model = scripted([{"raise": "RateLimitError", "retry_after": 5}, {"raise": "InternalServerError"},
                      {"tool": "submit"}], retry=retry, sleep=waits.append)
    model.query(opening(), TOOLS)
    assert waits == [5.0, 1.0]


def test_transient_errors_that_persist_end_in_a_model_error() -> None:
    model = scripted([{"raise": "ServiceUnavailableError", "repeat": "forever"}], sleep=lambda _s: None)
    with pytest.raises(ModelError, match="kept failing for scripted after 3 attempts"):
        model.query(opening(), TOOLS)
    assert model.steps == 3


@pytest.mark.parametrize(
    ("error", "text"),
    [
        ("AuthenticationError", "rejected the API key for scripted (401)"),
        ("BadRequestError", "rejected the request to scripted (400): scripted failure"),
        ("NotFoundError", "does not know the model scripted (404)"),
        ("PermissionDeniedError", "denied access to scripted (403)"),
    ],
)
def test_fatal_raise_is_not_retried(error: str, text: str) -> None:
    model = scripted([{"raise": error}, {"tool": "submit"}])
    with pytest.raises(ModelError, match=text.replace("(", r"\(").replace(")", r"\)")):
        model.query(opening(), TOOLS)
    assert model.steps == 1


def test_context_overflow_compacts_the_history_then_replies() -> None:
    messages = history(4, output_chars=800)
    model = scripted([{"raise": "ContextWindowExceededError"}, {"tool": "submit"}], keep_recent_turns=1)
    reply = model.query(messages, TOOLS)
    assert reply.tool_calls[0].name == "submit" and reply.meta["compacted"] is True
    outputs = [m.content for m in messages if m.role == "tool"]
    assert outputs[:3] == ["[output of view elided: 800 chars]"] * 3 and len(outputs[3]) == 800


def test_second_overflow_is_a_model_error() -> None:
    model = scripted([{"raise": "ContextWindowExceededError", "repeat": 2}, {"tool": "submit"}])
    with pytest.raises(ModelError, match="context window"):
        model.query(history(6, 800), TOOLS)
    assert model.steps == 2


def test_malformed_reply_is_a_format_error_showing_the_reply() -> None:
    model = scripted([{"malformed": "I will run the tests now.", "cost": 0.1}])
    with pytest.raises(FormatError) as info:
        model.query(opening(), TOOLS)
    reply, correction = info.value.messages
    assert reply.role == "assistant" and reply.content == "I will run the tests now." and reply.meta["cost"] == 0.1
    assert "no ```json block" in correction.content and "exactly ONE action" in correction.content
    assert model.cost == 0.1


def test_thought_without_a_call_and_unknown_tools_are_format_errors() -> None:
    model = scripted([{"thought": "Hmm."}, {"tool": "rm_rf", "args": {}}])
    with pytest.raises(FormatError, match="calls no tool"):
        model.query(opening(), TOOLS)
    with pytest.raises(FormatError, match="no tool named 'rm_rf'"):
        model.query(opening(), TOOLS)


def test_repeat_counts_and_forever() -> None:
    model = scripted([{"tool": "run", "args": {"command": "ls"}, "repeat": 3}, {"tool": "submit"}])
    names = [model.query(opening(), TOOLS).tool_calls[0].name for _ in range(4)]
    assert names == ["run", "run", "run", "submit"]
    never_submits = scripted([{"tool": "view", "args": {"path": "a.py"}, "repeat": "forever"}])
    assert all(never_submits.query(opening(), TOOLS).tool_calls[0].name == "view" for _ in range(200))


def test_sleep_directive_waits_before_replying() -> None:
    reply = scripted([{"sleep": 0.01, "tool": "submit"}]).query(opening(), TOOLS)
    assert reply.meta["latency"] == 0.01 and reply.tool_calls[0].name == "submit"


@pytest.mark.parametrize(
    ("actions", "problem"),
    [
        ([{"tool": "view", "raise": "Timeout"}], "one of tool, calls, raise, malformed"),
        ([{"tool": "view", "bogus": 1}], "bogus"),
        ([{"raise": "NoSuchError"}], "'NoSuchError', which is not a litellm exception"),
        ([{"tool": "view", "repeat": 0}], "repeat must be at least 1"),
        ({"steps": []}, "must be a list of actions"),
    ],
)
def test_invalid_scripts_are_user_errors(actions, problem: str) -> None:
    with pytest.raises(UserError, match=problem):
        ScriptedModel(actions)


def test_unreadable_and_unparsable_script_files(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="could not be read"):
        ScriptedModel(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- tool: [unclosed\n")
    with pytest.raises(UserError, match="is not valid YAML"):
        ScriptedModel(bad)


def test_selectable_from_config(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(SCRIPT_YAML)
    model = make_model(ModelConfig(type="scripted", script=path, retry=FAST_RETRY))
    assert isinstance(model, ScriptedModel) and model.name == "scripted:demo.yaml"
    assert model.query(opening(), TOOLS).tool_calls[0].name == "view"
    with pytest.raises(UserError, match="model.script is not set"):
        make_model(ModelConfig(type="scripted"))


def test_made_exceptions_are_real_litellm_exceptions() -> None:
    import litellm

    exc = make_exception("RateLimitError", "slow down", "scripted", retry_after=3)
    assert isinstance(exc, litellm.RateLimitError) and exc.status_code == 429
    assert exc.litellm_response_headers["retry-after"] == "3"
    assert isinstance(make_exception("ContextWindowExceededError", "too long", "m"), litellm.BadRequestError)
    assert make_exception("APIError", "boom", "m").status_code == 500


def test_with_several_scripts_each_rollout_replays_its_own_from_where_it_left_off(tmp_path: Path) -> None:
    paths = []
    for name, command in (("a.json", "echo a"), ("b.json", "echo b")):
        paths.append(tmp_path / name)
        paths[-1].write_text(json.dumps([{"tool": "run", "args": {"command": f"{command}{n}"}} for n in (1, 2)]))
    model = make_model(ModelConfig(type="scripted", scripts=paths))

    def command(rollout: int) -> str:
        return model.query(opening(), TOOLS, sampling=Sampling(rollout=rollout)).tool_calls[0].arguments["command"]

    assert [command(0), command(1), command(0), command(2), command(1)] == ["echo a1", "echo b1", "echo a2",
                                                                             "echo a1", "echo b2"]
