"""The one path every model call takes through provider failures (LitellmModel and ScriptedModel): transient
errors retried with backoff (and retry-after) within the deadline, overflow compacted and retried once, anything
else a one-sentence `ModelError`. Errors are classified by class name and HTTP status, without importing litellm."""

from __future__ import annotations

import email.utils
import re
import socket
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from agent.config import RetryConfig
from agent.models.compaction import compact
from agent.models.selection import key_variable
from core.errors import ModelError, TimeLimitExceeded
from core.types import Message

T = TypeVar("T")
ErrorKind = Literal["overflow", "transient", "unreachable", "fatal"]

TRANSIENT_ERRORS = frozenset({
    "RateLimitError", "Timeout", "APITimeoutError", "APIConnectionError", "InternalServerError",
    "ServiceUnavailableError", "BadGatewayError",
})
"""litellm/openai exception classes worth retrying."""

_LITELLM_PREFIX = re.compile(r"^(?:litellm\.\w+:\s*|\w+Error:\s*)+")


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def unreachable_reason(exc: BaseException) -> str | None:
    """`connection refused` / `unknown host` when no connection could be made at all, else None; `exc` and the
    exceptions it was raised from are asked (litellm wraps openai, which wraps httpx, ...)."""
    seen: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in seen and len(seen) < 12:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "unknown host"
        if type(cause).__name__ == "ConnectError" and "refused" in str(cause).lower():
            return "connection refused"
        seen.append(cause)
        cause = cause.__cause__ or cause.__context__
    return None


def error_kind(exc: BaseException) -> ErrorKind | None:
    """How a provider error is handled; None for exceptions that are not provider errors (they propagate)."""
    names = _class_names(exc)
    if "ContextWindowExceededError" in names:
        return "overflow"
    if unreachable_reason(exc):
        return "unreachable"
    if names & TRANSIENT_ERRORS:
        return "transient"
    status = getattr(exc, "status_code", None)
    from_provider = type(exc).__module__.split(".")[0] in {"litellm", "openai"}
    if not from_provider or not isinstance(status, int):
        return None
    return "transient" if status >= 500 or status == 408 else "fatal"


def retry_after(exc: BaseException) -> float | None:
    """Seconds the provider asked us to wait (`retry-after` header, seconds or HTTP date), if it said."""
    headers: Any = getattr(exc, "litellm_response_headers", None)
    if not headers:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        return None if parsed is None else max(0.0, email.utils.mktime_tz(parsed) - time.time())


def call_with_retries(fn: Callable[[], T], retry: RetryConfig, sleep: Callable[[float], None] = time.sleep,
                      deadline: float | None = None) -> T:
    """Call `fn`, retrying transient provider errors; the last error is re-raised when attempts run out or the
    next attempt would start after `deadline` (a `time.monotonic()` value)."""

    def wait(state: RetryCallState) -> float:
        """`initial_wait * 2**(n-1)`, or the provider's hint when it gave one; capped at `max_wait`."""
        hint = retry_after(state.outcome.exception()) if state.outcome else None
        return min(retry.initial_wait * 2 ** (state.attempt_number - 1) if hint is None else hint, retry.max_wait)

    def out_of_time(state: RetryCallState) -> bool:
        return deadline is not None and time.monotonic() + wait(state) >= deadline

    return Retrying(retry=retry_if_exception(lambda exc: error_kind(exc) == "transient"), wait=wait, sleep=sleep,
                    stop=stop_after_attempt(retry.attempts) | out_of_time, reraise=True)(fn)


def _first_line(exc: BaseException) -> str:
    text = _LITELLM_PREFIX.sub("", str(getattr(exc, "message", None) or exc).strip())
    return (text.splitlines() or [type(exc).__name__])[0][:300].rstrip(".")


def describe_failure(exc: BaseException, model: str, attempts: int, endpoint: str | None = None) -> str:
    """One sentence for a provider failure that retries did not fix."""
    names, status = _class_names(exc), getattr(exc, "status_code", None)
    status = f" ({status})" if status else ""
    reason = unreachable_reason(exc)
    if reason:
        where = endpoint or f"the provider of {model}"
        return (f"Could not reach the model server at {where} ({reason}): start the server or fix "
                f"{'model.api_base' if endpoint else 'the network settings'}.")
    if "AuthenticationError" in names:
        variable = key_variable(getattr(exc, "llm_provider", None)) or "the provider's API key variable"
        return (f"The provider rejected the API key for {model}{status}: "
                f"set {variable} (or model.api_key) to a valid key.")
    if "PermissionDeniedError" in names:
        return f"The provider denied access to {model}{status}: check that your API key may use this model."
    if "NotFoundError" in names:
        return f"The provider does not know the model {model}{status}: check the name given with --model or model.name."
    if "ContextWindowExceededError" in names:
        return (f"The conversation no longer fits the context window of {model}, even after eliding old tool "
                "outputs: use a model with a larger window or lower limits.steps.")
    if error_kind(exc) == "transient":
        return (f"The provider kept failing for {model} after {attempts} attempts ({type(exc).__name__}{status}): "
                "try again later or raise model.retry.attempts.")
    return f"The provider rejected the request to {model}{status}: {_first_line(exc)}."


def resilient_query(
    send: Callable[[list[Message]], Message],
    messages: list[Message],
    *,
    model: str,
    retry: RetryConfig,
    keep_recent_turns: int,
    sleep: Callable[[float], None] = time.sleep,
    deadline: float | None = None,
    endpoint: str | None = None,
) -> Message:
    """`send(messages)` with retries, one compaction on overflow, `TimeLimitExceeded` once `deadline` has passed,
    and `ModelError` (naming `endpoint`, when given, if it cannot be reached) for what cannot be fixed."""
    try:
        try:
            return call_with_retries(lambda: send(messages), retry, sleep, deadline)
        except Exception as exc:
            if error_kind(exc) != "overflow" or not compact(messages, keep_recent_turns):
                raise
        reply = call_with_retries(lambda: send(messages), retry, sleep, deadline)
        reply.meta["compacted"] = True
        return reply
    except Exception as exc:
        if error_kind(exc) is None:
            raise
        if deadline is not None and time.monotonic() >= deadline and error_kind(exc) == "transient":
            raise TimeLimitExceeded("wall-time limit reached while waiting for the model") from exc
        raise ModelError(describe_failure(exc, model, retry.attempts, endpoint)) from exc
