"""The Ray backend on a local Ray instance (`ray.init(num_cpus=2)` with the `docker` resource).

Tasks run in Ray worker processes, work in node-local folders and ship them back: predictions and instance
folders must land on the driver. The global budget lives in a Ray actor.
"""

from __future__ import annotations

import json
import os

import pytest

from swebench.infer.task import PREDICTED
from tests.workspaces.docker_support import base_image, docker_client, requires_docker  # noqa: F401 - fixtures

from .conftest import GOLD, make_batch, read_lines, write_script

if not os.environ.get("CI"):
    pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray instance with two CPUs and two units of `docker`, shut down after the module."""
    import ray

    ray.init(num_cpus=2, resources={"docker": 2}, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_predictions_and_instance_folders_come_back_to_the_driver(local_ray, tmp_path):
    batch = make_batch(tmp_path, 3)
    summary = batch.run(batch.config(write_script(tmp_path, "gold.json", GOLD)), backend="ray", budget=10.0)
    assert sorted(summary.outcomes) == [i.instance_id for i in batch.instances]
    assert {o.kind for o in summary.outcomes.values()} == {PREDICTED}
    folder = tmp_path / "runs" / "swebench" / "r1"
    assert sorted(line["instance_id"] for line in read_lines(folder / "preds.jsonl")) == sorted(summary.outcomes)
    for instance in batch.instances:
        files = sorted(p.name for p in (folder / "infer" / instance.instance_id).iterdir())
        assert files == ["outcome.json", "patch.diff", "summary.md", "trajectory.json"]
    assert summary.progress.tally.spent == pytest.approx(0.03)  # every call charged to the actor's ledger


def test_the_budget_in_the_actor_stops_the_batch(local_ray, tmp_path):
    batch = make_batch(tmp_path, 4)
    # $0.03 a step: an instance that runs alone (the other still starting) reaches the budget within 4 steps,
    # before 5 identical calls would end it for repeating itself
    spend = [{"tool": "apply_patch", "args": GOLD[0]["args"], "cost": 0.03, "sleep": 0.2},
             {"tool": "run", "args": {"command": "true"}, "cost": 0.03, "sleep": 0.3, "repeat": "forever"}]
    summary = batch.run(batch.config(write_script(tmp_path, "spend.json", spend)), backend="ray", budget=0.1)
    assert summary.budget_spent and len(summary.not_started) >= 2
    assert all(o.exit_status == "BudgetExhausted" for o in summary.outcomes.values())
    assert 0.1 <= summary.progress.tally.spent <= 0.1 + 2 * 0.03


def docker_test(test):
    """Mark one test as a Docker test (the module's other tests need no Docker)."""
    for mark in requires_docker:
        test = mark(test)
    return test


@docker_test
def test_an_instance_container_on_a_ray_task_gives_a_prediction_the_harness_resolves(local_ray, tmp_path,
                                                                                   base_image):  # noqa: F811
    from swebench.evaluate import EvalSettings, evaluate_instance
    from swebench.images import ImageSource
    from swebench.infer.instance_job import builder_for

    batch = make_batch(tmp_path, 1)
    summary = batch.run(batch.config(write_script(tmp_path, "gold.json", GOLD), workspace="docker"), backend="ray")
    outcome = summary.outcomes["acme__calc-1"]
    assert (outcome.kind, outcome.exit_status) == (PREDICTED, "Submitted")
    line = read_lines(tmp_path / "runs" / "swebench" / "r1" / "preds.jsonl")[0]
    builder = builder_for(ImageSource(str(batch.mirrors), (str(batch.spec),)))
    result = evaluate_instance(batch.instances[0], line["model_patch"], tmp_path / "eval", builder,
                               EvalSettings(timeout=120, memory="1g"))
    assert result.status == "resolved"
    trajectory = tmp_path / "runs" / "swebench" / "r1" / "infer" / "acme__calc-1" / "trajectory.json"
    assert json.loads(trajectory.read_text())["gate"]["status"] == "passed"
