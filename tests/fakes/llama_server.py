"""A faithful stand-in for llama-cpp-python's `python -m llama_cpp.server`, for tests of local model serving.

`FakeLlama(root).package()` writes a `llama_cpp` package whose `server/__main__.py` runs `main()` below;
with `root/site` on PYTHONPATH (or behind `FakeLlama.interpreter()`, a wrapper script), `python -m
llama_cpp.server --model F.gguf --host H --port P --n_ctx N --n_threads T` behaves as the real server
does towards repo-agent:
- its flags are parsed strictly (an unknown flag is an argparse error, exit 2), and the HOST and PORT
  environment variables win over --host and --port, as in the real `__main__`;
- it "loads" the model file: a missing file or one without the GGUF magic fails with a traceback ending
  in `ValueError`, exit 1, as llama.cpp does;
- then it serves the OpenAI API on host:port (tests/fakes/openai_server.py) until SIGTERM, logging as
  uvicorn does. Chat replies replay scripted actions, rendered the way the request asks: bare JSON for
  `response_format: json_object` (the schema is enforced: a schema that is not an action gets its
  smallest valid instance, without using up an action), `{"name", "arguments"}` text for `tools` (what
  llama.cpp returns with `tool_choice: auto`), else a fenced ```json block. `response_format` of type
  `json_schema` is refused with 422, as the real server's request validation does.

Files under `root` let a test steer and watch it: `script.json` (actions `{"tool", "args"}`, or
`{"sleep": seconds}` to delay the next reply), `starts.jsonl` (one line per start: pid, argv, flags, the
OMP_WAIT_POLICY it saw), `requests.jsonl` (every chat request body). `FAKE_LLAMA_MODE=exit` fails at load
(with llama.cpp's log lines for a damaged file), `hang` loads forever without listening; `FAKE_LLAMA_LOAD_SECONDS`
delays listening.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.fakes.openai_server import OpenAIServer, RecordedRequest, Reply, completion, error
from tests.fakes.schema_enforcement import minimal_instance

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The project root, so the fake package can import this module."""

_MAIN = """import sys
sys.path.insert(0, {repo!r})
from tests.fakes.llama_server import main

if __name__ == "__main__":
    main()
"""


class FakeLlama:
    """The files of one fake installation: the package, the script, and what the servers recorded."""

    def __init__(self, root: Path):
        self.root = root
        """Folder holding everything below."""
        self.site = root / "site"
        """The folder to put on PYTHONPATH: it holds the `llama_cpp` package."""

    def package(self) -> FakeLlama:
        """Write `site/llama_cpp/server/__main__.py` (and the package files around it)."""
        server = self.site / "llama_cpp" / "server"
        server.mkdir(parents=True, exist_ok=True)
        (self.site / "llama_cpp" / "__init__.py").write_text('"""Fake llama_cpp."""\n')
        (server / "__init__.py").write_text("")
        (server / "__main__.py").write_text(_MAIN.format(repo=str(REPO_ROOT)))
        return self

    def interpreter(self, name: str = "python-with-llama") -> Path:
        """An executable wrapper: this interpreter with only the fake package added to its path."""
        path = self.root / name
        path.write_text(f'#!/bin/sh\nPYTHONPATH="{self.site}" exec "{sys.executable}" "$@"\n')
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return path

    def env(self, **extra: str) -> dict[str, str]:
        """Environment variables that point the fake at these files (plus `extra`)."""
        return {"FAKE_LLAMA_DIR": str(self.root), **extra}

    def script(self, actions: list[dict[str, Any]]) -> None:
        """The actions the servers reply with, in order."""
        (self.root / "script.json").write_text(json.dumps(actions))

    def starts(self) -> list[dict[str, Any]]:
        """One record per server start: `pid`, `argv`, `flags`, `omp_wait_policy`."""
        return _read_lines(self.root / "starts.jsonl")

    def requests(self) -> list[dict[str, Any]]:
        """The bodies of the chat requests the servers received."""
        return _read_lines(self.root / "requests.jsonl")


def _read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _append(path: Path, data: dict[str, Any]) -> None:
    with path.open("a") as handle:
        handle.write(json.dumps(data) + "\n")


