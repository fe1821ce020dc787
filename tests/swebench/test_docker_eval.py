"""The synthetic SWE-bench-style instance end to end in real Docker: images, eval.sh with no network, grading.

Its spec needs nothing from the network (bookworm's Python, unittest), so the images build offline and are
cached under content-hash tags between runs.
"""

from __future__ import annotations

import json

import pytest

from swebench.evaluate import EvalSettings, evaluate_instance
from swebench.images import INSTANCE_REPOSITORY, REPO_DIR, ImageBuilder
from swebench.mirrors import Mirrors
from swebench.predictions import Prediction, PredictionSet
from swebench.report import load_report, official_results
from swebench.run_eval import RunOptions, run_evaluation, run_folder
from swebench.specs import SpecTable
from swebench.validate import validate
from tests.workspaces.docker_support import base_image, docker_client, requires_docker  # noqa: F401 - fixtures

from .conftest import FIX, SPEC_YAML, calc_instance, make_calc_mirror

pytestmark = requires_docker


@pytest.fixture(scope="module")
def calc(tmp_path_factory, docker_client, base_image):  # noqa: F811 - fixtures
    """(builder, instance) for the synthetic instance, with its images built once."""
    root = tmp_path_factory.mktemp("calc")
    mirrors, base = make_calc_mirror(root)
    spec_file = root / "spec.yaml"
    spec_file.write_text(SPEC_YAML)
    builder = ImageBuilder(docker_client, Mirrors(mirrors, cache=root / "cache"), SpecTable.load([spec_file]),
                           log_dir=root / "logs")
    return builder, calc_instance(base)


def test_instance_image_holds_a_fresh_one_commit_repository_with_its_tag(calc, docker_client):  # noqa: F811
    builder, instance = calc
    images = builder.images(instance)
    script = f"cd {REPO_DIR} && git log --oneline | wc -l && git describe --tags && stat -c %u calc.py && git status -s"
    output = docker_client.containers.run(images.instance.name, ["bash", "-c", script], remove=True,
                                          network_mode="none").decode()
    assert output.split() == ["1", "v1.0", "1000"]
    assert docker_client.images.get(f"{INSTANCE_REPOSITORY}:acme__calc-1").id == \
        docker_client.images.get(images.instance.name).id
    again = builder.images(instance)
    assert again.env.cached and again.instance.cached


def test_gold_resolves_and_no_patch_does_not(calc, tmp_path):
    builder, instance = calc
    settings = EvalSettings(timeout=120, memory="1g", run_id="test-swebench")
    gold = evaluate_instance(instance, FIX, tmp_path / "gold", builder, settings)
    assert (gold.status, gold.apply_method, gold.test_exit_code, gold.infra) == \
        ("resolved", "git apply --verbose", 0, False)
    for name in ("patch.diff", "eval.sh", "test_output.txt", "run.log", "report.json"):
        assert (tmp_path / "gold" / name).exists()
    report = json.loads((tmp_path / "gold" / "report.json").read_text())["acme__calc-1"]
    assert report["resolved"] and report["tests_status"]["FAIL_TO_PASS"]["success"] == instance.fail_to_pass
    empty = evaluate_instance(instance, "", tmp_path / "empty", builder, settings, run_empty=True)
    assert (empty.status, empty.test_exit_code) == ("unresolved", 1)
    assert empty.tests_status["FAIL_TO_PASS"]["failure"] == instance.fail_to_pass


def test_the_tests_run_without_network_and_timeouts_are_infrastructure_errors(calc, tmp_path):
    builder, instance = calc
    settings = EvalSettings(timeout=120, memory="1g")
    # adds correctly only when the container has no network interface but loopback
    offline_only = FIX.replace("+    return a + b\n", "+    import os\n"
                               "+    return a + b if os.listdir('/sys/class/net') == ['lo'] else a - b\n")
    offline_only = offline_only.replace("@@ -1,5 +1,5 @@", "@@ -1,5 +1,6 @@")
    result = evaluate_instance(instance, offline_only, tmp_path / "net", builder, settings)
    assert (result.status, result.apply_method) == ("resolved", "git apply --verbose")
    slow = FIX.replace("+    return a + b\n", "+    import time; time.sleep(30); return a + b\n")
    result = evaluate_instance(instance, slow, tmp_path / "slow", builder, EvalSettings(timeout=8, memory="1g"))
    assert (result.status, result.infra) == ("error", True) and "timed out" in result.reason


def test_a_parallel_run_with_damaged_predictions_then_a_resume(calc, tmp_path):
    builder, instance = calc
    bad = FIX.replace("-    return a - b", "-    return nothing")
    predictions = PredictionSet({instance.instance_id: Prediction(instance.instance_id, bad, "m", 1)})
    options = RunOptions(run_id="calc", runs_dir=tmp_path, workers=2, settings=EvalSettings(timeout=120))
    (result,) = run_evaluation([instance], predictions, lambda: builder, options, progress=False)
    assert (result.status, result.infra, result.patch_applied) == ("unresolved", False, False)
    assert "did not apply" in result.reason
    predictions.predictions[instance.instance_id].model_patch = FIX
    (again,) = run_evaluation([instance], predictions, lambda: builder, options, progress=False)
    assert again.status == "unresolved"  # finished instances are kept on rerun
    options.force = True
    (forced,) = run_evaluation([instance], predictions, lambda: builder, options, progress=False)
    assert forced.status == "resolved"
    results = official_results(load_report(tmp_path, "calc"))
    assert results["resolved_ids"] == ["acme__calc-1"]
    assert (run_folder(tmp_path, "calc") / "acme__calc-1" / "test_output.txt").exists()


def test_validate_says_valid_and_caches_per_instance(calc, tmp_path):
    builder, instance = calc
    settings = EvalSettings(timeout=120, memory="1g")
    (first,) = validate([instance], builder, tmp_path, settings)
    assert (first.valid, first.gold, first.empty, first.cached) == (True, "resolved", "unresolved", False)
    (second,) = validate([instance], builder, tmp_path, settings)
    assert second.cached and second.public() == first.public()
