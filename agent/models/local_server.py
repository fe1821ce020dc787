"""llama.cpp's OpenAI-compatible server (llama-cpp-python) for a local GGUF file: one per file and process, on a free
127.0.0.1 port, stopped at exit, Ctrl-C, SIGTERM or when this process is killed (it watches its parent). It runs in
its own session with OMP_WAIT_POLICY=PASSIVE (spin-waiting threads collapse generation on a busy machine) and logs
to a file. Weights are never downloaded."""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import multiprocessing
import multiprocessing.util
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from agent.config import LocalServerConfig
from core.errors import UserError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
"""The server listens on loopback only."""

GGUF_MAGIC = b"GGUF"
"""The first four bytes of every GGUF file."""

INSTALL_HINT = ("pip install 'repo-agent[local]' (where the package index has no prebuilt llama-cpp-python wheel for "
                "this machine, install a prebuilt one first), or set model.local.python to an interpreter that has it")
"""What to do when no interpreter can run the server."""

_SHADOWING_ENV = frozenset({"HOST", "PORT", "CONFIG_FILE", "API_KEY"})
"""Variables the server reads in place of our flags (host, port, a config file) or that would make it demand a key."""

_PROBE = """
import importlib.util, pathlib, sys
spec = importlib.util.find_spec("llama_cpp")
places = (spec.submodule_search_locations or []) if spec else []
sys.exit(0 if any((pathlib.Path(p) / "server" / "__main__.py").is_file() for p in places) else 3)
"""
"""Exits 0 when the interpreter can run `python -m llama_cpp.server` (found without importing llama.cpp)."""

_BOOTSTRAP = """
import os, runpy, sys, threading, time
parent = int(sys.argv.pop(1))
def _watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=_watch, daemon=True).start()
runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
"""
"""`python -m llama_cpp.server` that also exits when its parent (this process) is gone."""


@dataclass
class LocalServer:
    """A running llama.cpp server for one GGUF file."""

    path: Path
    """The GGUF file it serves (resolved)."""
    process: subprocess.Popen
    """The server process (leader of its own process group)."""
    port: int
    """Its port on 127.0.0.1."""
    log_path: Path
    """Where its output goes."""
    temporary_log: bool
    """The log is a temporary file, removed when the server is stopped while still healthy."""

    @property
    def base_url(self) -> str:
        """`api_base` for OpenAI clients, ending in `/v1`."""
        return f"http://{HOST}:{self.port}/v1"

    @property
    def model_name(self) -> str:
        """The litellm model id that reaches it: `openai/<file stem>`."""
        return f"openai/{self.path.stem}"

    def alive(self) -> bool:
        """True while the server process runs."""
        return self.process.poll() is None

    def stop(self, grace: float = 3.0) -> None:
        """End the server (SIGTERM, then SIGKILL after `grace` seconds); a healthy server's temporary log goes."""
        healthy = self.alive()
        if healthy:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait()
        elif self.process.returncode not in (None, 0):
            log.warning("The llama.cpp server for %s had exited with status %s; its log: %s",
                        self.path.name, self.process.returncode, self.log_path)
        if healthy and self.temporary_log:
            self.log_path.unlink(missing_ok=True)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


_servers: dict[Path, LocalServer] = {}
_lock = threading.Lock()


