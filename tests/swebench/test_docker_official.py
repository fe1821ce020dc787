"""The official-image path in real Docker, through a STAND-IN for a published SWE-bench instance image.

No registry is reachable here, so the stand-in is built locally to the official layout and tagged with an official
name under the namespace `repo-agent-test`: the repository at its base commit in /testbed (root's, with an
untracked install artefact), and `/opt/miniconda3/bin/activate` whose `conda activate testbed` activates a real
environment (a virtualenv holding `testbed_marker`, which the stand-in spec's test command imports first, so tests
that ran without the activation fail). Its spec asks for Python 3.6, which the own builder refuses: every verdict
here comes from the stand-in. A pull goes only to 127.0.0.1:9, where nothing listens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from swebench.evaluate import EvalSettings, evaluate_instance
from swebench.images import ImageBuilder
from swebench.mirrors import Mirrors
from swebench.official import OfficialNaming
from swebench.specs import SpecTable
from tests.workspaces.docker_support import base_image, docker_client, requires_docker  # noqa: F401 - fixtures
from workspaces.images import ImageRecipe, build_image

from .conftest import FIX, SPEC_YAML, calc_instance, make_calc_mirror
from .infer.conftest import GOLD, write_script

pytestmark = requires_docker

NAMESPACE = "repo-agent-test"
"""Where the stand-in is named, as if it were an official image."""
UNREACHABLE = "127.0.0.1:9/swebench"
"""A registry namespace on loopback where nothing listens: every pull fails at once."""
STANDIN_SPEC = SPEC_YAML.replace('python: "3.11"', 'python: "3.6"').replace(
    'test_cmd: "python -m unittest -v"', 'test_cmd: "python -m testbed_marker && python -m unittest -v"')
ACTIVATE_SCRIPT = 'conda() { if [ "$1" = activate ]; then . "/opt/miniconda3/envs/$2/bin/activate"; fi; }\n'


def build_standin(client, base: str, mirrors, instance) -> str:
    """The stand-in image of `instance`, tagged with its official name under NAMESPACE; returns that name."""
    env = "/opt/miniconda3/envs/testbed"
    steps = [f"python3 -m venv {env}",
             f"echo 'print(\"testbed active\")' > $({env}/bin/python -c 'import sysconfig; "
             "print(sysconfig.get_paths()[\"purelib\"])')/testbed_marker.py",
             "cd /testbed && git init -q && git add -A && git -c user.name=x -c user.email=x@x commit -qm base",
             "mkdir -p /testbed/calc.egg-info && echo built > /testbed/calc.egg-info/PKG-INFO"]
    archive = {"/": lambda: Mirrors(mirrors).archive(instance.repo, instance.base_commit, prefix="testbed/")}
    recipe = ImageRecipe(base=base, steps=steps, files={"/opt/miniconda3/bin/activate": ACTIVATE_SCRIPT.encode()},
                         archives=archive, network="none", key_extra=f"stand-in for {instance.instance_id}",
                         repository="repo-agent-test/standin")
    built = build_image(client, recipe)
    name = OfficialNaming(NAMESPACE).image(instance.instance_id)
    repository, _, tag = name.rpartition(":")
    client.images.get(built.name).tag(repository, tag)
    return name


@pytest.fixture(scope="module")
def standin(tmp_path_factory, docker_client, base_image):  # noqa: F811 - fixtures
    """(root, mirrors, instance, stand-in spec file, stand-in name); the tag goes with the module's images."""
    root = tmp_path_factory.mktemp("official")
    mirrors, base = make_calc_mirror(root)
    instance = calc_instance(base)
    spec = root / "standin-spec.yaml"
    spec.write_text(STANDIN_SPEC)
    name = build_standin(docker_client, base_image, mirrors, instance)
    yield root, mirrors, instance, spec, name
    docker_client.images.remove(name)


