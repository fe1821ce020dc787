"""Fixtures for the SWE-bench tests: a synthetic SWE-bench-style instance built on the fly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from swebench.datasets import Instance
from tests.conftest import git, write_tree

CALC = {
    "calc.py": "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n",
    "test_calc.py": "import unittest\n\nfrom calc import add, mul\n\n\nclass CalcTest(unittest.TestCase):\n"
                    "    def test_mul(self):\n        self.assertEqual(mul(2, 3), 6)\n",
    "README.md": "# calc\n",
}
"""A tiny repository whose `add` subtracts."""
FIX = ("diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,5 +1,5 @@\n def add(a, b):\n"
       "-    return a - b\n+    return a + b\n \n \n def mul(a, b):\n")
"""The gold patch."""
TEST_PATCH = """diff --git a/test_calc.py b/test_calc.py
--- a/test_calc.py
+++ b/test_calc.py
@@ -6,3 +6,6 @@ from calc import add, mul
 class CalcTest(unittest.TestCase):
     def test_mul(self):
         self.assertEqual(mul(2, 3), 6)
+
+    def test_add(self):
+        self.assertEqual(add(2, 3), 5)
"""
"""The test that shows the bug."""
SPEC_YAML = """\
repos:
  acme/calc:
    log_parser: django
    defaults: {python: "3.11", install: "true", test_cmd: "python -m unittest -v"}
    versions:
      "1.0": {}
"""
"""A tiny spec: bookworm's Python, nothing to install (so the images build offline), unittest's verbose output
(which Django's parser reads)."""


def make_mirror(root: Path, name: str, files: dict[str, str], tag: str | None = None) -> tuple[Path, str]:
    """A mirror directory under `root` holding `name` (owner+name): a bare clone of a one-commit repository
    with `files` (tagged `tag`); returns (mirror directory, commit)."""
    work = root / f"{name}-work"
    work.mkdir(parents=True)
    git(work, "init", "-q", "-b", "main")
    write_tree(work, files)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "initial")
    if tag:
        git(work, "tag", tag)
    mirrors = root / "mirrors"
    mirrors.mkdir(exist_ok=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(mirrors / name)], check=True)
    return mirrors, git(work, "rev-parse", "HEAD").strip()


def make_calc_mirror(root: Path) -> tuple[Path, str]:
    """A mirror directory holding acme+calc (the calc repository, tagged v1.0); returns (dir, base commit)."""
    return make_mirror(root, "acme+calc", CALC, tag="v1.0")


def calc_instance(base: str) -> Instance:
    """The synthetic instance on the calc repository."""
    return Instance(
        instance_id="acme__calc-1", repo="acme/calc", base_commit=base, version="1.0", patch=FIX,
        test_patch=TEST_PATCH, environment_setup_commit=base, created_at="2024-01-01T00:00:00Z",
        problem_statement="add subtracts", fail_to_pass=["test_add (test_calc.CalcTest.test_add)"],
        pass_to_pass=["test_mul (test_calc.CalcTest.test_mul)"],
    )


@pytest.fixture
def calc_mirror(tmp_path: Path) -> tuple[Path, Instance]:
    """(mirror directory, instance) of the synthetic calc instance."""
    mirrors, base = make_calc_mirror(tmp_path)
    return mirrors, calc_instance(base)


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    """The tiny spec as a `--specs` file."""
    path = tmp_path / "calc-spec.yaml"
    path.write_text(SPEC_YAML)
    return path
