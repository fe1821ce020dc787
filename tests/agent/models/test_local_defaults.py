"""Self-hosted models behind `api_base`: schema probing, streamed replies cut after one action, output budget,
escalation to constrained actions, the run's deadline, and an unreachable server — over real HTTP."""

from __future__ import annotations

import json
import socket
import time

import pytest

from agent.config import ModelConfig
from agent.models import probe
from agent.models.litellm_model import LOCAL_OUTPUT_TOKENS, LitellmModel
from core.errors import FormatError, ModelError, TimeLimitExceeded
from core.model import Sampling
from tests.agent.models.support import FAST_RETRY, TOOLS, opening
from tests.fakes.openai_server import OpenAIServer, Reply, completion, server_error

PLAN = ('First I look.\n```json\n{"tool": "view", "args": {"path": "calc.py"}}\n```\n'
        'Observation: def add(a, b): return a - b\n```json\n{"tool": "submit", "args": {}}\n```')
ACTION = json.dumps({"thought": "look first", "tool": "view", "args": {"path": "calc.py"}})


def local(server: OpenAIServer, **overrides) -> ModelConfig:
    return ModelConfig(**{"name": "openai/local-test-model", "api_base": server.base_url, "retry": FAST_RETRY,
                          **overrides})


@pytest.fixture(autouse=True)
def fresh_probe(monkeypatch):
    monkeypatch.setattr(probe, "_cache", {})  # servers with other abilities reuse ports


@pytest.mark.parametrize(("support", "style"), [("json_object", "json_object"), ("json_schema", "json_schema"),
                                                ("both", "json_schema"), ("none", None), ("ignore", None)])
def test_auto_finds_the_schema_shape_the_server_enforces(support, style) -> None:
    with OpenAIServer(fallback=completion(ACTION if style else PLAN), schema=support) as server:
        model = LitellmModel(local(server))
        assert model.self_hosted and model.protocol == ("json" if style else "text")
        reply = model.query(opening(), TOOLS)
        assert [(c.name, c.arguments) for c in reply.tool_calls] == [("view", {"path": "calc.py"})]
        body = server.chat_requests[-1].body
        if style == "json_object":
            assert body["response_format"]["type"] == "json_object" and "oneOf" in body["response_format"]["schema"]
        elif style == "json_schema":
            assert "oneOf" in body["response_format"]["json_schema"]["schema"]
        else:
            assert "response_format" not in body and body["stop"] == ["\nObservation", "Observation ("]
        assert body["max_tokens"] == LOCAL_OUTPUT_TOKENS and body["stream"] is True


def test_a_grammar_bound_reply_is_always_an_action() -> None:
    with OpenAIServer([completion("I think I will look at calc.py")], schema="json_object") as server:
        reply = LitellmModel(local(server)).query(opening(), TOOLS)
    assert reply.tool_calls and reply.meta["protocol"] == "json"  # the server forced the reply into the schema


def test_the_stream_is_closed_once_one_action_has_arrived() -> None:
    with OpenAIServer([completion(PLAN)]) as server:
        model = LitellmModel(local(server, protocol="text"))
        reply = model.query(opening(), TOOLS)
    assert [c.name for c in reply.tool_calls] == ["view"]
    assert reply.meta["finish_reason"] == "stop_early" and "Observation" not in reply.content


def test_hosted_models_keep_their_budget_and_are_not_streamed(openai_server: OpenAIServer) -> None:
    openai_server.push(completion(PLAN))
    model = LitellmModel(ModelConfig(name="openai/gpt-4o", api_base=openai_server.base_url, api_key="sk-x",
                                     protocol="text", retry=FAST_RETRY))
    reply = model.query(opening(), TOOLS)
    body = openai_server.chat_requests[0].body
    assert not model.self_hosted and "stream" not in body and body["max_tokens"] == 4096 and "stop" not in body
    assert reply.meta["dropped_actions"] == 1  # the first action runs; the model is told about the rest


