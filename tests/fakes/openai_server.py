"""A faithful local stand-in for an OpenAI-compatible chat completions server, for tests.

It listens on 127.0.0.1 (a free port), answers `POST /v1/chat/completions` from a queue of
scripted replies in OpenAI's own JSON shapes (usage, tool_calls, error bodies and headers as
OpenAI sends them; `stream: true` is answered as server-sent events), answers `GET /v1/models`,
and records every request (method, path, headers, JSON body) for assertions. `POST /v1/completions`
(plain text completion, for base models) answers from the same queue: a queued reply's content becomes
the `text_completion` choice, cut before the first of the request's `stop` sequences, as a server does.

    with OpenAIServer([completion("hi"), rate_limited(retry_after=1), completion("ok")]) as server:
        litellm.completion(model="openai/fake", api_base=server.base_url, api_key="sk-test", ...)
        assert len(server.chat_requests) == 1

A queued item is a `Reply` or a callable `(RecordedRequest) -> Reply` for answers that depend on
the request. With the queue empty the server answers with `fallback`, or else a 400 error whose
message says no scripted reply was left (a 400 is not retried, so the test fails clearly).

`schema` says how the server treats `response_format` (schema_enforcement.py): a server that enforces a
schema answers with the next queued reply only when that reply is an instance of the schema, and
otherwise with the schema's minimal instance (leaving the queue as it was), the way a grammar forces
a model's output into the schema; shapes it does not take are refused with the status real servers send.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.fakes.schema_enforcement import Rejected, SchemaSupport, conforms, enforced_schema, minimal_instance


@dataclass
class RecordedRequest:
    """One request the server received."""

    method: str
    """HTTP method."""
    path: str
    """Request path, e.g. `/v1/chat/completions`."""
    headers: dict[str, str]
    """Request headers, names lower-cased."""
    body: Any
    """The decoded JSON body (None when there was none or it was not JSON)."""


@dataclass
class Reply:
    """One scripted HTTP answer."""

    status: int = 200
    """HTTP status code."""
    body: Any = None
    """JSON body."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers (e.g. `retry-after`)."""
    delay: float = 0.0
    """Seconds to wait before answering (to provoke client timeouts)."""


Responder = Reply | Callable[[RecordedRequest], Reply]
"""What the queue holds: a fixed reply, or a function of the request."""

_ids = itertools.count(1)


def tool_call(name: str, arguments: dict[str, Any] | str, call_id: str | None = None) -> dict[str, Any]:
    """One entry of `message.tool_calls` as OpenAI returns it (arguments JSON-encoded)."""
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id or f"call_{uuid.uuid4().hex[:24]}", "type": "function",
            "function": {"name": name, "arguments": args}}