def parse_flags(argv: list[str]) -> argparse.Namespace:
    """The server's flags, parsed like the real one's for the flags repo-agent and its users pass."""
    parser = argparse.ArgumentParser(description="Llama.cpp python server (fake).")
    parser.add_argument("--model", type=str)
    parser.add_argument("--model_alias", type=str)
    parser.add_argument("--host", type=str, default="localhost")
    parser.add_argument("--port", type=int, default=8000)
    for flag in ("--n_ctx", "--n_threads", "--n_threads_batch", "--n_batch", "--n_gpu_layers"):
        parser.add_argument(flag, type=int)
    parser.add_argument("--chat_format", type=str)
    parser.add_argument("--api_key", type=str)
    return parser.parse_args(argv)


def load_model(path: str | None) -> None:
    """Fail as llama.cpp does for a missing or non-GGUF model file."""
    if not path or not os.path.exists(path):
        raise ValueError(f"Model path does not exist: {path}")
    with open(path, "rb") as handle:
        if handle.read(4) != b"GGUF":
            print(f"gguf_init_from_file_impl: invalid magic characters in {path}", file=sys.stderr)
            raise ValueError(f"Failed to load model from file: {path}")


def _is_action_schema(schema: Any) -> bool:
    return "tool" in json.dumps(schema)


class Replier:
    """Turns scripted actions into chat replies shaped by each request."""

    def __init__(self, root: Path):
        script = root / "script.json"
        self.actions: list[dict[str, Any]] = json.loads(script.read_text()) if script.exists() else []
        self.requests = root / "requests.jsonl"
        self.lock = threading.Lock()

    def next_action(self) -> tuple[dict[str, Any] | None, float]:
        """The next action and the seconds to wait before answering with it."""
        delay = 0.0
        with self.lock:
            while self.actions and "sleep" in self.actions[0]:
                delay += float(self.actions.pop(0)["sleep"])
            return (self.actions.pop(0) if self.actions else None), delay

    def __call__(self, request: RecordedRequest) -> Reply:
        """The reply to one chat request."""
        body = request.body if isinstance(request.body, dict) else {}
        _append(self.requests, body)
        response_format = body.get("response_format") or {}
        if response_format and response_format.get("type") not in ("text", "json_object"):
            detail = [{"type": "literal_error", "loc": ["body", "response_format", "type"],
                       "msg": "Input should be 'text' or 'json_object'", "input": response_format.get("type")}]
            return Reply(status=422, body={"detail": detail})
        schema = response_format.get("schema")
        if schema is not None and not _is_action_schema(schema):
            return completion(json.dumps(minimal_instance(schema)), model=body.get("model", "fake"))
        action, delay = self.next_action()
        if action is None:
            return error(400, "fake llama server: no scripted action left", type="invalid_request_error")
        tool, args = action["tool"], action.get("args", {})
        if response_format.get("type") == "json_object":
            content = json.dumps({"thought": "next step", "tool": tool, "args": args})
        elif body.get("tools"):
            content = json.dumps({"name": tool, "arguments": args})
        else:
            content = f"Next step.\n```json\n{json.dumps({'tool': tool, 'args': args})}\n```"
        reply = completion(content, model=body.get("model", "fake"))
        reply.delay = delay
        return reply


def main(argv: list[str] | None = None) -> None:
    """`python -m llama_cpp.server`: load the model, then serve until SIGTERM."""
    flags = parse_flags(sys.argv[1:] if argv is None else argv)
    root = Path(os.environ["FAKE_LLAMA_DIR"])
    _append(root / "starts.jsonl", {"pid": os.getpid(), "argv": sys.argv[1:], "flags": vars(flags),
                                    "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")})
    mode = os.environ.get("FAKE_LLAMA_MODE", "serve")
    if mode == "exit":  # what llama.cpp logs for a file with the GGUF magic and nothing valid after it
        print("gguf_init_from_reader: bad GGUF version: 0\ngguf_init_from_reader: failed to read header\n"
              f"llama_model_load: error loading model: llama_model_loader: failed to load model from {flags.model}"
              "\nllama_model_load_from_file_impl: failed to load model", file=sys.stderr, flush=True)
        raise ValueError(f"Failed to load model from file: {flags.model}")
    load_model(flags.model)
    time.sleep(float(os.environ.get("FAKE_LLAMA_LOAD_SECONDS", "0")))
    while mode == "hang":
        time.sleep(3600)
    host, port = os.getenv("HOST", flags.host), int(os.getenv("PORT", flags.port))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with OpenAIServer(fallback=Replier(root), models=[flags.model_alias or flags.model], host=host, port=port):
        print(f"INFO:     Uvicorn running on http://{host}:{port} (Press CTRL+C to quit)", file=sys.stderr,
              flush=True)
        while not stop.wait(0.2):
            pass
        print("INFO:     Shutting down", file=sys.stderr, flush=True)
