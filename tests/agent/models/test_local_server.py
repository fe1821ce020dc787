"""`gguf:PATH` models: the llama.cpp server's lifecycle, against the fake `python -m llama_cpp.server`."""

from __future__ import annotations

import os
import signal
import socket
import tempfile
import threading
from pathlib import Path

import httpx
import pytest

from agent.config import LocalServerConfig, ModelConfig
from agent.models import local_server
from agent.models.registry import make_model
from agent.models.selection import gguf_file, resolve_model_name
from core.errors import UserError
from tests.agent.models.support import FAST_RETRY, TOOLS, opening
from tests.fakes.llama_server import FakeLlama

STEM = "tiny-coder-q4_k_m"


def gguf(folder: Path, name: str = f"{STEM}.gguf") -> Path:
    """A file with the GGUF magic (all the fake server looks at)."""
    path = folder / name
    path.write_bytes(b"GGUF" + bytes(60))
    return path


def gone(pid: int) -> bool:
    """True when `pid` has exited (a zombie counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:`port`."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The fake llama_cpp on this interpreter's PYTHONPATH; temp files kept in tmp_path; servers stopped after."""
    llama = FakeLlama(tmp_path / "fake").package()
    for key, value in llama.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", str(llama.site))
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield llama
    local_server.stop_all()


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    """A small GGUF file."""
    return gguf(tmp_path)


def test_serves_the_file_on_loopback_with_the_fast_settings(fake: FakeLlama, model_file: Path) -> None:
    server = local_server.serve(model_file, LocalServerConfig())
    assert httpx.get(f"{server.base_url}/models").json()["data"][0]["id"] == STEM
    [start] = fake.starts()
    assert start["pid"] == server.process.pid
    assert start["flags"]["model"] == str(model_file.resolve()) and start["flags"]["model_alias"] == STEM
    assert start["flags"]["host"] == "127.0.0.1" and start["flags"]["port"] == server.port
    assert start["flags"]["n_ctx"] == 8192
    assert start["flags"]["n_threads"] == len(os.sched_getaffinity(0))
    assert start["omp_wait_policy"] == "PASSIVE"
    assert server.model_name == f"openai/{STEM}" and server.base_url == f"http://127.0.0.1:{server.port}/v1"
    assert "Uvicorn running" in server.log_path.read_text()  # the output went to the log, not the terminal


