"""eval.sh run with bash on a temporary repository: the apply chain on crafted diffs, markers, exit codes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from swebench.datasets import Instance
from swebench.eval_script import eval_script, new_files, patch_files
from swebench.eval_script import test_directives as directives_of
from swebench.grading import grade_log
from swebench.log_parsers import parse_django
from swebench.specs import SpecTable
from tests.conftest import GIT_IDENTITY, git

from .conftest import FIX, SPEC_YAML


def run_script(repo: Path, instance: Instance, patch: str, tmp_path: Path) -> str:
    """Write the patch, generate eval.sh for a checkout at `repo`, run it with bash; its output."""
    spec = SpecTable({"repos": __import__("yaml").safe_load(SPEC_YAML)["repos"]}).spec_for(instance)
    patch_path = tmp_path / "patch.diff"
    patch_path.write_text(patch)
    script = eval_script(instance, spec, patch, repo_dir=str(repo), patch_path=str(patch_path))
    env = {**os.environ, **GIT_IDENTITY, "HOME": str(tmp_path)}  # the script sets a --global git option
    result = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, timeout=120)
    return result.stdout


def checkout(calc_mirror: tuple[Path, Instance], tmp_path: Path) -> tuple[Path, Instance]:
    mirrors, instance = calc_mirror
    repo = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(mirrors / "acme+calc"), str(repo)], check=True)
    return repo, instance


def test_the_gold_patch_applies_with_git_apply_and_resolves(calc_mirror, tmp_path):
    repo, instance = checkout(calc_mirror, tmp_path)
    output = run_script(repo, instance, FIX, tmp_path)
    reading, verdict = grade_log(output, parse_django, instance.fail_to_pass, instance.pass_to_pass)
    assert reading.apply_method == "git apply --verbose"
    assert reading.exit_code == 0
    assert verdict.status == "resolved"


def test_no_patch_leaves_the_bug_and_the_exit_code_says_so(calc_mirror, tmp_path):
    repo, instance = checkout(calc_mirror, tmp_path)
    reading, verdict = grade_log(run_script(repo, instance, "", tmp_path), parse_django,
                                 instance.fail_to_pass, instance.pass_to_pass)
    assert reading.apply_method is None and reading.exit_code == 1
    assert verdict.status == "unresolved"


def test_a_patch_with_shifted_context_needs_fuzz(calc_mirror, tmp_path):
    repo, instance = checkout(calc_mirror, tmp_path)
    (repo / "calc.py").write_text("# header\n" + (repo / "calc.py").read_text().replace("mul(a, b)", "mul(x, y)")
                                  .replace("a * b", "x * y"))
    git(repo, "commit", "-qam", "drift")
    reading, verdict = grade_log(run_script(repo, instance, FIX, tmp_path), parse_django,
                                 instance.fail_to_pass, instance.pass_to_pass)
    assert reading.apply_method == "patch --batch --forward --fuzz=5 -p1 -i"
    assert verdict.status == "resolved"


def test_a_patch_that_needs_a_three_way_merge_uses_it(calc_mirror, tmp_path):
    repo, instance = checkout(calc_mirror, tmp_path)
    text = (repo / "calc.py").read_text()
    (repo / "calc.py").write_text(text.replace("def mul(a, b):", "def mul(a, b):  # changed context"))
    git(repo, "commit", "-qam", "change a context line of the hunk")
    three_way = FIX.replace("--- a/calc.py", "index 8e3f1b1..0000000 100644\n--- a/calc.py", 1)
    blob = git(repo, "rev-parse", "HEAD~1:calc.py").strip()
    three_way = three_way.replace("8e3f1b1", blob[:12])
    reading, _ = grade_log(run_script(repo, instance, three_way, tmp_path), parse_django,
                           instance.fail_to_pass, instance.pass_to_pass)
    assert reading.apply_method == "git apply --verbose --3way"
    assert reading.patch_applied


def test_a_patch_that_applies_nowhere_is_reported_and_nothing_runs(calc_mirror, tmp_path):
    repo, instance = checkout(calc_mirror, tmp_path)
    bad = FIX.replace("-    return a - b", "-    return something_else(a, b)")
    output = run_script(repo, instance, bad, tmp_path)
    reading, verdict = grade_log(output, parse_django, instance.fail_to_pass, instance.pass_to_pass)
    assert reading.patch_applied is False and "did not apply" in reading.problem
    assert verdict.status == "unresolved"
    assert git(repo, "status", "--porcelain") == ""  # failed attempts leave no half-applied state


def test_a_model_edit_to_the_test_file_is_undone_before_the_tests(calc_mirror, tmp_path):
    repo, instance = checkout(calc_mirror, tmp_path)
    cheat = ("diff --git a/test_calc.py b/test_calc.py\n--- a/test_calc.py\n+++ b/test_calc.py\n"
             "@@ -1,3 +1,3 @@\n-import unittest\n+import unittest  # cheat\n \n from calc import add, mul\n")
    reading, verdict = grade_log(run_script(repo, instance, cheat, tmp_path), parse_django,
                                 instance.fail_to_pass, instance.pass_to_pass)
    assert reading.patch_applied and verdict.status == "unresolved"


def test_patch_helpers_and_directives():
    created = ("diff --git a/tests/new_test.py b/tests/new_test.py\nnew file mode 100644\n--- /dev/null\n"
               "+++ b/tests/new_test.py\n@@ -0,0 +1 @@\n+x\n")
    assert patch_files(FIX + created) == ["calc.py", "tests/new_test.py"]
    assert new_files(FIX + created) == ["tests/new_test.py"]
    django = Instance("django__django-1", "django/django", "abc", "3.0",
                      test_patch="diff --git a/tests/forms_tests/test_x.py b/tests/forms_tests/test_x.py\n"
                                 "diff --git a/docs/releases.txt b/docs/releases.txt\n"
                                 "diff --git a/django/utils.py b/django/utils.py\n")
    assert directives_of(django) == ["forms_tests.test_x"]
    other = Instance("a__b-1", "a/b", "abc", "1.0", test_patch=created + "diff --git a/data.json b/data.json\n")
    assert directives_of(other) == ["tests/new_test.py"]
