"""Runs without Docker: predictions that need no container, resuming, regrading from stored logs, reports."""

from __future__ import annotations

import json

import pytest

from core.errors import UserError
from swebench.datasets import load_dataset
from swebench.evaluate import EvalResult, write_json
from swebench.grading import APPLY_MARKER, END_MARKER, EXIT_MARKER, START_MARKER
from swebench.predictions import Prediction, PredictionSet
from swebench.report import load_report, official_results, render_html, repo_of, write_reports
from swebench.run_eval import RunOptions, regrade_run, run_evaluation, run_folder
from swebench.specs import SpecTable

DEV = load_dataset("lite-dev")


def no_builder():
    raise AssertionError("nothing here needs Docker")


def preds(*items: tuple[str, str]) -> PredictionSet:
    return PredictionSet({i: Prediction(i, patch, "model-x", n) for n, (i, patch) in enumerate(items, 1)})


def test_empty_and_malformed_patches_are_scored_without_containers(tmp_path):
    options = RunOptions(run_id="r1", runs_dir=tmp_path)
    results = run_evaluation(DEV, preds((DEV[0].instance_id, ""), (DEV[1].instance_id, "no diff here")), no_builder,
                             options, progress=False)
    assert {r.instance_id: r.status for r in results} == {DEV[0].instance_id: "empty_patch",
                                                          DEV[1].instance_id: "unresolved"}
    folder = run_folder(tmp_path, "r1") / DEV[1].instance_id
    assert (folder / "patch.diff").read_text() == "no diff here"
    report = json.loads((folder / "report.json").read_text())[DEV[1].instance_id]
    assert report["resolved"] is False and "not a unified diff" in report["repo_agent"]["reason"]


def test_finished_instances_are_skipped_unless_forced_and_died_containers_are_retried(tmp_path):
    folder = run_folder(tmp_path, "r2")
    done = EvalResult(DEV[0].instance_id, "resolved", seconds=3.0)
    died = EvalResult(DEV[1].instance_id, "error", "container died: gone", infra=True)
    for result in (done, died):
        (folder / result.instance_id).mkdir(parents=True)
        write_json(folder / result.instance_id / "report.json", result.to_report())
    started = []

    def recording_builder():
        started.append(True)
        raise RuntimeError("stop here")

    predictions = preds((DEV[0].instance_id, DEV[0].patch), (DEV[1].instance_id, DEV[1].patch))
    with pytest.raises(RuntimeError):
        run_evaluation(DEV, predictions, recording_builder, RunOptions(run_id="r2", runs_dir=tmp_path), progress=False)
    assert started  # the died one needs a run
    results = run_evaluation(DEV, preds((DEV[0].instance_id, DEV[0].patch)), no_builder,
                             RunOptions(run_id="r2", runs_dir=tmp_path), progress=False)
    assert [r.status for r in results] == ["resolved"]
    with pytest.raises(RuntimeError):
        run_evaluation(DEV, preds((DEV[0].instance_id, DEV[0].patch)), recording_builder,
                       RunOptions(run_id="r2", runs_dir=tmp_path, force=True), progress=False)


def test_regrade_uses_the_stored_logs(tmp_path):
    instance = next(i for i in DEV if i.repo == "marshmallow-code/marshmallow")
    run_evaluation(DEV, preds((instance.instance_id, "")), no_builder, RunOptions(run_id="r3", runs_dir=tmp_path),
                   progress=False)
    folder = run_folder(tmp_path, "r3") / instance.instance_id
    body = "\n".join(f"PASSED {name}" for name in instance.fail_to_pass + instance.pass_to_pass)
    (folder / "test_output.txt").write_text(f"{APPLY_MARKER}: git apply --verbose\n{START_MARKER}\n{body}\n"
                                            f"{END_MARKER}\n{EXIT_MARKER}: 0\n")
    (result,) = regrade_run(DEV, SpecTable.load(), tmp_path, "r3")
    assert result.status == "resolved" and result.apply_method == "git apply --verbose"
    assert json.loads((folder / "report.json").read_text())[instance.instance_id]["resolved"] is True


