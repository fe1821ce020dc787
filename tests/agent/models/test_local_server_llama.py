"""`gguf:PATH` against the real llama-cpp-python server, where `repo-agent[local]` is installed (CI installs it)."""

from __future__ import annotations

import importlib.util
import struct
import sys
import tempfile
from pathlib import Path

import pytest

from agent.config import LocalServerConfig
from agent.models import local_server
from core.errors import UserError

_spec = importlib.util.find_spec("llama_cpp")
_has_server = bool(_spec and any((Path(p) / "server" / "__main__.py").is_file()
                                 for p in _spec.submodule_search_locations or []))
pytestmark = pytest.mark.skipif(not _has_server, reason=f"llama-cpp-python with its server is not installed for "
                                f"{sys.executable}: pip install 'repo-agent[local]'")

HEADER_V3 = b"GGUF" + struct.pack("<I", 3)


@pytest.fixture(autouse=True)
def temp_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Server logs go to tmp_path; every server started is stopped."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    yield
    local_server.stop_all()


@pytest.mark.parametrize(("content", "cause"), [
    (b"GGUF" + bytes(60), "bad GGUF version: 0"),                                   # the magic, then nothing
    (HEADER_V3 + struct.pack("<QQ", 2, 5) + b"\x05\x00", "failed to read key-value pairs"),  # a cut download
    (HEADER_V3 + struct.pack("<QQ", 0, 0), "unknown model architecture: ''"),        # valid GGUF, not a model
])
def test_a_file_llama_cpp_cannot_load_is_one_line_with_file_cause_and_log(tmp_path: Path, content: bytes,
                                                                          cause: str) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(UserError) as info:
        local_server.serve(path, LocalServerConfig(threads=1, startup_timeout=120))
    text = str(info.value)
    assert "\n" not in text and "Traceback" not in text
    assert text.startswith(f"llama.cpp could not load the model file {path.resolve()} ({cause}): ")
    log = Path(text.split("(full log: ")[1].split(")")[0])
    assert log.parent == tmp_path and "Failed to load model from file" in log.read_text()
    assert list(local_server._servers.values()) == []
