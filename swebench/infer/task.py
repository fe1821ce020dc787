"""What the runner sends a worker (`InstanceTask`) and what comes back (`InstanceOutcome`); both picklable. An
outcome's `kind`: `predicted` (the agent ran, however its loop ended: its patch, maybe empty, goes into preds.jsonl),
`error` (the environment failed: no prediction, a rerun retries) or `not_started` (budget spent)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.config import AgentConfig
from swebench.datasets import Instance
from swebench.images import ImageSource

PREDICTED, ERROR, NOT_STARTED = "predicted", "error", "not_started"
INFRA_EXITS = frozenset({"WorkspaceError", "ModelError", "Interrupted"})
"""Loop endings that are not the model's verdict on the instance: no prediction is written for them."""


@dataclass
class InstanceTask:
    """One instance to run, with everything a worker (thread, process or Ray node) needs to run it."""

    instance: Instance
    """The SWE-bench instance."""
    config: AgentConfig
    """The run's configuration (the job points `runs_dir` at `out_dir`'s parent)."""
    out_dir: Path
    """The instance's folder (trajectory, patch, summary); node-local on a Ray task, which ships it back."""
    cli_model: str | None = None
    """`--model`, when given."""
    images: ImageSource = field(default_factory=ImageSource)
    """Where the instance image and the mirrors come from."""


@dataclass
class InstanceOutcome:
    """How one instance ended."""

    instance_id: str
    """The instance."""
    kind: str
    """`predicted`, `error` or `not_started` (see the module docstring)."""
    exit_status: str = ""
    """How the agent's run ended (`Submitted`, `StepLimitExceeded`, ...) or the error's class name."""
    model_patch: str = ""
    """The prediction: the agent's diff without the test files it wrote."""
    excluded_tests: list[str] = field(default_factory=list)
    """Test files the agent created or edited, kept out of `model_patch`."""
    message: str = ""
    """Details of the ending or of the error."""
    cost: float = 0.0
    """Dollars spent on this instance."""
    steps: int = 0
    """Model calls made."""
    agent_seconds: float = 0.0
    """Time of the agent's run itself (workspace, plan, loop or rollouts, gate)."""
    seconds: float = 0.0
    """Wall time of the whole job in the worker (images and host repository included)."""
    rollout_patches: list[str] | None = None
    """With several rollouts: each one's fix without test files, in rollout order (for pass@k)."""
    selected: int | None = None
    """With several rollouts: the chosen rollout (None: none was chosen)."""
    files: dict[str, bytes] | None = None
    """The instance folder's files by relative path, shipped back from a worker whose disk is not the driver's."""

    @property
    def predicted(self) -> bool:
        """True when the outcome becomes a prediction."""
        return self.kind == PREDICTED

    def prediction(self, model_name: str) -> dict[str, str]:
        """The preds.jsonl line (the official three fields)."""
        return {"instance_id": self.instance_id, "model_name_or_path": model_name, "model_patch": self.model_patch}

    def record(self) -> dict[str, Any]:
        """outcome.json: everything but the shipped files."""
        data = asdict(self)
        data.pop("files")
        return data
