"""One evaluation's bookkeeping without containers: verdict classes, report.json round trip, failures before
Docker (unsupported, repository unavailable), grading of stored output, the run log."""

from __future__ import annotations

import json
from pathlib import Path

from swebench import grading as g
from swebench.datasets import Instance
from swebench.evaluate import (
    EvalResult,
    EvalSettings,
    RunLog,
    evaluate_instance,
    grade_output,
    regrade_instance,
    write_json,
)
from swebench.images import ImageBuilder
from swebench.mirrors import Mirrors
from swebench.specs import SpecTable

from .conftest import FIX, SPEC_YAML

SPECS = SpecTable(__import__("yaml").safe_load(SPEC_YAML))


def instance(**changes) -> Instance:
    base = {"instance_id": "acme__calc-1", "repo": "acme/calc", "base_commit": "0" * 40, "version": "1.0",
            "patch": FIX, "fail_to_pass": ["test_add (t.T.test_add)"], "pass_to_pass": ["test_mul (t.T.test_mul)"]}
    return Instance(**{**base, **changes})


def output(body: str, exit_code: int = 0) -> str:
    return (f"{g.APPLY_MARKER}: git apply --verbose\n{g.START_MARKER}\n{body}\n{g.END_MARKER}\n"
            f"{g.EXIT_MARKER}: {exit_code}\n")


def graded(text: str) -> EvalResult:
    return grade_output(instance(), SPECS.spec("acme/calc", "1.0"), text, EvalResult("acme__calc-1", "unresolved"))


def test_verdicts_from_eval_output():
    resolved = graded(output("test_add (t.T.test_add) ... ok\ntest_mul (t.T.test_mul) ... ok"))
    assert (resolved.status, resolved.reason, resolved.apply_method, resolved.patch_applied) == \
        ("resolved", "", "git apply --verbose", True)
    failing = graded(output("test_add (t.T.test_add) ... FAIL\ntest_mul (t.T.test_mul) ... ok", 1))
    assert failing.status == "unresolved" and "test_add" in failing.reason and not failing.infra


def test_model_failures_and_infrastructure_failures_are_told_apart():
    cases = {
        f"{g.APPLY_FAILED_MARKER}\n": ("unresolved", False),
        f"{g.APPLY_MARKER}: git apply --verbose\n{g.INSTALL_FAILED_MARKER}\n": ("unresolved", False),
        f"{g.APPLY_MARKER}: git apply --verbose\n{g.TEST_PATCH_FAILED_MARKER}\n": ("error", True),
        "the container printed nothing useful\n": ("error", True),
        output("test_add (t.T.test_add) ... ok\ntest_mul (t.T.test_mul) ... ok", 1): ("unresolved", False),
    }
    for text, expected in cases.items():
        result = graded(text)
        assert (result.status, result.infra) == expected, text
        assert result.reason


def test_report_json_round_trip_keeps_the_official_keys():
    result = EvalResult("a__b-1", "partial", "1 required test(s) fail: x", patch_applied=True,
                        apply_method="git apply --verbose --3way", test_exit_code=1, seconds=4.2,
                        tests_status={"FAIL_TO_PASS": {"success": ["y"], "failure": ["x"]}})
    report = result.to_report("model-x")
    body = report["a__b-1"]
    assert (body["patch_is_None"], body["patch_exists"], body["patch_successfully_applied"], body["resolved"]) == \
        (False, True, True, False)
    assert body["repo_agent"]["model_name_or_path"] == "model-x"
    assert EvalResult.from_report(json.loads(json.dumps(report))) == result
    assert EvalResult.from_report({"x__y-1": {"resolved": True}}).status == "resolved"


def test_unsupported_and_unavailable_repositories_need_no_docker(tmp_path, monkeypatch):
    monkeypatch.setattr("swebench.mirrors.CLONE_URL", str(tmp_path / "nowhere" / "{repo}"))
    builder = ImageBuilder(None, Mirrors(tmp_path, cache=tmp_path / "cache"), SPECS)
    unsupported = evaluate_instance(instance(version="9.9"), FIX, tmp_path / "u", builder, EvalSettings())
    assert unsupported.status == "unsupported" and "version 9.9" in unsupported.reason
    (tmp_path / "acme+calc").mkdir()  # not a git directory, and cloning fails
    missing = evaluate_instance(instance(), FIX, tmp_path / "m", builder, EvalSettings())
    assert (missing.status, missing.infra) == ("error", True) and missing.reason.startswith("repository unavailable")
    assert json.loads((tmp_path / "m" / "report.json").read_text())["acme__calc-1"]["resolved"] is False
    empty = evaluate_instance(instance(), "  \n", tmp_path / "e", builder, EvalSettings())
    assert empty.status == "empty_patch" and (tmp_path / "e" / "run.log").read_text().count("verdict") == 1


def test_regrade_keeps_timings_and_needs_the_stored_output(tmp_path: Path):
    folder = tmp_path / "acme__calc-1"
    folder.mkdir()
    assert regrade_instance(instance(), SPECS, folder) is None
    write_json(folder / "report.json", EvalResult("acme__calc-1", "error", seconds=9.0, test_seconds=5.0).to_report())
    (folder / "test_output.txt").write_text(output("test_add (t.T.test_add) ... ok\ntest_mul (t.T.test_mul) ... ok"))
    result = regrade_instance(instance(), SPECS, folder, "m")
    assert (result.status, result.seconds, result.test_seconds) == ("resolved", 9.0, 5.0)


def test_run_log_lines_are_timestamped(tmp_path):
    log = RunLog(tmp_path / "run.log")
    log("one")
    log("two")
    lines = (tmp_path / "run.log").read_text().splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == ["one", "two"] and lines[0].startswith("[")
