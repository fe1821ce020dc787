"""Configuration of the strategies: which one runs, and the repair strategy's settings (`strategy`, `repair`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.types import StrictModel

StrategyName = Literal["auto", "repair", "loop"]
"""`auto`: repair when a failing test is known (or the model is self-hosted), then the tool loop with the time left
if none passed; `repair`: only the repair strategy; `loop`: only the tool-using agent loop."""


class RepairConfig(StrictModel):
    """The repair strategy: the model rewrites the suspect code; candidates are judged by the failing tests."""

    samples: int = Field(default=10, ge=1)
    """Model calls for candidates, at most (one-line answers included)."""
    self_hosted_samples: int = Field(default=40, ge=1)
    """`samples` for a self-hosted model aiming at a failing test under `auto`: the tool loop after a failed repair
    rarely helps a small model, so more samples get the time (still bounded by the wall-time limit)."""
    temperatures: list[float] = Field(default_factory=lambda: [0.0, 0.8])
    """Temperature of candidate k is item k (the last one repeats): a greedy answer first, then samples."""
    first_round: int = Field(default=2, ge=1)
    """Candidates asked for from the opening prompt before any feedback."""
    line_samples: int = Field(default=4, ge=0)
    """One-line answers (`LINE n: fix`) after the first round: cheap, and a small model can often point at the line."""
    mutants: int = Field(default=40, ge=0)
    """Mutants (generic edits of suspect Python lines) when a failing test is known, in half the time left (0: none)."""
    reproduce: int = Field(default=3, ge=0)
    """When no test fails, test files asked for from the issue until one fails on the base commit (0: never)."""
    stop_after: int = Field(default=1, ge=1)
    """Candidates that pass every known test after which no more are asked for (more: more agreement)."""
    explain: bool = False
    """Ask for a sentence on which line is wrong and why before the code (a small model reasons first)."""
    feedback: bool = True
    """After the first round, show the model its best candidate and what still fails, and ask again."""
    context_lines: int = Field(default=120, ge=20)
    """Lines of code shown to the model, at most (each is also written back: answers grow with it)."""
    whole_file_lines: int = Field(default=120, ge=10)
    """Files this short are shown whole."""
    file_lines: int = Field(default=300, ge=0)
    """Whole-file rewrites of the first suspect file when it has at most this many lines (0: none)."""
    issue_chars: int = Field(default=2500, ge=200)
    """Characters of the issue shown (head and tail kept)."""
    report_chars: int = Field(default=2500, ge=200)
    """Characters of the failing tests' report shown."""
    max_output_tokens: int = Field(default=1536, ge=64)
    """Output budget of one candidate (the code shown, rewritten, fits)."""