def test_reports_in_the_official_shape_and_as_a_self_contained_page(tmp_path):
    options = RunOptions(run_id="r4", runs_dir=tmp_path, dataset_name="lite-dev")
    run_evaluation(DEV, preds((DEV[0].instance_id, ""), (DEV[1].instance_id, "junk")), no_builder, options,
                   progress=False)
    folder = run_folder(tmp_path, "r4")
    (folder / DEV[2].instance_id).mkdir()
    write_json(folder / DEV[2].instance_id / "report.json",
               EvalResult(DEV[2].instance_id, "resolved", seconds=12.0).to_report())
    meta = json.loads((folder / "run.json").read_text())
    meta["submitted_ids"].append(DEV[2].instance_id)
    write_json(folder / "run.json", meta)
    report = load_report(tmp_path, "r4")
    results = official_results(report)
    assert results["schema_version"] == 2 and results["total_instances"] == 23
    assert results["resolved_ids"] == [DEV[2].instance_id] and results["empty_patch_ids"] == [DEV[0].instance_id]
    assert results["unresolved_ids"] == [DEV[1].instance_id] and results["completed_instances"] == 2
    assert len(results["incomplete_ids"]) == 20
    per_repo = results["repo_agent"]["per_repo"]
    assert per_repo[repo_of(DEV[2].instance_id)]["resolved"] == 1 and len(per_repo) == 6
    html = render_html(report)
    assert "<svg" in html and DEV[2].instance_id in html and "http://" not in html.replace("http://www.w3", "")
    results_path, html_path = write_reports(report, tmp_path)
    assert json.loads(results_path.read_text())["resolved_instances"] == 1 and html_path.exists()


def test_repo_of_instance_ids():
    assert repo_of("pylint-dev__pylint-7993") == "pylint-dev/pylint"
    assert repo_of("pvlib__pvlib-python-1154") == "pvlib/pvlib-python"


def test_terminal_report_lists_repositories_totals_and_problems(tmp_path):
    from rich.console import Console

    from swebench.report import print_report

    folder = run_folder(tmp_path, "r5")
    run_evaluation(DEV, preds((DEV[0].instance_id, "")), no_builder, RunOptions(run_id="r5", runs_dir=tmp_path),
                   progress=False)
    for result in (EvalResult(DEV[1].instance_id, "resolved", seconds=10.0),
                   EvalResult(DEV[2].instance_id, "error", "timed out after 5s", infra=True, seconds=6.0)):
        (folder / result.instance_id).mkdir()
        write_json(folder / result.instance_id / "report.json", result.to_report())
    meta = json.loads((folder / "run.json").read_text())
    meta["submitted_ids"] += [DEV[1].instance_id, DEV[2].instance_id]
    write_json(folder / "run.json", meta)
    write_json(folder / "rejections.json", [{"line": 3, "reason": "not valid JSON", "instance_id": ""}])
    console = Console(record=True, width=200)
    print_report(load_report(tmp_path, "r5"), console)
    text = console.export_text()
    assert repo_of(DEV[1].instance_id) in text and "all" in text
    assert "mean 8.0s" in text and "infrastructure errors: 1" in text and "rejected predictions lines: 1" in text
    assert f"resolved (1): {DEV[1].instance_id}" in text and f"empty_patch (1): {DEV[0].instance_id}" in text
    results = official_results(load_report(tmp_path, "r5"))
    assert results["error_ids"] == [DEV[2].instance_id]
    assert results["repo_agent"]["infra_error_ids"] == [DEV[2].instance_id]
    assert results["repo_agent"]["rejected_lines"][0]["line"] == 3
    (folder / "rejections.json").write_text("[{", encoding="utf-8")  # a crash while writing it
    assert official_results(load_report(tmp_path, "r5"))["resolved_ids"] == [DEV[1].instance_id]


def test_progress_tally_counts_verdicts():
    from rich.console import Console

    from swebench.run_eval import _Progress

    bar = _Progress(2, Console(record=True), enabled=False)
    bar.done(EvalResult("a__b-1", "resolved"))
    bar.done(EvalResult("a__b-2", "resolved"))
    assert bar.tally == {"resolved": 2}


def test_html_escapes_what_predictions_and_logs_put_in_it(tmp_path):
    folder = run_folder(tmp_path, "r6")
    run_evaluation(DEV, preds((DEV[0].instance_id, "")), no_builder, RunOptions(run_id="r6", runs_dir=tmp_path),
                   progress=False)
    (folder / DEV[1].instance_id).mkdir()
    write_json(folder / DEV[1].instance_id / "report.json",
               EvalResult(DEV[1].instance_id, "unresolved", "<script>alert(1)</script>").to_report())
    meta = json.loads((folder / "run.json").read_text())
    meta["submitted_ids"].append(DEV[1].instance_id)
    write_json(folder / "run.json", meta)
    html = render_html(load_report(tmp_path, "r6"))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_regrade_of_a_missing_or_damaged_run_is_one_sentence(tmp_path):
    with pytest.raises(UserError, match=r"No evaluation run 'never' in .*; run .*--predictions FILE"):
        regrade_run(DEV, SpecTable.load(), tmp_path, "never")
    folder = run_folder(tmp_path, "broken")
    folder.mkdir(parents=True)
    (folder / "run.json").write_text("{")
    with pytest.raises(UserError, match=r"run.json cannot be read .*agent swebench eval --run-id broken"):
        regrade_run(DEV, SpecTable.load(), tmp_path, "broken")
    (folder / "run.json").write_text("[]")
    with pytest.raises(UserError, match="not a run description"):
        regrade_run(DEV, SpecTable.load(), tmp_path, "broken")
