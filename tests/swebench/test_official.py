"""Official image names, specs for images that bring their own Python, the activation in eval.sh, bad --images."""

from __future__ import annotations

import subprocess
import sys

import pytest

from swebench.eval_script import eval_script
from swebench.official import ACTIVATE, OfficialNaming, machine_arch
from swebench.specs import SpecTable, Unsupported

from .conftest import SPEC_YAML, calc_instance

OLD_PYTHON_SPEC = SPEC_YAML.replace('python: "3.11"', 'python: "3.6"')
"""The tiny spec, asking for a Python this machine does not have."""


def test_names_follow_the_official_harness():
    assert OfficialNaming(arch="x86_64").image("django__django-11099") == \
        "swebench/sweb.eval.x86_64.django_1776_django-11099:latest"
    bare = OfficialNaming(namespace="", arch="x86_64")
    assert bare.image("Django__Django-1") == "sweb.eval.x86_64.django__django-1:latest"
    assert (machine_arch("aarch64"), machine_arch("arm64"), machine_arch("x86_64")) == ("arm64", "arm64", "x86_64")
    mirror = OfficialNaming(namespace="registry.example:5000/swe", arch="arm64", tag="v2")
    assert mirror.image("a__b-1") == "registry.example:5000/swe/sweb.eval.arm64.a_1776_b-1:v2"


def test_an_image_that_brings_its_own_python_is_not_held_to_the_pythons_here(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(OLD_PYTHON_SPEC)
    table = SpecTable.load([path])
    instance = calc_instance("0" * 40)
    with pytest.raises(Unsupported, match="--images official"):
        table.spec_for(instance)
    spec = table.spec_for(instance, any_python=True)
    assert (spec.python, spec.official_python, spec.test_cmd) == ("3.6", "3.6", "python -m unittest -v")


def test_eval_script_activates_the_environment_before_anything_runs(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(OLD_PYTHON_SPEC)
    instance = calc_instance("0" * 40)
    spec = SpecTable.load([path]).spec_for(instance, any_python=True)
    lines = eval_script(instance, spec, "", activate=ACTIVATE).splitlines()
    assert lines[2:5] == [*ACTIVATE, "cd /testbed"]
    assert not any("conda" in line for line in eval_script(instance, spec, "").splitlines())


def test_an_unknown_images_source_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "agent", "swebench", "eval", "--run-id", "x", "--predictions",
                             "p.jsonl", "--images", "registry"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "--images registry is not known: use one of build, official, auto" in result.stderr
    assert "Traceback" not in result.stderr
