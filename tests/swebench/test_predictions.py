"""Predictions files with every kind of damage: each line is a prediction or a rejection with a reason."""

from __future__ import annotations

import json

import pytest

from core.errors import UserError
from swebench.datasets import load_dataset
from swebench.predictions import read_predictions, require_predictions

DEV = load_dataset("lite-dev")
FIRST, SECOND, THIRD = DEV[0], DEV[1], DEV[2]


def line(instance_id, patch, model="m"):
    return json.dumps({"instance_id": instance_id, "model_name_or_path": model, "model_patch": patch})


def test_a_damaged_jsonl_file_is_read_line_by_line_with_reasons(tmp_path):
    test_file = next(p for p in THIRD.test_patch.split() if p.startswith("b/")).removeprefix("b/")
    touches_tests = (f"diff --git a/{test_file} b/{test_file}\n--- a/{test_file}\n+++ b/{test_file}\n"
                     "@@ -1 +1 @@\n-a\n+b\n")
    lines = [
        line(FIRST.instance_id, FIRST.patch),                      # 1 fine
        "{not json",                                               # 2 malformed
        line("nobody__nothing-1", "diff"),                          # 3 unknown id
        line(SECOND.instance_id, ""),                              # 4 empty patch: kept
        json.dumps({"model_patch": "x"}),                          # 5 no id
        json.dumps([1, 2]),                                        # 6 not an object
        json.dumps({"instance_id": THIRD.instance_id, "model_patch": 42}),  # 7 patch not a string
        line(THIRD.instance_id, "I could not fix it"),             # 8 not a diff: kept, scored without running
        line(THIRD.instance_id, touches_tests),                    # 9 duplicate of 8, touches test files
        "",                                                        # blank lines are fine
    ]
    path = tmp_path / "preds.jsonl"
    path.write_text("\n".join(lines))
    result = read_predictions(path, DEV)
    reasons = {r.line: r.reason for r in result.rejections}
    assert set(reasons) == {2, 3, 5, 6, 7, 8}
    assert "not valid JSON" in reasons[2] and "unknown instance id" in reasons[3] and "no instance_id" in reasons[5]
    assert "not a JSON object" in reasons[6] and "int" in reasons[7] and "replaced by line 9" in reasons[8]
    assert set(result.predictions) == {FIRST.instance_id, SECOND.instance_id, THIRD.instance_id}
    assert result.predictions[SECOND.instance_id].is_empty
    assert "touches test files" in result.predictions[THIRD.instance_id].notes[0]
    assert result.predictions[FIRST.instance_id].malformed == "" and result.model_name == "m"


def test_patches_that_are_not_diffs_are_flagged(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(line(FIRST.instance_id, "Sorry, here is my explanation instead.") + "\n")
    assert "not a unified diff" in read_predictions(path, DEV).predictions[FIRST.instance_id].malformed


def test_json_list_and_json_object_keyed_by_id(tmp_path):
    (tmp_path / "list.json").write_text(json.dumps([json.loads(line(FIRST.instance_id, FIRST.patch))]))
    (tmp_path / "dict.json").write_text(json.dumps({FIRST.instance_id: {"model_patch": FIRST.patch,
                                                                          "model_name_or_path": "m"}}))
    (tmp_path / "one.json").write_text(json.dumps(json.loads(line(FIRST.instance_id, FIRST.patch)), indent=2))
    for name in ("list.json", "dict.json", "one.json"):
        result = read_predictions(tmp_path / name, DEV)
        assert list(result.predictions) == [FIRST.instance_id] and not result.rejections


def test_null_patches_count_as_empty_and_unreadable_files_are_user_errors(tmp_path):
    (tmp_path / "p.jsonl").write_text(json.dumps({"instance_id": FIRST.instance_id, "model_patch": None}))
    assert read_predictions(tmp_path / "p.jsonl", DEV).predictions[FIRST.instance_id].is_empty
    with pytest.raises(UserError, match="Cannot read the predictions file"):
        read_predictions(tmp_path / "missing.jsonl", DEV)


def test_a_file_without_one_usable_prediction_is_refused_naming_its_first_bad_line(tmp_path):
    cases = {
        "bad.jsonl": ("\n{not json\n[1]\n", r"bad.jsonl, 2 line\(s\) rejected; the first, line 2: not valid JSON"),
        "schema.jsonl": (json.dumps({"id": FIRST.instance_id, "patch": ""}),
                         r"line 1: no instance_id \(keys: id, patch; a prediction has instance_id and model_patch\)"),
        "pretty.json": (json.dumps({"predictions": [1]}, indent=2), r"line 1: no instance_id"),
        "empty.json": ("{}", r"line 1: no instance_id \(keys: none"),
        "unknown.jsonl": (line("nobody__nothing-1", ""), r"line 1 \(nobody__nothing-1\): unknown instance id"),
        "blank.jsonl": ("\n\n", r"blank.jsonl holds no predictions"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        found = read_predictions(tmp_path / name, DEV)
        with pytest.raises(UserError, match=message):
            require_predictions(found, tmp_path / name)


def test_one_usable_line_is_enough(tmp_path):
    (tmp_path / "p.jsonl").write_text("{not json\n" + line(FIRST.instance_id, "") + "\n")
    found = read_predictions(tmp_path / "p.jsonl", DEV)
    require_predictions(found, tmp_path / "p.jsonl")  # no error
    assert list(found.predictions) == [FIRST.instance_id] and [r.line for r in found.rejections] == [1]