def test_repeated_format_errors_switch_the_text_protocol_to_constrained_actions() -> None:
    with OpenAIServer([completion("no action"), completion("still none"), completion(ACTION)],
                      schema="json_object") as server:
        model = LitellmModel(local(server, protocol="text"))
        for _ in range(2):
            with pytest.raises(FormatError):
                model.query(opening(), TOOLS)
        assert model.protocol == "json"
        assert model.query(opening(), TOOLS).tool_calls[0].name == "view"
    assert "response_format" in server.chat_requests[-1].body


def test_a_call_in_flight_ends_at_the_deadline() -> None:
    with OpenAIServer([Reply(body=completion(PLAN).body, delay=5)]) as server:
        model = LitellmModel(local(server, protocol="text"))
        started = time.monotonic()
        with pytest.raises(TimeLimitExceeded):
            model.query(opening(), TOOLS, deadline=started + 1.0)
    assert time.monotonic() - started < 3


def test_past_the_deadline_nothing_is_sent() -> None:
    with OpenAIServer([completion(PLAN)]) as server:
        with pytest.raises(TimeLimitExceeded):
            LitellmModel(local(server, protocol="text")).query(opening(), TOOLS, deadline=time.monotonic() - 1)
        assert server.chat_requests == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_is_one_sentence_within_seconds() -> None:
    address = f"http://127.0.0.1:{_closed_port()}/v1"
    started = time.monotonic()
    with pytest.raises(ModelError) as info:
        LitellmModel(ModelConfig(name="openai/local", api_base=address))  # the probe finds nobody
    assert time.monotonic() - started < 5
    assert str(info.value) == (f"Could not reach the model server at {address} (connection refused): start the "
                               "server or fix model.api_base.")


def test_an_unknown_host_is_not_retried() -> None:
    config = ModelConfig(name="openai/local", api_base="http://no-such-host.invalid:8000/v1", protocol="text")
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"no-such-host.invalid:8000/v1 \(unknown host\)"):
        LitellmModel(config).query(opening(), TOOLS)
    assert time.monotonic() - started < 5


def test_complete_returns_plain_text_without_tools_or_schema() -> None:
    with OpenAIServer([completion("```python\nreturn a + b\n```")], schema="json_object") as server:
        model = LitellmModel(local(server, protocol="json"))
        reply = model.complete(opening(), sampling=Sampling(temperature=0.7, seed=3))
        body = server.chat_requests[-1].body
    assert reply.content.startswith("```python") and not reply.tool_calls
    assert body["temperature"] == 0.7 and body["seed"] == 3 and "response_format" not in body and "tools" not in body


def test_continue_text_asks_plain_completions_and_cuts_at_every_stop_sequence() -> None:
    # litellm sends at most four stop sequences (OpenAI's limit); the fifth is applied on our side
    stops = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")
    with OpenAIServer([completion("    return 1\n\nprint(f())\n", prompt_tokens=9, completion_tokens=4),
                       server_error(503), completion("    return 2\n")]) as server:
        model = LitellmModel(local(server, protocol="text"))
        first = model.continue_text("def f():\n", sampling=Sampling(temperature=0.2), max_tokens=64, stop=stops)
        second = model.continue_text("def g():\n")  # a 503 first: retried like any call
        bodies = [r.body for r in server.requests if r.method == "POST"]
    assert first.content == "    return 1\n" and second.content == "    return 2\n"
    assert first.meta["input_tokens"] == 9 and first.meta["cost"] == 0.0
    assert {r.path for r in server.requests if r.method == "POST"} == {"/v1/completions"}
    assert bodies[0]["prompt"] == "def f():\n" and bodies[0]["max_tokens"] == 64 and bodies[0]["temperature"] == 0.2
    assert len(bodies[0]["stop"]) == 4 and "stop" not in bodies[2] and "messages" not in bodies[0]


def test_make_model_refuses_an_unreachable_server_before_anything_else() -> None:
    from agent.models.registry import make_model

    address = f"http://127.0.0.1:{_closed_port()}/v1"
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"\(connection refused\)"):
        make_model(ModelConfig(api_base=address, protocol="text"), "openai/local")
    assert time.monotonic() - started < 1
