"""preds.jsonl: atomic replacement, one line per instance, a lock per file, a lenient reader."""

from __future__ import annotations

import json
import threading

import pytest

from core.errors import UserError
from swebench.infer.predictions_writer import PredictionsWriter, read_records
from swebench.predictions import read_predictions
from tests.swebench.conftest import FIX, calc_instance


def prediction(instance_id: str, patch: str = FIX) -> dict:
    return {"instance_id": instance_id, "model_name_or_path": "m", "model_patch": patch}


def test_each_put_leaves_a_complete_file_with_one_line_per_instance(tmp_path):
    path = tmp_path / "preds.jsonl"
    with PredictionsWriter(path) as writer:
        writer.put(prediction("a"))
        writer.put(prediction("b", ""))
        writer.put(prediction("a", "diff --git a/x b/x\n"))  # a redone instance replaces its line
        assert writer.ids() == {"a", "b"}
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["instance_id"] for line in lines] == ["b", "a"]
    assert lines[1]["model_patch"] == "diff --git a/x b/x\n"
    assert path.read_text().endswith("\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preds.jsonl", "preds.jsonl.lock"]  # no temp files left


def test_the_harness_reads_what_the_writer_wrote(tmp_path):
    path = tmp_path / "preds.jsonl"
    instance = calc_instance("0" * 40)
    with PredictionsWriter(path) as writer:
        writer.put(prediction(instance.instance_id))
    found = read_predictions(path, [instance])
    assert found.rejections == []
    assert found.predictions[instance.instance_id].model_patch == FIX


def test_a_reopened_file_keeps_its_records_and_a_torn_last_line_is_dropped_and_repaired(tmp_path):
    path = tmp_path / "preds.jsonl"
    path.write_text(json.dumps(prediction("a")) + "\n" + "not json\n" + json.dumps(prediction("b"))[:30])
    records, problems = read_records(path)
    assert list(records) == ["a"]
    assert problems == ["line 2: not valid JSON, skipped", "line 3: torn last line, skipped"]
    with PredictionsWriter(path) as writer:
        assert writer.ids() == {"a"} and len(writer.problems) == 2
        writer.put(prediction("c"))
    assert [json.loads(line)["instance_id"] for line in path.read_text().splitlines()] == ["a", "c"]


def test_records_without_an_id_are_skipped_and_missing_files_read_as_empty(tmp_path):
    path = tmp_path / "preds.jsonl"
    assert read_records(path) == ({}, [])
    path.write_text('[1, 2]\n{"model_patch": ""}\n\n' + json.dumps(prediction("a")) + "\n")
    records, problems = read_records(path)
    assert list(records) == ["a"] and len(problems) == 2
    with PredictionsWriter(path) as writer, pytest.raises(ValueError):
        writer.put({"model_patch": ""})


def test_a_second_writer_of_the_same_file_is_refused_until_the_first_closes(tmp_path):
    path = tmp_path / "preds.jsonl"
    first = PredictionsWriter(path).open()
    with pytest.raises(UserError, match="another running"):
        PredictionsWriter(path).open()
    first.close()
    PredictionsWriter(path).open().close()


def test_concurrent_puts_from_threads_lose_nothing(tmp_path):
    path = tmp_path / "preds.jsonl"
    with PredictionsWriter(path) as writer:
        threads = [threading.Thread(target=lambda n=n: writer.put(prediction(f"i{n}"))) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(read_records(path)[0]) == sorted(f"i{n}" for n in range(20))
