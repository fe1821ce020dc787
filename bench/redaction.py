"""Cost of secret redaction on a serialized trajectory (it runs on every trajectory save, i.e. every step).

    .venv/bin/python bench/redaction.py             # 1, 4 and 16 MB of trajectory-like JSON
    .venv/bin/python bench/redaction.py --sizes 2    # other sizes, in MB

Prints the median and p95 milliseconds of `redact()` per size, with the environment of the
machine (its secret-named variables are among the literals looked for) plus three planted tokens.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.redact import redact  # noqa: E402

LINE = {"role": "tool", "content": "exit code: 0\n  File \"src/pkg/module.py\", line 42, in handler\n"
        "    return self.session.get(url, headers={'Accept': 'application/json'}, timeout=30)\n"}


def trajectory_text(megabytes: float) -> str:
    """JSON shaped like a trajectory's messages, about `megabytes` long, with a few secrets planted."""
    one = json.dumps(LINE)
    count = int(megabytes * 1_000_000 / len(one))
    messages = [LINE] * count
    text = json.dumps({"messages": messages}, indent=1)
    planted = ["ghp_" + "x" * 36, "sk-proj-" + "y" * 40, "AKIA" + "Z" * 16]
    third = len(text) // 3
    a, b, c = (f" {token} " for token in planted)
    return text[:third] + a + text[third:2 * third] + b + text[2 * third:] + c


def measure(text: str, repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` redactions."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        redacted = redact(text)
        times.append((time.perf_counter() - start) * 1000)
    assert redacted.count("[REDACTED]") >= 3
    return times


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 4, 16], help="sizes in MB")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"{'size':>8} {'median ms':>10} {'p95 ms':>8} {'ms/MB':>7}")
    for size in args.sizes:
        text = trajectory_text(size)
        times = sorted(measure(text, args.repeat))
        median, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
        print(f"{len(text) / 1e6:>6.1f}MB {median:>10.1f} {p95:>8.1f} {median / (len(text) / 1e6):>7.1f}")


if __name__ == "__main__":
    main()
