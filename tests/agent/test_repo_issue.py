"""`--repo` and `--issue` resolution: paths, URLs, files, and one-line errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.issue import resolve_issue
from agent.repo import is_dirty, resolve_repo
from core.errors import UserError
from tests.conftest import git


def test_path_inside_a_repository_resolves_to_its_top(calc_repo: Path) -> None:
    (calc_repo / "sub").mkdir()
    source = resolve_repo(str(calc_repo / "sub"))
    assert source.path == calc_repo
    assert source.commit == git(calc_repo, "rev-parse", "HEAD").strip()
    assert source.url is None


def test_clone_url_is_cloned_into_the_cache(calc_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPO_AGENT_CACHE", str(tmp_path / "cache"))
    url = f"file://{calc_repo}"
    source = resolve_repo(url)
    assert source.url == url
    assert (source.path / "calc.py").exists()
    assert str(source.path).startswith(str(tmp_path / "cache"))
    assert resolve_repo(url).path == source.path  # second time: fetched, not cloned again


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: str(tmp / "missing"), "does not exist"),
        (lambda tmp: str(tmp), "not inside a git repository"),
        (lambda tmp: "", "empty"),
    ],
)
def test_bad_repo_arguments(make, message: str, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(UserError, match=message):
        resolve_repo(make(plain))


def test_unknown_commit_and_empty_repository(calc_repo: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        resolve_repo(str(calc_repo), "no-such-rev")
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    with pytest.raises(UserError, match="no commits"):
        resolve_repo(str(empty))


def test_unreachable_url_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPO_AGENT_CACHE", str(tmp_path / "cache"))
    with pytest.raises(UserError, match="Could not clone"):
        resolve_repo(f"file://{tmp_path}/nope.git")


def test_dirty_detection(calc_repo: Path) -> None:
    assert not is_dirty(calc_repo)
    (calc_repo / "calc.py").write_text("changed\n")
    assert is_dirty(calc_repo)


def test_issue_text_file_and_errors(tmp_path: Path) -> None:
    assert resolve_issue("add is broken").text == "add is broken"
    issue_file = tmp_path / "issue.md"
    issue_file.write_text("Title\n\nBody\n")
    issue = resolve_issue(f"@{issue_file}")
    assert issue.text.startswith("Title") and issue.source == str(issue_file)
    with pytest.raises(UserError, match="does not exist"):
        resolve_issue(f"@{tmp_path}/missing.md")
    (tmp_path / "blank.md").write_text("  \n")
    with pytest.raises(UserError, match="empty"):
        resolve_issue(f"@{tmp_path}/blank.md")
    with pytest.raises(UserError, match="empty"):
        resolve_issue("   ")
    with pytest.raises(UserError, match="Don't know how to read"):
        resolve_issue("https://tracker.invalid/issues/1")