def test_configured_settings_reach_the_server(fake: FakeLlama, model_file: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")  # the real server lets HOST and PORT win over its flags
    monkeypatch.setenv("PORT", "1")
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # a user's own choice is kept
    log = fake.root / "logs" / "server.log"
    settings = LocalServerConfig(n_ctx=2048, threads=1, extra_args=["--n_batch", "64"], log_file=log)
    server = local_server.serve(model_file, settings)
    [start] = fake.starts()
    assert (start["flags"]["n_ctx"], start["flags"]["n_threads"], start["flags"]["n_batch"]) == (2048, 1, 64)
    assert start["flags"]["port"] == server.port and start["omp_wait_policy"] == "ACTIVE"
    assert httpx.get(f"{server.base_url}/models").status_code == 200
    local_server.stop_all()
    assert "Uvicorn running" in log.read_text()  # a configured log is kept


def test_make_model_reaches_the_server_as_an_openai_compatible_model(fake: FakeLlama, model_file: Path) -> None:
    fake.script([{"tool": "view", "args": {"path": "calc.py"}}])
    model = make_model(ModelConfig(name=f"gguf:{model_file}", retry=FAST_RETRY))
    [server] = list(local_server._servers.values())
    assert model.name == f"openai/{STEM}"
    assert model.config.api_base == server.base_url and model.config.api_key == "local"
    reply = model.query(opening(), TOOLS)
    assert [(call.name, call.arguments) for call in reply.tool_calls] == [("view", {"path": "calc.py"})]
    assert model.cost == 0.0 and reply.meta["cost"] == 0.0
    action_requests = [r for r in fake.requests() if "Fix the bug" in str(r["messages"])]
    assert len(action_requests) == 1 and action_requests[0]["model"] == STEM


def test_one_server_per_file_shared_by_every_model(fake: FakeLlama, model_file: Path, tmp_path: Path) -> None:
    config = ModelConfig(name=f"gguf:{model_file}")
    urls: list[str] = []
    workers = [threading.Thread(target=lambda: urls.append(make_model(config).config.api_base)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    first = make_model(config, cli_model=f"gguf:{tmp_path}/../{tmp_path.name}/{model_file.name}")  # same file
    assert len(fake.starts()) == 1 and len(list(local_server._servers.values())) == 1
    assert set(urls) == {first.config.api_base}
    other = make_model(ModelConfig(name=f"gguf:{gguf(tmp_path, 'other.gguf')}"))
    assert len(fake.starts()) == 2 and other.config.api_base != first.config.api_base
    assert other.name == "openai/other"


def test_stop_all_ends_the_process_frees_the_port_and_removes_the_temporary_log(fake: FakeLlama,
                                                                                model_file: Path) -> None:
    server = local_server.serve(model_file, LocalServerConfig())
    assert server.log_path.parent == Path(tempfile.gettempdir()) and server.log_path.exists()
    assert not port_free(server.port)
    local_server.stop_all()
    assert gone(server.process.pid) and port_free(server.port)
    assert not server.log_path.exists()
    assert list(local_server._servers.values()) == []
    local_server.stop_all()  # idempotent


def test_a_server_that_died_is_started_again(fake: FakeLlama, model_file: Path) -> None:
    first = local_server.serve(model_file, LocalServerConfig())
    first.process.kill()
    first.process.wait()
    second = local_server.serve(model_file, LocalServerConfig())
    assert second.process.pid != first.process.pid and second.alive()
    assert len(fake.starts()) == 2


def test_sigterm_ends_the_run_like_ctrl_c_until_the_servers_stop(fake: FakeLlama, model_file: Path) -> None:
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        pytest.skip("this test process already handles SIGTERM")
    local_server.serve(model_file, LocalServerConfig())
    handler = signal.getsignal(signal.SIGTERM)
    assert callable(handler)
    with pytest.raises(KeyboardInterrupt):
        handler(signal.SIGTERM, None)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # a second SIGTERM ends the process at once
    local_server.stop_all()
    local_server.serve(model_file, LocalServerConfig())  # a new server: the handler is back
    assert signal.getsignal(signal.SIGTERM) is handler
    local_server.stop_all()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # nothing left to stop: the default again


def test_a_file_llama_cpp_cannot_load_is_one_line_naming_file_cause_and_log(fake: FakeLlama, model_file: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLAMA_MODE", "exit")
    with pytest.raises(UserError) as info:
        make_model(ModelConfig(name=f"gguf:{model_file}"))
    text = str(info.value)
    assert "\n" not in text and "Traceback" not in text and "File \"" not in text
    assert text.startswith(f"llama.cpp could not load the model file {model_file.resolve()} (bad GGUF version: 0): ")
    assert "truncated download" in text
    log = Path(text.split("(full log: ")[1].split(")")[0])
    assert "Traceback" in log.read_text()  # the log of a failed start is kept for the user
    assert list(local_server._servers.values()) == []
    [start] = fake.starts()
    assert gone(start["pid"])


@pytest.mark.parametrize(("log", "unloadable", "cause"), [
    ("llama_model_load: error loading model: unknown model architecture: ''\n"
     "llama_model_load_from_file_impl: failed to load model\nValueError: Failed to load model from file: /m.gguf",
     True, "unknown model architecture: ''"),
    ("ValueError: Failed to load model from file: /m.gguf", True, "llama.cpp gave no reason"),
    ("Traceback (most recent call last):\n  File \"x.py\", line 1\nModuleNotFoundError: No module named 'uvicorn'",
     False, "ModuleNotFoundError: No module named 'uvicorn'"),
    ("Killed\n", False, "Killed"),
])
def test_exit_cause_is_the_reason_not_the_traceback(log: str, unloadable: bool, cause: str) -> None:
    assert local_server.exit_cause(log) == (unloadable, cause)


def test_a_server_that_never_answers_is_stopped_at_the_deadline(fake: FakeLlama, model_file: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLAMA_MODE", "hang")
    with pytest.raises(UserError) as info:
        local_server.serve(model_file, LocalServerConfig(startup_timeout=1))
    text = str(info.value)
    assert "\n" not in text
    assert f"The llama.cpp server for {model_file.name} did not answer within 1 s" in text
    assert "model.local.startup_timeout" in text and "(full log: " in text
    [start] = fake.starts()
    assert gone(start["pid"]) and list(local_server._servers.values()) == []


def test_a_slow_load_is_waited_for(fake: FakeLlama, model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLAMA_LOAD_SECONDS", "1.5")
    server = local_server.serve(model_file, LocalServerConfig(startup_timeout=30))
    assert httpx.get(f"{server.base_url}/models").status_code == 200


@pytest.mark.parametrize(("content", "expected"), [
    (None, "does not exist: give the path of a GGUF file already on this machine"),
    ("dir", "is a directory: give the .gguf file itself"),
    (b"PK\x03\x04zip", "is not a GGUF file"),
])
def test_an_unusable_file_is_one_sentence_before_anything_starts(fake: FakeLlama, tmp_path: Path, content,
                                                                 expected: str) -> None:
    path = tmp_path / "weights.gguf"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    for attempt in (lambda: resolve_model_name(f"gguf:{path}", ModelConfig(), {}),
                    lambda: make_model(ModelConfig(), cli_model=f"gguf:{path}")):
        with pytest.raises(UserError) as info:
            attempt()
        assert expected in str(info.value) and str(path) in str(info.value)
    assert fake.starts() == []


def test_an_unreadable_file_says_so(fake: FakeLlama, model_file: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    model_file.chmod(0)
    with pytest.raises(UserError, match="cannot be read"):
        resolve_model_name(f"gguf:{model_file}", ModelConfig(), {})


def test_gguf_names() -> None:
    assert gguf_file("openai/local") is None
    assert gguf_file("gguf:~/m.gguf") == Path.home() / "m.gguf"
    with pytest.raises(UserError, match="gguf: needs the path of a GGUF file"):
        gguf_file("gguf: ")


def test_without_llama_cpp_the_error_says_what_to_install(fake: FakeLlama, model_file: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    hidden = fake.root / "hidden"  # a llama_cpp without its server, first on the path: hides any installed one
    (hidden / "llama_cpp").mkdir(parents=True)
    (hidden / "llama_cpp" / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(hidden))
    with pytest.raises(UserError) as info:
        make_model(ModelConfig(name=f"gguf:{model_file}"))
    text = str(info.value)
    assert "\n" not in text and "needs llama-cpp-python with its server" in text
    assert "pip install 'repo-agent[local]'" in text and "prebuilt" in text and "model.local.python" in text
    with pytest.raises(UserError, match="is not an executable file"):
        local_server.serve(model_file, LocalServerConfig(python=fake.root / "no-python"))
    with pytest.raises(UserError, match=r"Neither .* nor model.local.python .* can import llama_cpp.server"):
        local_server.serve(model_file, LocalServerConfig(python=Path(os.sys.executable)))
    assert fake.starts() == []


def test_another_interpreter_serves_when_this_one_cannot(fake: FakeLlama, model_file: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shadow = fake.root / "shadow"
    (shadow / "llama_cpp").mkdir(parents=True)
    (shadow / "llama_cpp" / "__init__.py").write_text("")  # a llama_cpp without its server shadows any install
    monkeypatch.setenv("PYTHONPATH", str(shadow))
    config = ModelConfig(name=f"gguf:{model_file}", local=LocalServerConfig(python=fake.interpreter()))
    server = local_server.serve(model_file, config.local)
    assert httpx.get(f"{server.base_url}/models").status_code == 200
    assert make_model(config).config.api_base == server.base_url
    assert len(fake.starts()) == 1


def test_missing_server_extras_point_at_the_extra(fake: FakeLlama, model_file: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    broken = fake.root / "broken"
    (broken / "llama_cpp" / "server").mkdir(parents=True)
    (broken / "llama_cpp" / "__init__.py").write_text("")
    (broken / "llama_cpp" / "server" / "__main__.py").write_text("import uvicorn_not_installed_here\n")
    monkeypatch.setenv("PYTHONPATH", str(broken))
    with pytest.raises(UserError) as info:
        local_server.serve(model_file, LocalServerConfig())
    text = str(info.value)
    assert "No module named 'uvicorn_not_installed_here'" in text and "repo-agent[local]" in text


def test_log_tail_is_one_short_line(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("first\n\n  second  \nthird\nfourth\n")
    assert local_server.log_tail(log) == "second | third | fourth"
    log.write_text("x" * 1000)
    assert local_server.log_tail(log) == "..." + "x" * 400
    log.write_text("")
    assert local_server.log_tail(log) == "(empty log)"
    assert local_server.log_tail(tmp_path / "missing.log") == "(no log)"
