"""The fake OpenAI server speaks OpenAI's wire format: checked with a plain HTTP client and with litellm."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.fakes.openai_server import (
    OpenAIServer,
    RecordedRequest,
    Reply,
    completion,
    context_length_exceeded,
    error,
    invalid_api_key,
    rate_limited,
    tool_call,
)

CHAT = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]}


def post(server: OpenAIServer, body: dict | None = None, path: str = "/chat/completions") -> httpx.Response:
    return httpx.post(server.base_url + path, json=body or CHAT, headers={"Authorization": "Bearer sk-t"}, timeout=5)


def test_completion_shape_and_request_recording(openai_server: OpenAIServer) -> None:
    openai_server.push(completion("hello", [tool_call("view", {"path": "a"}, call_id="call_1")],
                                  prompt_tokens=11, completion_tokens=3))
    response = post(openai_server)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] == "hello"
    assert choice["message"]["tool_calls"] == [
        {"id": "call_1", "type": "function", "function": {"name": "view", "arguments": '{"path": "a"}'}}]
    assert body["usage"]["total_tokens"] == 14
    [request] = openai_server.chat_requests
    assert request.method == "POST" and request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-t" and request.body == CHAT


def test_errors_keep_openai_bodies_and_headers(openai_server: OpenAIServer) -> None:
    openai_server.push(rate_limited(retry_after=2), invalid_api_key(), context_length_exceeded(100, 120))
    limited = post(openai_server)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"
    unauthorized = post(openai_server)
    assert unauthorized.status_code == 401
    assert unauthorized.json()["error"] == {
        "message": unauthorized.json()["error"]["message"], "type": "invalid_request_error", "param": None,
        "code": "invalid_api_key"}
    overflow = post(openai_server).json()["error"]
    assert overflow["code"] == "context_length_exceeded"
    assert "maximum context length is 100 tokens" in overflow["message"]


def test_empty_queue_answers_a_clear_400_or_the_fallback(openai_server: OpenAIServer) -> None:
    response = post(openai_server)
    assert response.status_code == 400 and response.json()["error"]["code"] == "no_scripted_reply"
    openai_server.fallback = completion("always")
    assert post(openai_server).json()["choices"][0]["message"]["content"] == "always"
    assert openai_server.pending == 0


def test_callable_responders_see_the_request(openai_server: OpenAIServer) -> None:
    def echo(request: RecordedRequest) -> Reply:
        return completion(request.body["messages"][-1]["content"].upper())

    openai_server.push(echo)
    assert post(openai_server).json()["choices"][0]["message"]["content"] == "HI"


def test_streaming_answers_as_server_sent_events(openai_server: OpenAIServer) -> None:
    openai_server.push(completion("streamed", [tool_call("run", {"command": "ls"})]))
    response = post(openai_server, {**CHAT, "stream": True})
    assert response.headers["content-type"] == "text/event-stream"
    events = [line.removeprefix("data: ") for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["content"] == "streamed"
    assert chunks[0]["choices"][0]["delta"]["tool_calls"][0]["index"] == 0
    assert chunks[1]["choices"][0]["finish_reason"] == "tool_calls" and chunks[2]["usage"]["completion_tokens"] == 20


def test_models_listing_and_unknown_paths(openai_server: OpenAIServer) -> None:
    listing = httpx.get(openai_server.base_url + "/models", timeout=5).json()
    assert [m["id"] for m in listing["data"]] == ["fake-model"]
    missing = post(openai_server, path="/embeddings")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "invalid_request_error"
    assert openai_server.chat_requests == []


def test_litellm_streams_from_it(openai_server: OpenAIServer) -> None:
    import litellm

    openai_server.push(completion("one two"))
    stream = litellm.completion(model="openai/fake-model", api_base=openai_server.base_url, api_key="sk-t",
                                messages=CHAT["messages"], stream=True, max_retries=0)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == "one two"


def test_delayed_replies_and_clean_stop() -> None:
    slow = error(503, "overloaded", type="server_error")
    slow.delay = 30
    with OpenAIServer([slow]) as server:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(server.base_url + "/chat/completions", json=CHAT, timeout=0.2)
        port = server.port
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=CHAT, timeout=1)
