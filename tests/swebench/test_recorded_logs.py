"""Grading real eval.sh output recorded on development instances: gold resolves, no patch does not.

The logs in logs/ are test_output.txt files written by this harness for Lite instances; grading them with
each repository's parser must give the verdicts the validation gave.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from swebench.datasets import load_dataset, select
from swebench.grading import grade_log
from swebench.log_parsers import get_parser
from swebench.specs import SpecTable

LOGS = Path(__file__).parent / "logs"
CASES = sorted({path.name.split(".")[0] for path in LOGS.glob("*.txt")})


@pytest.mark.parametrize("instance_id", CASES)
def test_recorded_gold_log_resolves_and_empty_log_does_not(instance_id):
    (instance,) = select(load_dataset("lite"), [instance_id])
    parser = get_parser(SpecTable.load().spec_for(instance).log_parser)
    gold_reading, gold = grade_log((LOGS / f"{instance_id}.gold.txt").read_text(), parser,
                                   instance.fail_to_pass, instance.pass_to_pass)
    assert gold.status == "resolved", gold.tests_status
    assert gold_reading.apply_method == "git apply --verbose" and gold_reading.exit_code == 0
    assert set(gold.tests_status["FAIL_TO_PASS"]["success"]) == set(instance.fail_to_pass)
    empty_reading, empty = grade_log((LOGS / f"{instance_id}.empty.txt").read_text(), parser,
                                     instance.fail_to_pass, instance.pass_to_pass)
    assert empty.status == "unresolved" and empty_reading.apply_method is None
    assert empty.tests_status["FAIL_TO_PASS"]["failure"]
    assert empty_reading.exit_code not in (0, None)


def test_there_are_recorded_logs_for_several_repositories():
    assert {case.split("__")[0] for case in CASES} >= {"pallets", "mwaskom", "pylint-dev"}
