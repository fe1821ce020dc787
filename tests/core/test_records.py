"""JSON records from text or a file: arrays, JSON Lines, gzip by name, bad lines."""

from __future__ import annotations

import gzip
import json

import pytest

from core.records import parse_records, read_records


def test_an_array_and_json_lines_give_the_same_records() -> None:
    records = [{"a": 1}, {"b": "x\u2028y"}]
    assert parse_records(json.dumps(records, indent=2)) == records
    assert parse_records("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n") == records


def test_files_are_read_gzipped_by_name_and_bad_lines_raise(tmp_path) -> None:
    (tmp_path / "r.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n{"a": 2}\n'))
    assert read_records(tmp_path / "r.jsonl.gz") == [{"a": 1}, {"a": 2}]
    (tmp_path / "bad.jsonl").write_text('{"a": 1}\n{not json\n')
    with pytest.raises(json.JSONDecodeError):
        read_records(tmp_path / "bad.jsonl")
