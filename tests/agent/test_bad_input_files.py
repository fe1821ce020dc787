"""What a user gets wrong with files and other commands: replay, swebench eval/report/validate, map, github, Docker.

The real `agent` console script, as in test_bad_input.py: exit status, one stderr line naming the problem, no
traceback. No model, no Docker (DOCKER_HOST points at a closed port).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.agent.test_bad_input import SCRIPTED, agent, cases, make_place, one_line_error

KNOWN = "marshmallow-code__marshmallow-1343"
"""An instance of the bundled lite-dev dataset."""
OTHER = "sqlfluff__sqlfluff-1625"
"""Another lite-dev instance."""


def write(folder: Path, name: str, text: str) -> str:
    """Write `text` to folder/name (parents made) and return the name."""
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return name


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """A working folder with calc/ (a git repository), plain/ and a few input files."""
    return make_place(tmp_path / "work")


@pytest.fixture
def run_folder(place: Path) -> Path:
    """A real run folder from a scripted solve of calc/."""
    result = agent("solve", "-r", "calc", "-i", "add() subtracts", *SCRIPTED, cwd=place, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    (folder,) = (place / "runs").iterdir()
    return folder


def test_replay_takes_a_run_folder(place: Path, run_folder: Path) -> None:
    for target in (run_folder, run_folder / "trajectory.json"):
        result = agent("replay", str(target.relative_to(place)), cwd=place, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "identical" in result.stdout


def test_replay_of_a_trajectory_whose_repository_is_gone(place: Path, run_folder: Path) -> None:
    data = json.loads((run_folder / "trajectory.json").read_text())
    data["repo"] = {"path": str(place / "gone"), "commit": data["repo"].get("commit", "HEAD")}
    (run_folder / "trajectory.json").write_text(json.dumps(data))
    one_line_error(agent("replay", str(run_folder), cwd=place), "gone", "no longer exists")


REPLAY_ERRORS = [
    ("missing file", {}, "nope.json", ["nope.json", "does not exist"]),
    ("folder without a trajectory", {"runs/empty/patch.diff": ""}, "runs/empty", ["runs/empty", "trajectory.json"]),
    ("corrupt JSON", {"runs/r1/trajectory.json": "{not json"}, "runs/r1", ["r1/trajectory.json", "not valid JSON"]),
    ("JSON that is not an object", {"t.json": "[1, 2]"}, "t.json", ["t.json", "JSON object"]),
    ("another file format", {"t.json": '{"a": 1}'}, "t.json", ["t.json", "trajectory format"]),
    ("a trajectory missing fields", {"t.json": '{"trajectory_format": 1}'}, "t.json", ["t.json", "Field required"]),
    ("not UTF-8", {"t.json": "\udcff"}, "t.json", ["t.json", "utf-8"]),
]


@pytest.mark.parametrize(("files", "target", "names"), cases(REPLAY_ERRORS))
def test_replay_of_what_is_not_a_trajectory(place: Path, files: dict, target: str, names: list[str]) -> None:
    for name, text in files.items():
        (place / name).parent.mkdir(parents=True, exist_ok=True)
        (place / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    one_line_error(agent("replay", target, cwd=place), *names)


EVAL = ["swebench", "eval", "--dataset", "lite-dev", "--run-id", "r1"]
PREDICTION = json.dumps({"instance_id": KNOWN, "model_name_or_path": "m", "model_patch": ""})
EVAL_ERRORS = [
    ("every line invalid", {"p.jsonl": "not json\n{\"x\": 1}\n[1]\n"}, ["-p", "p.jsonl"],
     ["p.jsonl", "3 line(s)", "line 1", "not valid JSON"]),
    ("every line of another schema", {"p.jsonl": '{"id": "a", "patch": ""}\n{"id": "b"}\n'}, ["-p", "p.jsonl"],
     ["line 1", "no instance_id", "id, patch"]),
    ("a pretty-printed object of another schema", {"p.json": '{\n  "predictions": "x"\n}\n'}, ["-p", "p.json"],
     ["line 1", "no instance_id"]),
    ("only unknown instance ids", {"p.jsonl": '{"instance_id": "nobody__x-1", "model_patch": ""}\n'},
     ["-p", "p.jsonl"], ["line 1", "nobody__x-1", "unknown instance id"]),
    ("an empty predictions file", {"p.jsonl": "\n"}, ["-p", "p.jsonl"], ["p.jsonl", "no predictions"]),
    ("a missing predictions file", {}, ["-p", "missing.jsonl"], ["missing.jsonl", "Cannot read"]),
    ("a folder as predictions file", {"d/x": ""}, ["-p", "d"], ["Cannot read the predictions file d"]),
    ("no --predictions", {}, [], ["--predictions"]),
    ("unknown dataset name", {"p.jsonl": PREDICTION}, ["-p", "p.jsonl", "--dataset", "nonsense"],
     ["Unknown dataset", "nonsense"]),
    ("dataset file that is not JSON", {"p.jsonl": PREDICTION, "ds.jsonl": "oops\n"},
     ["-p", "p.jsonl", "--dataset", "ds.jsonl"], ["ds.jsonl", "not valid JSON"]),
    ("unknown --instances id", {"p.jsonl": PREDICTION}, ["-p", "p.jsonl", "--instances", "nobody__x-1"],
     ["nobody__x-1", "Not in the dataset"]),
    ("--instances without a prediction", {"p.jsonl": PREDICTION}, ["-p", "p.jsonl", "--instances", OTHER],
     ["no prediction for the instances", OTHER]),
    ("--regrade of a run that never ran", {}, ["--regrade"], ["No evaluation run 'r1'", "--predictions"]),
    ("--regrade of a damaged run", {"runs/swebench/r1/run.json": "{"}, ["--regrade"],
     ["run.json", "cannot be read"]),
]


@pytest.mark.parametrize(("files", "args", "names"), cases(EVAL_ERRORS))
def test_swebench_eval_refuses_what_it_cannot_score(place: Path, files: dict, args: list[str],
                                                    names: list[str]) -> None:
    for name, text in files.items():
        write(place, name, text)
    one_line_error(agent(*EVAL, *args, cwd=place), *names)
    assert not (place / "runs" / "swebench" / "r1" / "results.json").exists()


def test_swebench_eval_scores_a_file_with_one_usable_line(place: Path) -> None:
    """The counterpart of the cases above: one good line among bad ones is evaluated, the rest listed."""
    write(place, "p.jsonl", f"not json\n{PREDICTION}\n")
    result = agent(*EVAL, "-p", "p.jsonl", cwd=place)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "line 1 skipped: not valid JSON" in result.stderr
    assert (place / "runs" / "swebench" / "r1" / KNOWN / "report.json").is_file()


OTHER_ERRORS = [
    ("report of a run that never ran", {}, ["swebench", "report", "never"], ["No evaluation run 'never'"]),
    ("report of a damaged run", {"runs/swebench/r1/run.json": "{"}, ["swebench", "report", "r1"],
     ["run.json", "cannot be read", "--run-id r1"]),
    ("report of a run whose run.json is no object", {"runs/swebench/r1/run.json": "[]"}, ["swebench", "report", "r1"],
     ["run.json", "not a run description"]),
    ("validate an unknown instance", {}, ["swebench", "validate", "--dataset", "lite-dev", "nobody__x-1"],
     ["Not in the dataset", "nobody__x-1"]),
    ("validate with a missing mirror folder", {}, ["swebench", "validate", "--dataset", "lite-dev", "--mirrors",
                                                   "no-such-dir", KNOWN], ["mirror directory", "no-such-dir"]),
    ("validate without Docker", {}, ["swebench", "validate", "--dataset", "lite-dev", KNOWN], ["No Docker engine"]),
    ("map of a folder that is not a repository", {}, ["map", "-r", "plain", "-i", "x"],
     ["plain", "not inside a git repository"]),
    ("map of a missing path", {}, ["map", "-r", "nowhere", "-i", "x"], ["nowhere", "does not exist"]),
    ("map with a missing issue file", {}, ["map", "-r", "calc", "-i", "@nope.md"], ["nope.md", "does not exist"]),
    ("github event file missing", {}, ["github", "event", "--event-path", "nope.json"], ["nope.json"]),
    ("github event file not JSON", {"event.json": "{"}, ["github", "event", "--event-path", "event.json"],
     ["event.json", "not JSON"]),
    ("unknown base image suite", {}, ["images", "build-base", "--suite", "jessie"], ["jessie", "bookworm"]),
    ("images without Docker", {}, ["images", "list"], ["No Docker engine", "--workspace local"]),
    ("docker workspace without Docker", {}, ["solve", "-r", "calc", "-i", "x", *SCRIPTED, "-w", "docker"],
     ["No Docker engine"]),
]


@pytest.mark.parametrize(("files", "args", "names"), cases(OTHER_ERRORS))
def test_other_commands_fail_in_one_sentence(place: Path, files: dict, args: list[str],
                                              names: list[str]) -> None:
    for name, text in files.items():
        write(place, name, text)
    one_line_error(agent(*args, cwd=place), *names)