def check_model_file(path: Path) -> Path:
    """`path` resolved, once it is known to be a readable GGUF file; else a one-sentence UserError."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except FileNotFoundError:
        raise UserError(f"The model file {path} does not exist: give the path of a GGUF file already on this "
                        "machine after gguf: (weights are never downloaded at run time).") from None
    except IsADirectoryError:
        raise UserError(f"The model path {path} is a directory: give the .gguf file itself after gguf:.") from None
    except OSError as exc:
        raise UserError(f"The model file {path} cannot be read ({exc.strerror}): fix its permissions or give "
                        "another file after gguf:.") from None
    if magic != GGUF_MAGIC:
        raise UserError(f"The model file {path} is not a GGUF file: give a .gguf file (llama.cpp's format) "
                        "after gguf:.")
    return path.resolve()


def cores() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def server_environment() -> dict[str, str]:
    """The server's environment: ours, with OMP_WAIT_POLICY=PASSIVE unless set and without shadowing variables."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in _SHADOWING_ENV}
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def can_serve(python: str, env: dict[str, str]) -> bool:
    """True when `python` can run `python -m llama_cpp.server` in `env`."""
    try:
        return subprocess.run([python, "-c", _PROBE], env=env, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_python(settings: LocalServerConfig, env: dict[str, str]) -> str:
    """The interpreter that runs the server: this one if it can, else `model.local.python`; else a UserError."""
    if can_serve(sys.executable, env):
        return sys.executable
    if settings.python is None:
        raise UserError(f"A gguf: model needs llama-cpp-python with its server, which {sys.executable} cannot "
                        f"import: {INSTALL_HINT}.")
    python = settings.python.expanduser()
    if not (python.is_file() and os.access(python, os.X_OK)):
        raise UserError(f"model.local.python {python} is not an executable file: give the path of a Python "
                        "interpreter that has llama-cpp-python with its server.")
    if not can_serve(str(python), env):
        raise UserError(f"Neither {sys.executable} nor model.local.python {python} can import llama_cpp.server: "
                        f"{INSTALL_HINT}.")
    return str(python)


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_command(python: str, path: Path, port: int, settings: LocalServerConfig) -> list[str]:
    """The command line of the server for `path` on `port`."""
    flags = ["--model", str(path), "--model_alias", path.stem, "--host", HOST, "--port", str(port),
             "--n_ctx", str(settings.n_ctx), "--n_threads", str(settings.threads or cores())]
    return [python, "-c", _BOOTSTRAP, str(os.getpid()), *flags, *settings.extra_args]


def log_tail(log: Path | str, count: int = 3, limit: int = 400) -> str:
    """The last `count` non-empty lines of a log (file or text), joined by ` | `, at most `limit` characters."""
    try:
        text = log.read_text(errors="replace") if isinstance(log, Path) else log
    except OSError:
        return "(no log)"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    kept = " | ".join(lines[-count:]) if lines else "(empty log)"
    return kept if len(kept) <= limit else "..." + kept[-limit:]


_LOAD_FAILED = "Failed to load model from file"
"""llama-cpp-python's exception text when llama.cpp refuses the model file."""

_LLAMA_REASONS = (re.compile(r"^gguf_\w+: (.+)$"), re.compile(r"^llama_model_load: error loading model: (.+)$"))
"""llama.cpp's own log lines that say why a file did not load, most specific first."""

_EXCEPTION_LINE = re.compile(r"^[\w.]*(?:Error|Exception)\b.*$")
"""The last line of a Python traceback."""


def exit_cause(text: str) -> tuple[bool, str]:
    """Why the server exited, from its log: (the model file could not be loaded, one-line cause)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if any(_LOAD_FAILED in line for line in lines):
        for pattern in _LLAMA_REASONS:
            reasons = [match.group(1) for line in lines if (match := pattern.match(line))]
            if reasons:
                return True, reasons[0]
        return True, "llama.cpp gave no reason"
    exceptions = [line for line in lines if _EXCEPTION_LINE.match(line)]
    return False, exceptions[-1] if exceptions else log_tail(text)


def _open_log(path: Path, settings: LocalServerConfig) -> tuple[Path, bool, Any]:
    if settings.log_file is not None:
        target = settings.log_file.expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        return target, False, target.open("ab")
    fd, name = tempfile.mkstemp(prefix=f"llama-server-{path.stem}-", suffix=".log")
    return Path(name), True, os.fdopen(fd, "wb")


def launch(path: Path, settings: LocalServerConfig) -> LocalServer:
    """Start the server for the GGUF file `path` (not yet waiting for it)."""
    env = server_environment()
    python = find_python(settings, env)
    port = free_port()
    log_path, temporary, handle = _open_log(path, settings)
    with handle:
        try:
            process = subprocess.Popen(server_command(python, path, port, settings), stdin=subprocess.DEVNULL,
                                       stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        except OSError as exc:
            raise UserError(f"The llama.cpp server could not be started with {python} ({exc.strerror}): set "
                            "model.local.python to a working interpreter.") from None
    log.info("llama.cpp server for %s starting on port %d (log: %s)", path.name, port, log_path)
    return LocalServer(path, process, port, log_path, temporary)


def _answer(url: str) -> int | None:
    """The HTTP status of `GET url`, or None while nothing answers (proxies bypassed: it is loopback)."""
    try:
        return httpx.get(url, timeout=5, trust_env=False).status_code
    except httpx.HTTPError:
        return None


def wait_ready(server: LocalServer, timeout: float, poll: float = 0.2) -> None:
    """Return once the server answers `GET /v1/models`; UserError with its log's tail if it dies or never does."""
    deadline = time.monotonic() + timeout
    name = server.path.name
    while True:
        code = server.process.poll()
        if code is not None:
            raise _exited(server, code)
        status = _answer(f"{server.base_url}/models")
        if status == 200:
            return
        if status is not None:
            raise UserError(f"The llama.cpp server for {name} answered GET /v1/models with HTTP {status}: "
                            f"{log_tail(server.log_path)} (full log: {server.log_path}).")
        if time.monotonic() >= deadline:
            raise UserError(f"The llama.cpp server for {name} did not answer within {timeout:g} s (raise "
                            f"model.local.startup_timeout on a busy machine): {log_tail(server.log_path)} "
                            f"(full log: {server.log_path}).")
        time.sleep(poll)


def _exited(server: LocalServer, code: int) -> UserError:
    """The one-line error for a server that exited before answering: the unloadable file, or the exit's cause."""
    try:
        text = server.log_path.read_text(errors="replace")
    except OSError:
        text = ""
    unloadable, cause = exit_cause(text)
    if unloadable:
        return UserError(f"llama.cpp could not load the model file {server.path} ({cause}): it is a truncated "
                         "download or not a model; check its size and sha256, or give another .gguf file after "
                         f"gguf: (full log: {server.log_path}).")
    hint = f"; {INSTALL_HINT}" if "No module named" in cause else ""
    return UserError(f"The llama.cpp server for {server.path.name} exited (status {code}) before answering: "
                     f"{cause} (full log: {server.log_path}){hint}.")


def serve(path: Path, settings: LocalServerConfig) -> LocalServer:
    """The running server for the GGUF file `path`, started (and waited for) on the first call in this process."""
    key = check_model_file(path)
    with _lock:
        server = _servers.get(key)
        if server is not None and server.alive():
            return server
        _install_exit_hooks()
        server = launch(key, settings)
        _servers[key] = server  # registered before the wait: a Ctrl-C while it loads still stops it
        try:
            wait_ready(server, settings.startup_timeout)
        except BaseException:
            _servers.pop(key, None)
            server.stop(grace=1.0)
            raise
        return server


def stop_all() -> None:
    """Stop every server this process started (idempotent; runs at exit)."""
    with _lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.stop()
    _restore_sigterm()


def _on_sigterm(signum: int, frame: Any) -> None:
    """First SIGTERM: end the run like Ctrl-C (outputs are written, then servers stop at exit)."""
    _restore_sigterm()
    raise KeyboardInterrupt


def _restore_sigterm() -> None:
    """SIGTERM's default back, if our handler (installed only over the default) is in place."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is _on_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@functools.cache
def _stop_all_at_exit() -> None:
    """Once per process: stop the servers at exit (pool workers leave through os._exit, not atexit)."""
    atexit.register(stop_all)
    if multiprocessing.parent_process() is not None:
        multiprocessing.util.Finalize(None, stop_all, exitpriority=10)


def _install_exit_hooks() -> None:
    _stop_all_at_exit()
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)
