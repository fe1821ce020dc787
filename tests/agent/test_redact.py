"""Redaction: secret environment values, credential shapes, JSON-escaped forms, and the output-filter hook."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from agent import redact as redaction
from agent.gate import GateResult
from agent.redact import MASK, RedactingStream, add_secret, contains_secret, redact, secret_values
from agent.summary import write_outputs
from agent.trajectory import Trajectory, TrajectoryData

GH = "ghp_" + "A1b2" * 9
ENV = {"OPENAI_API_KEY": "sk-abc-very-secret-value", "GITHUB_TOKEN": "ghs_0123456789abcdef0123",
       "DB_PASSWORD": 'pa"ss\\word-long', "SHORT_TOKEN": "1", "HOME": "/root/home/dir", "PATH": "/usr/bin:/bin"}


@pytest.mark.parametrize("secret", [
    GH, "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "sk-ant-api03-" + "x" * 40, "sk-proj-" + "Y" * 30, "AKIAIOSFODNN7EXAMPLE", "AIza" + "B" * 35,
    "xoxb-1234567890-abcdefghij", "hf_" + "c" * 34,
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
])
def test_credential_shapes_are_redacted_wherever_they_come_from(secret: str) -> None:
    assert redact(f"before {secret} after", env={}) == f"before {MASK} after"


def test_environment_secrets_by_name_and_length() -> None:
    text = "key=sk-abc-very-secret-value token ghs_0123456789abcdef0123 home /root/home/dir exit 1"
    assert redact(text, ENV) == f"key={MASK} token {MASK} home /root/home/dir exit 1"


def test_json_escaped_secret_is_redacted_in_serialized_text() -> None:
    serialized = json.dumps({"content": 'the password is pa"ss\\word-long'})
    assert "word-long" not in redact(serialized, ENV)
    assert 'pa\\"ss\\\\word-long' in secret_values(ENV)


def test_only_parts_that_are_secret_are_masked() -> None:
    assert redact("git clone https://x-access-token:s3cr3t@github.com/o/r", {}) == \
        f"git clone https://x-access-token:{MASK}@github.com/o/r"
    assert redact("Authorization: Bearer abcdefghij123", {}) == f"Authorization: Bearer {MASK}"
    assert redact("authorization: token abcdefghij123", {}) == f"authorization: token {MASK}"


def test_ordinary_text_is_left_alone() -> None:
    text = ("risk-assessment-framework-values; task-force-of-twenty-people; sk-learn; ghp_short; "
            "https://example.com:8080/path@v1; def token_count(x): return x")
    assert redact(text, {}) == text
    assert redact(f"\\n{GH}", {}) == f"\\n{MASK}"  # after a JSON escape the token does start a word
    assert redact(f"x{GH}", {}) == f"x{GH}"


def test_registered_secrets_and_contains_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redaction, "_extra_secrets", set())
    assert not contains_secret("value-from-config-1234", {})
    add_secret("value-from-config-1234")
    add_secret("short")
    add_secret(None)
    assert contains_secret("x value-from-config-1234 y", {})
    assert redact("short", {}) == "short"


def test_redacting_stream_passes_redacted_text_on() -> None:
    target = io.StringIO()
    stream = RedactingStream(target)
    assert stream.write(f"token {GH}\n") == len(f"token {GH}\n")
    stream.flush()
    assert target.getvalue() == f"token {MASK}\n" and not stream.isatty()


def test_every_file_of_a_run_folder_is_redacted(tmp_path: Path) -> None:
    data = TrajectoryData(run_id="r1", issue=f"my token is {GH}", exit_message=f"done with {GH}",
                          patch=f"+TOKEN = '{GH}'\n")
    Trajectory(tmp_path / "trajectory.json", data).save()
    write_outputs(tmp_path, data, GateResult(status="no change"))
    for name in ("trajectory.json", "patch.diff", "summary.md"):
        text = (tmp_path / name).read_text()
        assert GH not in text and MASK in text, name
    assert data.issue == f"my token is {GH}"  # only the written text is redacted
