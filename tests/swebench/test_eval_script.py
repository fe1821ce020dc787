"""eval.sh run with bash on a temporary repository: the apply chain on crafted diffs, markers, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
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
    env = {**os.environ, **GIT_IDENTITY, "HOME": str(tmp_path),  # the script sets a --global git option
           # its test command runs `python`, which a plain Debian host lacks: this interpreter's folder has one
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
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


def test_script_reinstalls_only_when_the_spec_says_so_and_runs_eval_commands():
    table = SpecTable.load()
    requests = Instance("psf__requests-1", "psf/requests", "abc", "2.3",
                        test_patch="diff --git a/test_requests.py b/test_requests.py\n")
    script = eval_script(requests, table.spec_for(requests), FIX)
    assert "python -m pip install --no-deps --no-index --no-build-isolation ." in script
    assert script.index("Applied Patch") < script.index("--no-build-isolation") < script.index("Start Test Output")
    assert script.rstrip().endswith('echo ">>>>> Test Exit Code: $rc"')
    assert "pytest -rA test_requests.py" in script
    flask = Instance("pallets__flask-1", "pallets/flask", "abc", "2.3", test_patch=requests.test_patch)
    assert "--no-build-isolation" not in eval_script(flask, table.spec_for(flask), FIX)
    django = Instance("django__django-1", "django/django", "abc", "4.1",
                      test_patch="diff --git a/tests/a/tests.py b/tests/a/tests.py\n")
    table = SpecTable({"repos": {"django/django": {"log_parser": "django", "defaults": {
        "python": "3.9", "test_cmd": "./tests/runtests.py --verbosity 2", "eval_commands": ["export LANG=C.UTF-8"]},
        "versions": {"4.1": {}}}}})
    script = eval_script(django, table.spec_for(django), FIX)
    assert script.index("export LANG=C.UTF-8") < script.index("Start Test Output")
    assert "./tests/runtests.py --verbosity 2 a.tests\n" in script


def test_a_test_patch_holding_the_heredoc_delimiter_is_refused():
    import pytest

    from swebench.eval_script import HEREDOC

    table = SpecTable({"repos": __import__("yaml").safe_load(SPEC_YAML)["repos"]})
    bad = Instance("acme__calc-1", "acme/calc", "abc", "1.0", test_patch=f"diff --git a/t.py b/t.py\n+{HEREDOC}\n")
    with pytest.raises(ValueError, match="delimiter"):
        eval_script(bad, table.spec_for(bad), FIX)


def test_a_test_file_the_model_also_created_is_replaced_by_the_test_patch(calc_mirror, tmp_path):
    repo, instance = checkout(calc_mirror, tmp_path)
    new_test = ("diff --git a/test_extra.py b/test_extra.py\nnew file mode 100644\n--- /dev/null\n"
                "+++ b/test_extra.py\n@@ -0,0 +1,7 @@\n+import unittest\n+\n+from calc import add\n+\n+\n"
                "+class Extra(unittest.TestCase):\n+    def test_neg(self):\n")
    new_test = new_test.replace("@@ -0,0 +1,7 @@", "@@ -0,0 +1,8 @@") + "+        self.assertEqual(add(-1, 1), 0)\n"
    with_test = Instance(**{**instance.__dict__, "test_patch": instance.test_patch + new_test,
                            "fail_to_pass": instance.fail_to_pass + ["test_neg (test_extra.Extra.test_neg)"]})
    model = FIX + new_test.replace("add(-1, 1), 0", "add(-1, 1), 99")  # the model wrote its own version
    reading, verdict = grade_log(run_script(repo, with_test, model, tmp_path), parse_django,
                                 with_test.fail_to_pass, with_test.pass_to_pass)
    assert reading.patch_applied and verdict.status == "resolved"