def completion(
    content: str | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    *,
    model: str = "fake-model",
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
    finish_reason: str | None = None,
) -> Reply:
    """A successful `chat.completion` with one choice and a `usage` block."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None, "annotations": []}
    if tool_calls:
        message["tool_calls"] = tool_calls
    body = {
        "id": f"chatcmpl-{next(_ids):06d}{uuid.uuid4().hex[:16]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None,
                     "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop")}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens,
                  "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
        "service_tier": "default",
        "system_fingerprint": "fp_fake0000",
    }
    return Reply(body=body)


def error(
    status: int, message: str, *, type: str, code: str | None = None, param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """An error answer in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`."""
    body = {"error": {"message": message, "type": type, "param": param, "code": code}}
    return Reply(status=status, body=body, headers=dict(headers or {}))


def rate_limited(retry_after: float | None = None, model: str = "gpt-4o") -> Reply:
    """429 as OpenAI sends it on a tokens-per-minute limit, optionally with `retry-after` seconds."""
    headers = {"x-ratelimit-limit-tokens": "30000", "x-ratelimit-remaining-tokens": "0",
               "x-ratelimit-reset-tokens": "2s"}
    if retry_after is not None:
        headers["retry-after"] = f"{retry_after:g}"
    message = (f"Rate limit reached for {model} in organization org-fake on tokens per min (TPM): Limit 30000, "
               "Used 29000, Requested 2000. Please try again in 2s. Visit "
               "https://platform.openai.com/account/rate-limits to learn more.")
    return error(429, message, type="tokens", code="rate_limit_exceeded", headers=headers)


def invalid_api_key(key_hint: str = "sk-fake****1234") -> Reply:
    """401 as OpenAI sends it for a wrong key."""
    message = (f"Incorrect API key provided: {key_hint}. You can find your API key at "
               "https://platform.openai.com/account/api-keys.")
    return error(401, message, type="invalid_request_error", code="invalid_api_key")


def context_length_exceeded(limit: int = 8192, requested: int = 9000) -> Reply:
    """400 as OpenAI sends it when the messages do not fit the context window."""
    message = (f"This model's maximum context length is {limit} tokens. However, your messages resulted in "
               f"{requested} tokens. Please reduce the length of the messages.")
    return error(400, message, type="invalid_request_error", code="context_length_exceeded", param="messages")


def server_error(status: int = 500) -> Reply:
    """A 5xx as OpenAI sends it (500 server error, 502/503 overloaded)."""
    if status == 500:
        return error(500, "The server had an error while processing your request. Sorry about that!",
                     type="server_error")
    return error(status, "The engine is currently overloaded, please try again later.", type="server_error")


def model_not_found(model: str = "gpt-x") -> Reply:
    """404 as OpenAI sends it for an unknown model."""
    return error(404, f"The model `{model}` does not exist or you do not have access to it.",
                 type="invalid_request_error", code="model_not_found")


def text_completion_body(chat: dict[str, Any], stop: str | list[str] | None) -> dict[str, Any]:
    """The `text_completion` body a server sends for the text of a `chat.completion` body, cut before the first
    stop sequence (which the text then does not hold, as with OpenAI and llama.cpp)."""
    text = chat["choices"][0]["message"].get("content") or ""
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    cut = min((text.find(s) for s in stops if s and s in text), default=-1)
    choice = {"text": text if cut < 0 else text[:cut], "index": 0, "logprobs": None,
              "finish_reason": chat["choices"][0]["finish_reason"]}
    return {"id": f"cmpl-{next(_ids):06d}", "object": "text_completion", "created": chat["created"],
            "model": chat["model"], "choices": [choice], "usage": chat["usage"]}


def _sse_events(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The chunks a streamed answer would have carried for a finished `chat.completion` body."""
    choice = body["choices"][0]
    message = choice["message"]
    delta: dict[str, Any] = {"role": "assistant", "content": message.get("content") or ""}
    if message.get("tool_calls"):
        delta["tool_calls"] = [{**call, "index": i} for i, call in enumerate(message["tool_calls"])]
    base = {key: body[key] for key in ("id", "created", "model", "system_fingerprint")}
    yield {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
    yield {**base, "object": "chat.completion.chunk",
           "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]}
    yield {**base, "object": "chat.completion.chunk", "choices": [], "usage": body["usage"]}


class _Handler(BaseHTTPRequestHandler):
    """Routes requests to the owning `OpenAIServer`."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature from the base class
        """Keep test output quiet."""

    def _record(self) -> RecordedRequest:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        request = RecordedRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        self.server.owner.record(request)
        return request

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        """`GET /v1/models` lists the model ids; anything else is a 404 in OpenAI's shape."""
        request = self._record()
        if request.path.rstrip("/").endswith("/models"):
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.server.owner.models]
            self._send(Reply(body={"object": "list", "data": data}), stream=False)
        else:
            self._send(error(404, f"Invalid URL (GET {request.path})", type="invalid_request_error"), stream=False)

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        """`POST .../chat/completions` and `.../completions` answer from the queue; anything else is a 404."""
        request = self._record()
        path = request.path.rstrip("/")
        if not path.endswith("/completions"):
            self._send(error(404, f"Invalid URL (POST {request.path})", type="invalid_request_error"), stream=False)
            return
        reply = self.server.owner.next_reply(request)
        if reply.delay:
            self.server.owner.stopping.wait(reply.delay)
        if not path.endswith("/chat/completions") and reply.status == 200:
            stop = request.body.get("stop") if isinstance(request.body, dict) else None
            reply = Reply(body=text_completion_body(reply.body, stop), headers=reply.headers)
        stream = bool(isinstance(request.body, dict) and request.body.get("stream")) and reply.status == 200
        self._send(reply, stream=stream and path.endswith("/chat/completions"))

    def _send(self, reply: Reply, *, stream: bool) -> None:
        if stream:
            payload = "".join(f"data: {json.dumps(e)}\n\n" for e in _sse_events(reply.body)) + "data: [DONE]\n\n"
            data, content_type = payload.encode(), "text/event-stream"
        else:
            data, content_type = json.dumps(reply.body).encode(), "application/json"
        try:
            self.send_response(reply.status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout fired during `delay`)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: OpenAIServer


class OpenAIServer:
    """A threaded OpenAI-compatible server on 127.0.0.1 replaying scripted replies; a context manager."""

    def __init__(self, replies: Iterable[Responder] = (), *, fallback: Responder | None = None,
                 models: Iterable[str] = ("fake-model",), host: str = "127.0.0.1", port: int = 0,
                 schema: SchemaSupport = "ignore"):
        self._queue: deque[Responder] = deque(replies)
        self.schema: SchemaSupport = schema
        """How `response_format` is treated: enforced in one shape or both, refused, or ignored."""
        self._lock = threading.Lock()
        self.fallback = fallback
        """Answer used once the queue is empty (None: a 400 saying no scripted reply was left)."""
        self.models = list(models)
        """Model ids listed by `GET /v1/models`."""
        self.requests: list[RecordedRequest] = []
        """Every request received, in order."""
        self.stopping = threading.Event()
        self.address = (host, port)
        """Where to listen; port 0 picks a free one."""
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> OpenAIServer:
        """Bind `address` (by default a free port on 127.0.0.1) and serve in a background thread."""
        self._httpd = _HTTPServer(self.address, _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """Base URL for OpenAI clients (`api_base`), ending in `/v1`."""
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *replies: Responder) -> None:
        """Append replies to the queue."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        """Replies still queued."""
        with self._lock:
            return len(self._queue)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded `POST .../chat/completions` requests."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and r.path.rstrip("/").endswith("/chat/completions")]

    def record(self, request: RecordedRequest) -> None:
        """Store one received request (called by the handler)."""
        with self._lock:
            self.requests.append(request)

    def next_reply(self, request: RecordedRequest) -> Reply:
        """The answer for `request`: the next queued responder, else the fallback, else a clear 400; under an
        enforced schema, a queued reply that does not fit it stays queued and the schema's minimal instance is
        sent instead."""
        try:
            schema = enforced_schema(request.body, self.schema)
        except Rejected as exc:
            return error(exc.status, str(exc), type="invalid_request_error")
        with self._lock:
            responder = self._queue[0] if self._queue else self.fallback
            number = len(self.requests)
        if responder is None and schema is None:
            return error(400, f"fake OpenAI server: no scripted reply left for request #{number}",
                         type="invalid_request_error", code="no_scripted_reply")
        reply = (responder(request) if callable(responder) else responder) if responder is not None else None
        if schema is not None and not (reply and reply.status == 200 and conforms(_content(reply), schema)):
            return completion(json.dumps(minimal_instance(schema)))
        with self._lock:
            if self._queue and self._queue[0] is responder:
                self._queue.popleft()
        return reply


def _content(reply: Reply) -> str | None:
    try:
        return reply.body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A started `OpenAIServer` with an empty queue; `push` replies, then point a client at `base_url`."""
    with OpenAIServer() as server:
        yield server