def builder(client, root, mirrors, spec, source: str, namespace: str, lines: list[str]) -> ImageBuilder:
    """An ImageBuilder taking images from `source`, its fallback lines collected in `lines`."""
    return ImageBuilder(client, Mirrors(mirrors, cache=root / "cache"), SpecTable.load([spec]), log_dir=root / "logs",
                        source=source, naming=OfficialNaming(namespace), log=lines.append)


def test_evaluation_runs_in_the_official_image_with_its_environment_active(standin, docker_client,  # noqa: F811
                                                                         tmp_path):
    root, mirrors, instance, spec, name = standin
    official = builder(docker_client, root, mirrors, spec, "official", NAMESPACE, [])
    settings = EvalSettings(timeout=120, memory="1g", run_id="test-official")
    gold = evaluate_instance(instance, FIX, tmp_path / "gold", official, settings)
    assert (gold.status, gold.images["source"], gold.images["instance"]) == ("resolved", "official", name)
    assert "conda activate testbed" in (tmp_path / "gold" / "eval.sh").read_text()
    assert "testbed active" in (tmp_path / "gold" / "test_output.txt").read_text()
    empty = evaluate_instance(instance, "", tmp_path / "empty", official, settings, run_empty=True)
    assert empty.status == "unresolved"
    build = builder(docker_client, root, mirrors, spec, "build", NAMESPACE, [])
    refused = evaluate_instance(instance, FIX, tmp_path / "build", build, settings)
    assert refused.status == "unsupported" and "Python 3.6" in refused.reason


def test_a_failed_pull_is_one_line_and_auto_builds_its_own(standin, docker_client, tmp_path):  # noqa: F811
    root, mirrors, instance, _, _ = standin
    own_spec = root / "own-spec.yaml"
    own_spec.write_text(SPEC_YAML)
    lines: list[str] = []
    auto = builder(docker_client, root, mirrors, own_spec, "auto", UNREACHABLE, lines)
    result = evaluate_instance(instance, FIX, tmp_path / "auto", auto, EvalSettings(timeout=120, memory="1g"))
    wanted = OfficialNaming(UNREACHABLE).image(instance.instance_id)
    assert (result.status, result.images["source"]) == ("resolved", "build")
    assert len(lines) == 1 and wanted in lines[0] and "pulling it failed" in lines[0] and "building our own" in lines[0]
    assert "building our own" in (tmp_path / "auto" / "run.log").read_text()
    official = builder(docker_client, root, mirrors, own_spec, "official", UNREACHABLE, [])
    missing = evaluate_instance(instance, FIX, tmp_path / "official", official, EvalSettings(timeout=120))
    assert (missing.status, missing.infra) == ("error", True)
    assert wanted in missing.reason and "nothing is built with --images official" in missing.reason


def test_inference_and_evaluation_use_the_same_official_image(standin, tmp_path):
    root, mirrors, instance, spec, name = standin
    dataset = tmp_path / "dataset.jsonl"
    dataset.write_text(json.dumps(instance.to_record()) + "\n")
    script = write_script(tmp_path, "gold.json", GOLD)
    command = [sys.executable, "-m", "agent", "swebench", "run", "--dataset", str(dataset), "--run-id", "o",
               "--runs-dir", str(tmp_path / "runs"), "--mirrors", str(mirrors), "--specs", str(spec),
               "--images", "official", "--image-namespace", NAMESPACE, "-c", "model.type=scripted",
               "-c", f"model.script={script}", "-c", "strategy=loop", "--timeout", "120"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "COLUMNS": "160"})
    assert result.returncode == 0, result.stderr + result.stdout
    folder = tmp_path / "runs" / "swebench" / "o"
    patch = json.loads((folder / "preds.jsonl").read_text().splitlines()[0])["model_patch"]
    assert "calc.py" in patch and "egg-info" not in patch  # the image's install artefact stays out of the diff
    assert json.loads((folder / "results.json").read_text())["resolved_ids"] == [instance.instance_id]
    report = json.loads((folder / instance.instance_id / "report.json").read_text())[instance.instance_id]
    assert report["repo_agent"]["images"] == {"env": "", "instance": name, "source": "official"}
