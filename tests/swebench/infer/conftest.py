"""Fixtures for the inference tests: copies of the harness's synthetic calc instance, scripts, a runner helper."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from rich.console import Console

from agent.config import AgentConfig, load_config
from swebench.datasets import Instance
from swebench.images import ImageSource
from swebench.infer.runner import InferOptions, InferRunner, InferSummary
from tests.swebench.conftest import FIX, SPEC_YAML, calc_instance, make_calc_mirror

GOLD = [{"thought": "apply the fix", "tool": "apply_patch", "args": {"patch": FIX}, "cost": 0.01},
        {"tool": "submit", "args": {"summary": "add adds"}}]
"""A scripted run that applies the instance's gold patch through the tools and submits."""
REPRO_TEST = {"tool": "create", "args": {
    "path": "tests/test_repro.py", "content": "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"}}
"""A step that writes a reproduction test (to be kept out of model_patch)."""


def write_script(root: Path, name: str, actions: list[dict]) -> Path:
    """A script file for the scripted model."""
    path = root / name
    path.write_text(json.dumps(actions))
    return path


@dataclass
class Batch:
    """Synthetic instances on the calc mirror, and how to run them."""

    root: Path
    mirrors: Path
    instances: list[Instance]
    spec: Path

    def dataset(self) -> Path:
        """The instances as a JSONL dataset file."""
        path = self.root / "dataset.jsonl"
        path.write_text("".join(json.dumps(i.to_record()) + "\n" for i in self.instances))
        return path

    def config(self, script: Path, *overrides: str, workspace: str = "local") -> AgentConfig:
        """A scripted-model config (no retry waits) on `workspace`."""
        return load_config([f"workspace.type={workspace}", "model.type=scripted", f"model.script={script}",
                            "model.retry.initial_wait=0", *overrides])

    def options(self, **changes) -> InferOptions:
        """Runner options for run `r1` under root/runs."""
        values = {"run_id": "r1", "runs_dir": self.root / "runs", "workers": 2, "model_name": "scripted",
                  "images": ImageSource(str(self.mirrors), (str(self.spec),))}
        return InferOptions(**{**values, **changes})

    def run(self, config: AgentConfig, instances: list[Instance] | None = None, **changes) -> InferSummary:
        """Run the runner (no live view) and return its summary."""
        console = Console(stderr=True, force_terminal=False, width=120)
        runner = InferRunner(config, self.options(**changes), console, live=False)
        return runner.run(self.instances if instances is None else instances)


def make_batch(root: Path, count: int) -> Batch:
    """`count` copies of the calc instance (acme__calc-1 ...) on one mirror, and the tiny spec."""
    mirrors, base = make_calc_mirror(root)
    first = calc_instance(base)
    spec = root / "spec.yaml"
    spec.write_text(SPEC_YAML)
    instances = [replace(first, instance_id=f"acme__calc-{n}") for n in range(1, count + 1)]
    return Batch(root, mirrors, instances, spec)


@pytest.fixture
def batch(tmp_path: Path) -> Batch:
    """Four synthetic instances."""
    return make_batch(tmp_path, 4)


def read_lines(path: Path) -> list[dict]:
    """Every line of a JSONL file, parsed (a torn line fails the test)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
