"""eval.sh: the script an instance container runs to test a patch (steps: swebench/README.md, "One evaluation")."""

from __future__ import annotations

import posixpath
import re
import shlex

from swebench.datasets import Instance
from swebench.grading import (
    APPLY_FAILED_MARKER,
    APPLY_MARKER,
    END_MARKER,
    EXIT_MARKER,
    INSTALL_FAILED_MARKER,
    START_MARKER,
    TEST_PATCH_FAILED_MARKER,
)
from swebench.images import REPO_DIR
from swebench.specs import EnvSpec

PATCH_PATH = "/tmp/repo-agent/patch.diff"
"""Where the model patch is put in the container."""
APPLY_METHODS = ("git apply --verbose", "git apply --verbose --3way", "patch --batch --forward --fuzz=5 -p1 -i")
"""Tried in order until one applies the model patch."""
NON_TEST_EXTS = (".json", ".png", "csv", ".txt", ".md", ".jpg", ".jpeg", ".pkl", ".yml", ".yaml", ".toml")
"""Files in a test patch that are not test files to run."""
HEREDOC = "EOF_REPO_AGENT_TEST_PATCH_5f1c"
"""Delimiter of the test patch embedded in eval.sh."""

_DIFF_HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)", re.M)
_NEW_FILE = re.compile(r"^diff --git a/\S+ b/(\S+)\n(?:(?!diff --git).*\n)*?new file mode", re.M)


def patch_files(patch: str) -> list[str]:
    """Paths a unified diff touches (both sides of renames), in order of appearance."""
    found: dict[str, None] = {}
    for old, new in _DIFF_HEADER.findall(patch):
        found[old] = None
        found[new] = None
    for match in re.finditer(r"^\+\+\+ b/(\S+)", patch, re.M):
        found[match.group(1)] = None
    return list(found)


def new_files(patch: str) -> list[str]:
    """Paths a unified diff creates."""
    return _NEW_FILE.findall(patch)


def is_django_test_file(path: str) -> bool:
    """Whether a Django path holds tests (only those become runtests.py labels)."""
    name = posixpath.basename(path)
    return name == "tests.py" or name.startswith("test_") or "/tests/" in path or "/test_" in path


def test_directives(instance: Instance) -> list[str]:
    """The test files of the instance's test patch, as arguments of the test command."""
    files = [new for _, new in _DIFF_HEADER.findall(instance.test_patch)]
    files = [path for path in dict.fromkeys(files) if not path.endswith(NON_TEST_EXTS)]
    if instance.repo != "django/django":
        return files
    labels = []
    for path in files:
        if not is_django_test_file(path):
            continue
        label = path[: -len(".py")] if path.endswith(".py") else path
        label = label[len("tests/"):] if label.startswith("tests/") else label
        labels.append(label.replace("/", "."))
    return labels


def reinstall_command(spec: EnvSpec) -> str:
    """The spec's install command, made to work offline: pip without dependencies, index or build isolation."""
    match = re.match(r"^python -m pip install (.*)$", spec.install.strip())
    if match:
        return f"python -m pip install --no-deps --no-index --no-build-isolation {match.group(1)}"
    return spec.install


def _apply_block(patch_path: str) -> list[str]:
    """Shell lines that apply the model patch with the first method that works."""
    methods = " ".join(shlex.quote(method) for method in APPLY_METHODS)
    return [
        f"if [ -s {patch_path} ]; then",
        "  applied=''",
        f"  for method in {methods}; do",
        f"    if $method {patch_path}; then applied=$method; break; fi",
        "    git checkout -q -- . && git clean -fdq",
        "  done",
        f"  if [ -z \"$applied\" ]; then echo '{APPLY_FAILED_MARKER}'; exit 1; fi",
        f"  echo \"{APPLY_MARKER}: $applied\"",
        "fi",
    ]


def eval_script(instance: Instance, spec: EnvSpec, model_patch: str, *, repo_dir: str = REPO_DIR,
                patch_path: str = PATCH_PATH, activate: tuple[str, ...] = ()) -> str:
    """The bash script that tests `model_patch` on `instance` (the patch itself goes to `patch_path`); `activate`:
    shell lines that turn the image's environment on first (an official image's conda environment)."""
    if HEREDOC in instance.test_patch:
        raise ValueError("the test patch contains the heredoc delimiter")
    test_files = patch_files(instance.test_patch)
    created = set(new_files(instance.test_patch))
    restore = [path for path in test_files if path not in created]
    lines = ["#!/bin/bash", "set -uo pipefail", *activate, f"cd {shlex.quote(repo_dir)}",
             "git config --global --add safe.directory '*'", "BASE=$(git rev-parse HEAD)", *_apply_block(patch_path)]
    if spec.needs_reinstall(patch_files(model_patch)):
        lines.append(f"{reinstall_command(spec)} || {{ echo '{INSTALL_FAILED_MARKER}'; exit 1; }}")
    if restore:
        quoted = " ".join(shlex.quote(p) for p in restore)
        lines.append(f'for f in {quoted}; do git checkout -q "$BASE" -- "$f" 2>/dev/null || rm -f -- "$f"; done')
    if created:
        lines.append("rm -f -- " + " ".join(shlex.quote(p) for p in sorted(created)))
    if instance.test_patch.strip():
        lines += [f"git apply -v - <<'{HEREDOC}' || {{ echo '{TEST_PATCH_FAILED_MARKER}'; exit 1; }}",
                  instance.test_patch.rstrip("\n"), HEREDOC]
    lines += list(spec.eval_commands)
    test_command = " ".join([spec.test_cmd, *(shlex.quote(d) for d in test_directives(instance))])
    lines += [f"echo '{START_MARKER}'", test_command, "rc=$?", f"echo '{END_MARKER}'", f"echo \"{EXIT_MARKER}: $rc\""]
    return "\n".join(lines) + "\n"
