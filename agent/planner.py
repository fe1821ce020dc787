"""The plan: what a planner (agent/repomap_planner.py) makes of the issue and the repository before the first step.
Kept apart from the planner so a module that reads plans does not import numpy and scipy."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RankedFile(BaseModel):
    """A file the planner thinks is relevant, with why."""

    path: str
    """Path relative to the repository root."""
    score: float
    """Relevance; higher is more relevant (comparable only within one plan)."""
    reasons: list[str] = Field(default_factory=list)
    """Short human-readable reasons (mentioned in the issue, in a stack trace, BM25 match, ...)."""


class Plan(BaseModel):
    """The opening context of a run; stored in the trajectory and rendered into the first prompt."""

    files: list[RankedFile] = Field(default_factory=list)
    """Candidate files, best first."""
    symbols: list[str] = Field(default_factory=list)
    """Key symbols (functions, classes) worth looking at, best first."""
    test_command: str | None = None
    """Command that runs the project's tests, as detected."""
    test_files: list[str] = Field(default_factory=list)
    """Test files most related to the candidate files."""
    repo_map: str = ""
    """Token-budgeted map of definitions for the top of the ranking."""
    notes: list[str] = Field(default_factory=list)
    """Anything the planner wants the reader to know (skipped files, parse failures, ...)."""

