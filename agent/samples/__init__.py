"""Several rollouts of one issue and the choice of one patch (`agent solve --samples N`, the SWE-bench runner).

The library API: build a `SampleJob` and call `solve_samples(job)`; the `SamplesResult` holds every
rollout, the candidate table (`selection`), the chosen patch, and the cost. `pass_at_k` and
`sampling_metrics` (passk.py) report how often a right patch was generated against how often it was chosen.
"""

from agent.samples.budget import BudgetedModel, SharedBudget
from agent.samples.passk import SampledOutcome, pass_at_k, sampling_metrics
from agent.samples.patches import split_patch
from agent.samples.solve import SampleJob, SamplesResult, solve_samples

__all__ = [
    "BudgetedModel", "SampleJob", "SampledOutcome", "SamplesResult", "SharedBudget", "pass_at_k", "sampling_metrics",
    "solve_samples", "split_patch",
]
