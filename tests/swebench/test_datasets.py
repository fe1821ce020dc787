"""Datasets: bundled Lite copies, JSON/JSONL files, and a hub name read from a local fake datasets-server."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from core.errors import UserError
from swebench.datasets import Instance, load_dataset, select


def test_bundled_lite_has_300_test_and_23_dev_instances():
    lite = load_dataset("lite")
    assert len(lite) == 300 and len(load_dataset("lite-dev")) == 23
    flask = select(lite, ["pallets__flask-4992"])[0]
    assert flask.repo == "pallets/flask" and flask.version == "2.3"
    assert flask.fail_to_pass == ["tests/test_config.py::test_config_from_file_toml"]
    assert isinstance(flask.pass_to_pass, list) and flask.pass_to_pass


def test_known_hub_names_resolve_to_the_bundled_copies_without_network():
    assert len(load_dataset("princeton-nlp/SWE-bench_Lite")) == 300
    assert len(load_dataset("princeton-nlp/SWE-bench_Lite:dev")) == 23


def test_json_jsonl_and_gzip_files_in_the_hub_schema(tmp_path):
    record = {"instance_id": "a__b-1", "repo": "a/b", "base_commit": "abc", "version": 1.5,
              "FAIL_TO_PASS": json.dumps(["t::x"]), "PASS_TO_PASS": ["t::y"], "patch": "", "test_patch": ""}
    (tmp_path / "d.jsonl").write_text(json.dumps(record) + "\n\n")
    (tmp_path / "d.json").write_text(json.dumps([record]))
    (tmp_path / "d.jsonl.gz").write_bytes(gzip.compress(json.dumps(record).encode()))
    for name in ("d.jsonl", "d.json", "d.jsonl.gz"):
        (instance,) = load_dataset(str(tmp_path / name))
        assert instance.version == "1.5" and instance.fail_to_pass == ["t::x"] and instance.pass_to_pass == ["t::y"]
        assert instance.environment_setup_commit == "abc"
    assert Instance.from_record(instance.to_record()) == instance


def test_bad_datasets_are_one_sentence_errors(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"instance_id": "x"}\n')
    with pytest.raises(UserError, match="Record 1"):
        load_dataset(str(tmp_path / "bad.jsonl"))
    (tmp_path / "broken.json").write_text("[{")
    with pytest.raises(UserError, match="not valid JSON"):
        load_dataset(str(tmp_path / "broken.json"))
    with pytest.raises(UserError, match="does not exist"):
        load_dataset(str(tmp_path / "missing.jsonl"))
    with pytest.raises(UserError, match="Unknown dataset"):
        load_dataset("nonsense")
    with pytest.raises(UserError, match="Not in the dataset: nope"):
        select(load_dataset("lite-dev"), ["nope"])


class FakeDatasetsServer(BaseHTTPRequestHandler):
    """The datasets-server `/rows` endpoint: pages of {"row": record}, with num_rows_total."""

    rows: list[dict] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        query = parse_qs(urlparse(self.path).query)
        offset, length = int(query["offset"][0]), int(query["length"][0])
        body = json.dumps({"rows": [{"row_idx": i, "row": r} for i, r in
                                    enumerate(self.rows[offset:offset + length], offset)],
                           "num_rows_total": len(self.rows)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_hub_names_are_read_page_by_page_and_cached(tmp_path, monkeypatch):
    FakeDatasetsServer.rows = [inst.to_record() for inst in load_dataset("lite-dev")] * 6  # 138 rows, 2 pages
    server = HTTPServer(("127.0.0.1", 0), FakeDatasetsServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("REPO_AGENT_DATASETS_SERVER", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    try:
        assert len(load_dataset("someone/SWE-bench_Custom:dev")) == 138
        assert len(load_dataset("verified")) == 138  # the short name reads SWE-bench Verified from the hub
    finally:
        server.shutdown()
    assert (tmp_path / "repo-agent" / "datasets" / "princeton-nlp__SWE-bench_Verified.test.jsonl").exists()
    assert len(load_dataset("someone/SWE-bench_Custom:dev")) == 138  # from the cache, server gone
    monkeypatch.setenv("REPO_AGENT_DATASETS_SERVER", "http://127.0.0.1:9")
    with pytest.raises(UserError, match="Hugging Face hub"):
        load_dataset("someone/other")


def test_narrowing_by_repository_slice_and_seeded_sample_says_what_it_left_out() -> None:
    from swebench.datasets import narrow

    lite = load_dataset("lite")
    flask, said = narrow(lite, ["flask"])
    assert {i.repo for i in flask} == {"pallets/flask"} and said == [f"{300 - len(flask)} of another repository than "
                                                                     "flask"]
    window, said = narrow(lite, slice_text="10:20")
    assert window == lite[10:20] and said == ["290 outside --slice 10:20"]
    drawn, said = narrow(lite, ["pytest-dev/pytest", "sympy"], sample=5, seed=3)
    again, _ = narrow(lite, ["pytest-dev/pytest", "sympy"], sample=5, seed=3)
    assert drawn == again and len(drawn) == 5 and said[-1].endswith("not in the --sample of 5 (seed 3)")
    assert [lite.index(i) for i in drawn] == sorted(lite.index(i) for i in drawn)  # dataset order kept
    with pytest.raises(UserError, match="START:STOP"):
        narrow(lite, slice_text="a:b")
