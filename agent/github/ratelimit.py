"""When to retry a GitHub API response and how long to wait: primary limits (`x-ratelimit-reset`), secondary ones
(`retry-after`, else a minute), 5xx and network failures with backoff; 401, 403 for permission, 404, 422 are final."""

from __future__ import annotations

import httpx

SECONDARY_WAIT = 60.0
"""Seconds to wait on a secondary rate limit that names no time (GitHub's advice: at least a minute)."""


def backoff(attempt: int, initial: float = 1.0, cap: float = 60.0) -> float:
    """Exponential backoff for the `attempt`-th retry (1-based): initial, 2x, 4x, ... up to `cap`."""
    return min(cap, initial * 2 ** (attempt - 1))


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def is_rate_limited(response: httpx.Response) -> bool:
    """True for a 403/429 that is about rate limits rather than permissions."""
    if response.status_code not in (403, 429):
        return False
    if response.status_code == 429 or response.headers.get("retry-after") is not None:
        return True
    if response.headers.get("x-ratelimit-remaining") == "0":
        return True
    return "rate limit" in response.text.lower()


def retry_wait(response: httpx.Response, attempt: int, now: float,
               secondary_wait: float = SECONDARY_WAIT) -> float | None:
    """Seconds to wait before retrying `response` (the `attempt`-th failure), or None when it is final."""
    if response.status_code >= 500:
        return backoff(attempt)
    if not is_rate_limited(response):
        return None
    retry_after = _number(response.headers.get("retry-after"))
    if retry_after is not None:
        return max(0.0, retry_after)
    reset = _number(response.headers.get("x-ratelimit-reset"))
    if response.headers.get("x-ratelimit-remaining") == "0" and reset is not None:
        return max(0.0, reset - now) + 1.0  # the reset second itself may still be limited
    return secondary_wait * 2 ** (attempt - 1)
