"""The shared failure path: classification, retry-after hints, backoff, one-sentence failures."""

from __future__ import annotations

import email.utils
import time

import pytest

from agent.config import RetryConfig
from agent.models.resilience import (
    call_with_retries,
    describe_failure,
    error_kind,
    resilient_query,
    retry_after,
)
from agent.models.scripted import make_exception
from core.errors import FormatError, ModelError
from core.types import Message
from tests.agent.models.support import history


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("RateLimitError", "transient"), ("Timeout", "transient"), ("APIConnectionError", "transient"),
        ("InternalServerError", "transient"), ("ServiceUnavailableError", "transient"),
        ("BadGatewayError", "transient"), ("APIError", "transient"),
        ("AuthenticationError", "fatal"), ("BadRequestError", "fatal"), ("NotFoundError", "fatal"),
        ("PermissionDeniedError", "fatal"), ("ContentPolicyViolationError", "fatal"),
        ("ContextWindowExceededError", "overflow"),
    ],
)
def test_litellm_errors_are_classified(name: str, kind: str) -> None:
    assert error_kind(make_exception(name, "x", "m")) == kind


def test_other_exceptions_are_not_provider_errors() -> None:
    assert error_kind(ValueError("bug")) is None
    assert error_kind(FormatError("bad reply")) is None


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after(make_exception("RateLimitError", "x", "m", retry_after=12)) == 12.0
    assert retry_after(make_exception("RateLimitError", "x", "m")) is None
    exc = make_exception("RateLimitError", "x", "m")
    exc.litellm_response_headers = {"retry-after": email.utils.formatdate(time.time() + 30, usegmt=True)}
    assert 25 <= retry_after(exc) <= 30


def test_backoff_doubles_and_is_capped() -> None:
    waits: list[float] = []
    failures = iter([make_exception("InternalServerError", "x", "m") for _ in range(4)])

    def flaky() -> str:
        exc = next(failures, None)
        if exc is not None:
            raise exc
        return "ok"

    assert call_with_retries(flaky, RetryConfig(attempts=5, initial_wait=1, max_wait=3), waits.append) == "ok"
    assert waits == [1, 2, 3, 3]


def test_a_hint_above_max_wait_is_capped() -> None:
    waits: list[float] = []
    errors = iter([make_exception("RateLimitError", "x", "m", retry_after=600)])

    def once() -> str:
        exc = next(errors, None)
        if exc:
            raise exc
        return "ok"

    call_with_retries(once, RetryConfig(attempts=2, initial_wait=1, max_wait=60), waits.append)
    assert waits == [60]


def test_failures_read_as_one_sentence() -> None:
    auth = make_exception("AuthenticationError", "bad key", "anthropic/claude-x")
    auth.llm_provider = "anthropic"
    text = describe_failure(auth, "anthropic/claude-x", 3)
    assert text == ("The provider rejected the API key for anthropic/claude-x (401): "
                    "set ANTHROPIC_API_KEY (or model.api_key) to a valid key.")
    unknown_provider = describe_failure(make_exception("AuthenticationError", "bad", "x"), "x", 3)
    assert "set the provider's API key variable" in unknown_provider
    for exc in (auth, make_exception("RateLimitError", "x", "m"), make_exception("BadRequestError", "bad\nmore", "m")):
        sentence = describe_failure(exc, "m", 6)
        assert sentence.endswith(".") and "\n" not in sentence


def test_resilient_query_leaves_other_exceptions_alone() -> None:
    def broken(_messages: list[Message]) -> Message:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        resilient_query(broken, history(1), model="m", retry=RetryConfig(attempts=3), keep_recent_turns=1)


def test_resilient_query_turns_fatal_errors_into_model_errors_with_the_cause() -> None:
    cause = make_exception("NotFoundError", "no such model", "m")

    def refused(_messages: list[Message]) -> Message:
        raise cause

    with pytest.raises(ModelError) as info:
        resilient_query(refused, history(1), model="m", retry=RetryConfig(attempts=3), keep_recent_turns=1)
    assert info.value.__cause__ is cause
