"""The pull request branch: a plumbing commit that leaves the checkout alone, the push, and push auth."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.github.pull_request import auth_env, commit_patch, identity_env, push_branch
from core.errors import UserError
from tests.conftest import git

FIX = ("--- a/calc.py\n+++ b/calc.py\n@@ -1,4 +1,4 @@\n def add(a, b):\n     \"\"\"Return the sum of a and b.\"\"\"\n"
       "-    return a - b\n+    return a + b\n \n")
NEW_FILE = """--- /dev/null
+++ b/notes/new.txt
@@ -0,0 +1 @@
+hello
"""
AUTHOR = "repo-agent <bot@example.com>"


def test_commit_leaves_work_tree_index_and_head_alone(calc_repo: Path) -> None:
    (calc_repo / "README.md").write_text("local edit\n")  # the user's uncommitted work
    head = git(calc_repo, "rev-parse", "HEAD").strip()
    commit = commit_patch(calc_repo, head, FIX + NEW_FILE, "Fix #1: add\n\nbody\n", AUTHOR)
    assert git(calc_repo, "rev-parse", "HEAD").strip() == head
    assert git(calc_repo, "status", "--porcelain").strip() == "M README.md"
    assert "return a - b" in (calc_repo / "calc.py").read_text()
    assert git(calc_repo, "rev-parse", f"{commit}^").strip() == head
    assert git(calc_repo, "log", "-1", "--format=%an <%ae>|%cn|%s", commit).strip() == \
        "repo-agent <bot@example.com>|repo-agent|Fix #1: add"
    assert git(calc_repo, "show", f"{commit}:notes/new.txt") == "hello\n"
    assert git(calc_repo, "diff", "--stat", head, commit).count("|") == 2


def test_a_patch_that_does_not_apply_is_one_sentence(calc_repo: Path) -> None:
    head = git(calc_repo, "rev-parse", "HEAD").strip()
    with pytest.raises(UserError, match="git apply failed in"):
        commit_patch(calc_repo, head, FIX.replace("return a - b", "return a * b"), "x", AUTHOR)


def test_push_creates_then_force_updates_the_branch(remote: Callable[[], tuple[Path, Path]]) -> None:
    bare, checkout = remote()
    head = git(checkout, "rev-parse", "HEAD").strip()
    first = commit_patch(checkout, head, FIX, "first", AUTHOR)
    push_branch(checkout, "origin", first, "repo-agent/issue-7", token=None)
    assert git(bare, "rev-parse", "repo-agent/issue-7").strip() == first
    second = commit_patch(checkout, head, NEW_FILE, "second", AUTHOR)
    push_branch(checkout, str(bare), second, "repo-agent/issue-7", token=None)  # a path works as well as a name
    assert git(bare, "rev-parse", "repo-agent/issue-7").strip() == second
    assert git(checkout, "branch", "--list").strip() == "* main"


def test_push_failure_names_the_problem_without_the_token(calc_repo: Path) -> None:
    head = git(calc_repo, "rev-parse", "HEAD").strip()
    url = "https://x-access-token:supersecretvalue@127.0.0.1:9/acme/calc.git"
    with pytest.raises(UserError) as caught:
        push_branch(calc_repo, url, head, "b", token="ghs_" + "t" * 36)
    assert "git push failed" in str(caught.value) and "supersecretvalue" not in str(caught.value)


def test_auth_header_only_for_https_remotes_with_a_token() -> None:
    env = auth_env("https://github.com/acme/calc.git", "tok123", env={})
    assert env["GIT_CONFIG_COUNT"] == "1"
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraheader"
    scheme, encoded = env["GIT_CONFIG_VALUE_0"].split(": ")[1].split(" ")
    assert scheme == "basic" and base64.b64decode(encoded) == b"x-access-token:tok123"
    assert auth_env("https://github.com/a/b.git", None, env={}) == {}
    assert auth_env("/srv/git/calc.git", "tok", env={}) == {}
    assert auth_env("git@github.com:a/b.git", "tok", env={}) == {}
    stacked = auth_env("https://ghe.corp/a/b.git", "tok", env={"GIT_CONFIG_COUNT": "2"})
    assert stacked["GIT_CONFIG_COUNT"] == "3" and stacked["GIT_CONFIG_KEY_2"] == "http.https://ghe.corp/.extraheader"


def test_author_must_be_name_and_email() -> None:
    assert identity_env("A B <a@b.c>")["GIT_COMMITTER_EMAIL"] == "a@b.c"
    with pytest.raises(UserError, match="commit_author"):
        identity_env("just a name")
