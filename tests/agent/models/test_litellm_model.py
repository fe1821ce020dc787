"""LitellmModel end to end through litellm over real HTTP, against the local fake OpenAI server."""

from __future__ import annotations

import json
import logging

import pytest

from agent.config import ModelConfig
from agent.models.litellm_model import LitellmModel
from agent.models.wire import observation_text
from core.errors import FormatError, ModelError
from core.model import Model, Sampling
from core.types import ToolCall
from tests.agent.models.support import TOOLS, history, opening
from tests.fakes.openai_server import (
    OpenAIServer,
    completion,
    context_length_exceeded,
    error,
    invalid_api_key,
    model_not_found,
    rate_limited,
    server_error,
    tool_call,
)

VIEW_CALL = tool_call("view", {"path": "calc.py"}, call_id="call_abc")
TEXT_ACTION = 'Let me look.\n```json\n{"tool": "view", "args": {"path": "calc.py"}}\n```'


def test_native_tool_call_round_trip(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(completion("Looking.", [VIEW_CALL], prompt_tokens=120, completion_tokens=7))
    model = LitellmModel(server_config(temperature=0.2, top_p=0.9, seed=7, max_output_tokens=256,
                                       extra_params={"stop": ["</done>"]}))
    assert isinstance(model, Model)
    reply = model.query(opening(), TOOLS)
    assert reply.role == "assistant" and reply.content == "Looking."
    assert reply.tool_calls == [ToolCall(id="call_abc", name="view", arguments={"path": "calc.py"})]
    assert reply.meta["input_tokens"] == 120 and reply.meta["output_tokens"] == 7
    assert reply.meta["latency"] >= 0 and reply.meta["protocol"] == "tools"
    request = openai_server.chat_requests[0]
    assert request.headers["authorization"] == "Bearer sk-test"
    body = request.body
    assert [t["function"]["name"] for t in body["tools"]] == ["view", "run", "submit"]
    assert body["model"] == "fake-model"
    assert (body["temperature"], body["top_p"], body["seed"], body["max_tokens"], body["stop"]) == (
        0.2, 0.9, 7, 256, ["</done>"])
    assert body["messages"] == [{"role": "system", "content": "You fix bugs."},
                                {"role": "user", "content": "Fix the bug in calc.py."}]


def test_a_rollouts_sampling_overrides_the_configured_one_for_its_calls(openai_server: OpenAIServer,
                                                                         server_config) -> None:
    openai_server.push(completion("Looking.", [VIEW_CALL]), completion("Again.", [VIEW_CALL]))
    model = LitellmModel(server_config(temperature=0.2, top_p=0.9, seed=7))
    model.query(opening(), TOOLS, sampling=Sampling(temperature=0.8, seed=12, rollout=3))
    model.query(opening(), TOOLS)
    first, second = (request.body for request in openai_server.chat_requests)
    assert (first["temperature"], first["top_p"], first["seed"]) == (0.8, 0.9, 12)  # top_p left to the config
    assert (second["temperature"], second["top_p"], second["seed"]) == (0.2, 0.9, 7)


def test_native_history_uses_tool_calls_and_tool_results(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(completion(None, [tool_call("submit", {})]))
    model = LitellmModel(server_config())
    reply = model.query(history(1), TOOLS)
    assert reply.tool_calls[0].name == "submit" and reply.tool_calls[0].id
    sent = openai_server.chat_requests[0].body["messages"]
    assert sent[2]["role"] == "assistant"
    assert sent[2]["tool_calls"][0]["id"] == "call_0"
    assert json.loads(sent[2]["tool_calls"][0]["function"]["arguments"]) == {"path": "f0.py"}
    assert sent[3] == {"role": "tool", "tool_call_id": "call_0", "content": "0:" + "x" * 48}


def test_tool_call_returned_as_json_content_is_accepted(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(completion('{"name": "view", "arguments": {"path": "calc.py"}}'))
    reply = LitellmModel(server_config()).query(opening(), TOOLS)
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [("view", {"path": "calc.py"})]
    assert reply.tool_calls[0].id.startswith("call_")


def test_native_reply_without_a_call_is_a_format_error(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(completion("I am done, I think."))
    with pytest.raises(FormatError) as info:
        LitellmModel(server_config()).query(opening(), TOOLS)
    reply, correction = info.value.messages
    assert reply.role == "assistant" and reply.content == "I am done, I think." and "cost" in reply.meta
    assert correction.role == "user" and "calls no tool" in correction.content
    assert "view, run, submit" in correction.content


def test_native_call_with_broken_arguments_is_a_format_error(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(completion(None, [tool_call("view", '{"path": ')]))
    with pytest.raises(FormatError, match="not valid JSON"):
        LitellmModel(server_config()).query(opening(), TOOLS)


def test_text_protocol_round_trip(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(completion(TEXT_ACTION))
    model = LitellmModel(server_config(protocol="text"))
    reply = model.query(history(1), TOOLS)
    assert reply.content == TEXT_ACTION
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [("view", {"path": "calc.py"})]
    body = openai_server.chat_requests[0].body
    assert "tools" not in body and "response_format" not in body
    system = body["messages"][0]
    assert system["role"] == "system" and system["content"].startswith("You fix bugs.")
    assert "## view" in system["content"] and "```json" in system["content"]
    assistant, observation = body["messages"][2], body["messages"][3]
    assert assistant["role"] == "assistant" and '"tool": "view"' in assistant["content"]
    assert observation == {"role": "user", "content": observation_text(history(1)[3])}
    assert observation["content"].startswith("Observation (view):")


def test_text_protocol_runs_the_first_of_several_actions(openai_server: OpenAIServer, server_config) -> None:
    plan = ('I will look, then test.\n```json\n{"tool": "view", "args": {"path": "calc.py"}}\n```\n'
            'Observation: def add(a, b): return a - b\n```json\n{"tool": "run", "args": {"command": "pytest"}}\n```')
    openai_server.push(completion(plan))
    reply = LitellmModel(server_config(protocol="text")).query(opening(), TOOLS)
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [("view", {"path": "calc.py"})]
    assert reply.content.endswith('"calc.py"}}\n```') and "Observation" not in reply.content
    assert reply.meta["dropped_actions"] == 1 and reply.meta["cut_text"].startswith("\nObservation: def add")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("I will view the file.", "no ```json block"),
        ('```json\n{"tool": "view", "args": {"path": }\n```', "not valid JSON"),
        ('```json\n{"tool": "delete_everything", "args": {}}\n```', "no tool named"),
        ('```json\n["view"]\n```', "must be a JSON object"),
    ],
)
def test_text_protocol_bad_replies(openai_server: OpenAIServer, server_config, content: str, problem: str) -> None:
    openai_server.push(completion(content))
    with pytest.raises(FormatError) as info:
        LitellmModel(server_config(protocol="text")).query(opening(), TOOLS)
    assert problem in info.value.text
    assert info.value.messages[0].content == content
    assert "exactly ONE action" in info.value.messages[1].content


def test_json_protocol_sends_a_schema_and_reads_a_bare_object(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(completion('{"tool": "run", "args": {"command": "pytest -q"}}'))
    reply = LitellmModel(server_config(protocol="json")).query(history(1), TOOLS)
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [("run", {"command": "pytest -q"})]
    body = openai_server.chat_requests[0].body
    schema = body["response_format"]["schema"]
    assert body["response_format"]["type"] == "json_object"
    assert [v["properties"]["tool"]["const"] for v in schema["oneOf"]] == ["view", "run", "submit"]
    assert schema["oneOf"][1]["properties"]["args"] == TOOLS[1].parameters
    assert json.loads(body["messages"][2]["content"]) == {"tool": "view", "args": {"path": "f0.py"}}


def test_auto_protocol_follows_litellm(server_config) -> None:
    assert LitellmModel(server_config(protocol="auto")).protocol == "text"
    assert LitellmModel(server_config(protocol="auto", name="openai/gpt-4o")).protocol == "tools"


def test_rate_limit_is_retried_honouring_retry_after(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(rate_limited(retry_after=7), completion(None, [VIEW_CALL]))
    waits: list[float] = []
    reply = LitellmModel(server_config(retry={"attempts": 3, "initial_wait": 0.5, "max_wait": 60}),
                         sleep=waits.append).query(opening(), TOOLS)
    assert reply.tool_calls[0].name == "view"
    assert len(openai_server.chat_requests) == 2
    assert waits == [7.0]


def test_server_errors_are_retried_with_backoff(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(server_error(500), server_error(503), completion(None, [VIEW_CALL]))
    waits: list[float] = []
    config = server_config(retry={"attempts": 4, "initial_wait": 0.5, "max_wait": 60})
    reply = LitellmModel(config, sleep=waits.append).query(opening(), TOOLS)
    assert reply.tool_calls and len(openai_server.chat_requests) == 3
    assert waits == [0.5, 1.0]


def test_timeout_is_retried(openai_server: OpenAIServer, server_config) -> None:
    slow = completion("too late")
    slow.delay = 5
    openai_server.push(slow, completion(None, [VIEW_CALL]))
    reply = LitellmModel(server_config(timeout=0.3)).query(opening(), TOOLS)
    assert reply.tool_calls[0].name == "view" and len(openai_server.chat_requests) == 2


def test_retries_run_out_into_a_model_error(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(server_error(502), server_error(502), server_error(502))
    with pytest.raises(ModelError, match="kept failing for openai/fake-model after 3 attempts"):
        LitellmModel(server_config()).query(opening(), TOOLS)
    assert len(openai_server.chat_requests) == 3


def test_bad_api_key_is_not_retried(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(invalid_api_key(), completion(None, [VIEW_CALL]))
    with pytest.raises(ModelError) as info:
        LitellmModel(server_config()).query(opening(), TOOLS)
    assert len(openai_server.chat_requests) == 1
    assert info.value.text == ("The provider rejected the API key for openai/fake-model (401): "
                               "set OPENAI_API_KEY (or model.api_key) to a valid key.")


def test_unknown_model_is_not_retried(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(model_not_found("fake-model"))
    with pytest.raises(ModelError, match=r"does not know the model openai/fake-model \(404\)"):
        LitellmModel(server_config()).query(opening(), TOOLS)
    assert len(openai_server.chat_requests) == 1


def test_context_overflow_compacts_old_observations_and_retries(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(context_length_exceeded(), completion(None, [VIEW_CALL]))
    messages = history(5, output_chars=3000)
    reply = LitellmModel(server_config(keep_recent_turns=2)).query(messages, TOOLS)
    assert reply.tool_calls and reply.meta["compacted"] is True
    first, second = (r.body["messages"] for r in openai_server.chat_requests)
    tool_contents = [m["content"] for m in second if m["role"] == "tool"]
    assert tool_contents[:3] == ["[output of view elided: 3000 chars]"] * 3
    assert [len(c) for c in tool_contents[3:]] == [3000, 3000]
    assert all(len(m["content"]) == 3000 for m in first if m["role"] == "tool")
    assert second[:2] == first[:2]
    assert messages[3].meta["elided"]["chars"] == 3000 and messages[3].meta["elided"]["original"].startswith("0:")


def test_second_overflow_is_a_model_error(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(context_length_exceeded(), context_length_exceeded())
    with pytest.raises(ModelError, match="no longer fits the context window of openai/fake-model"):
        LitellmModel(server_config(keep_recent_turns=1)).query(history(3, 500), TOOLS)
    assert len(openai_server.chat_requests) == 2


def test_overflow_with_nothing_to_elide_fails_at_once(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(context_length_exceeded())
    with pytest.raises(ModelError, match="context window"):
        LitellmModel(server_config()).query(opening(), TOOLS)
    assert len(openai_server.chat_requests) == 1


def test_cost_from_a_prices_override_accumulates(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(*[completion(None, [VIEW_CALL], prompt_tokens=1000, completion_tokens=200)] * 2)
    prices = {"openai/fake-model": {"input_per_million": 2.0, "output_per_million": 10.0}}
    model = LitellmModel(server_config(prices=prices))
    first = model.query(opening(), TOOLS)
    model.query(opening(), TOOLS)
    assert first.meta["cost"] == pytest.approx(0.004)
    assert model.cost == pytest.approx(0.008)


def test_self_hosted_model_costs_nothing_without_a_warning(openai_server: OpenAIServer, server_config,
                                                           caplog) -> None:
    openai_server.push(*[completion(None, [VIEW_CALL])] * 2)
    model = LitellmModel(server_config(name="openai/unpriced-model-for-warning-test"))
    with caplog.at_level(logging.WARNING, logger="agent.models.litellm_model"):
        model.query(opening(), TOOLS)
        model.query(opening(), TOOLS)
    assert model.self_hosted and model.cost == 0.0
    assert not [r for r in caplog.records if "no price" in r.message]


def test_unknown_price_of_a_hosted_model_warns_once_and_costs_nothing(caplog) -> None:
    import litellm

    model = LitellmModel(ModelConfig(name="openai/unpriced-hosted-model-for-warning-test"))
    response = litellm.ModelResponse(model="unpriced-hosted-model-for-warning-test")
    assert not model.self_hosted
    with caplog.at_level(logging.WARNING, logger="agent.models.litellm_model"):
        assert model.price(response, 100, 10) == 0.0
        assert model.price(response, 100, 10) == 0.0
    warnings = [r for r in caplog.records if "no price for openai/unpriced-hosted-model-for-warning-test" in r.message]
    assert len(warnings) == 1


def test_known_price_comes_from_litellm(openai_server: OpenAIServer, server_config) -> None:
    import litellm

    openai_server.push(completion(None, [VIEW_CALL], prompt_tokens=1000, completion_tokens=100))
    model = LitellmModel(server_config(name="openai/gpt-4o"))
    model.query(opening(), TOOLS)
    price = litellm.model_cost["gpt-4o"]
    assert model.cost == pytest.approx(1000 * price["input_cost_per_token"] + 100 * price["output_cost_per_token"])


def test_other_bad_requests_are_not_retried_and_quote_the_provider(openai_server: OpenAIServer, server_config) -> None:
    openai_server.push(error(400, "Invalid value for 'temperature': must be at most 2.", type="invalid_request_error",
                             param="temperature", code="invalid_value"))
    with pytest.raises(ModelError) as info:
        LitellmModel(server_config()).query(opening(), TOOLS)
    assert len(openai_server.chat_requests) == 1
    assert info.value.text.startswith("The provider rejected the request to openai/fake-model (400): ")
    assert "Invalid value for 'temperature'" in info.value.text and "\n" not in info.value.text


def test_a_cut_off_reply_is_told_so(openai_server: OpenAIServer, server_config) -> None:
    cut_off = '```json\n{"tool": "run", "args": {"command": "python -c \'print(1'
    openai_server.push(completion(cut_off, finish_reason="length"))
    with pytest.raises(FormatError, match="cut off at the output token limit"):
        LitellmModel(server_config(protocol="text")).query(opening(), TOOLS)
