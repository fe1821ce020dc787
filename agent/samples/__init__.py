"""Several rollouts of one issue and the choice of one patch (`agent solve --samples N`, the SWE-bench runner).

The library API: build a `SampleJob` and call `solve_samples(job)`; the `SamplesResult` holds every
rollout, the candidate table (`selection`), the chosen patch, and the cost. `pass_at_k` and
`sampling_metrics` (passk.py) report how often a right patch was generated against how often it was chosen.
Names are imported on first use, so that `agent solve` without `--samples` does not pay for them.
"""

from __future__ import annotations

import importlib
from typing import Any

EXPORTS = {
    "BudgetedModel": "budget", "SharedBudget": "budget",
    "SampledOutcome": "passk", "pass_at_k": "passk", "sampling_metrics": "passk",
    "split_patch": "patches",
    "SampleJob": "solve", "SamplesResult": "solve", "solve_samples": "solve",
}
"""Public name -> the module of this package that defines it."""

__all__ = sorted(EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{EXPORTS[name]}"), name)
