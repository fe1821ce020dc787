"""Mirrors: owner+name / owner__name directories, archives that ignore export attributes, tags and dates."""

from __future__ import annotations

import io
import subprocess
import tarfile

import pytest

from core.errors import UserError
from swebench.mirrors import MirrorError, Mirrors
from tests.conftest import git, write_tree


@pytest.fixture
def bare(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    write_tree(work, {"pkg/a.py": "A = 1\n", "tests/test_a.py": "def test(): pass\n",
                      ".gitattributes": "tests export-ignore\npkg/a.py export-subst\n"})
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "one")
    git(work, "tag", "v1.0")
    first = git(work, "rev-parse", "HEAD").strip()
    (work / "pkg" / "a.py").write_text("A = 2\n")
    git(work, "commit", "-qam", "two")
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(mirrors / "acme__pkg.git")], check=True)
    return mirrors, first


def test_mirror_names_and_reading(bare, tmp_path):
    mirrors, first = bare
    found = Mirrors(mirrors, cache=tmp_path / "cache")
    assert found.git_dir("acme/pkg") == mirrors / "acme__pkg.git"
    assert found.read("acme/pkg", first, "pkg/a.py") == "A = 1\n"
    assert found.read("acme/pkg", first, "nope.txt") is None
    assert found.nearest_tag("acme/pkg", "HEAD") == "v1.0"
    assert len(found.commit_date("acme/pkg", first)) == 10
    with pytest.raises(MirrorError, match="not in"):
        found.require("acme/pkg", "0" * 40)


def test_archives_hold_every_tracked_file_despite_export_attributes(bare, tmp_path):
    mirrors, first = bare
    data = Mirrors(mirrors, cache=tmp_path / "cache").archive("acme/pkg", first, prefix="testbed/")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        names = archive.getnames()
        assert "testbed/tests/test_a.py" in names
        assert archive.extractfile("testbed/pkg/a.py").read() == b"A = 1\n"
    assert not (mirrors / "acme__pkg.git" / "info" / "attributes").exists()  # the mirror is untouched


def test_missing_mirrors_are_cloned_into_the_cache_or_fail_clearly(tmp_path, monkeypatch):
    monkeypatch.delenv("REPO_AGENT_MIRRORS", raising=False)
    monkeypatch.setattr("swebench.mirrors.CLONE_URL", str(tmp_path / "remote" / "{repo}"))
    remote = tmp_path / "remote" / "acme" / "tool"
    remote.mkdir(parents=True)
    git(remote, "init", "-q", "-b", "main")
    write_tree(remote, {"x.py": "x = 1\n"})
    git(remote, "add", "-A")
    git(remote, "commit", "-q", "-m", "x")
    found = Mirrors(None, cache=tmp_path / "cache")
    assert found.git_dir("acme/tool") == tmp_path / "cache" / "acme+tool.git"
    assert found.read("acme/tool", "HEAD", "x.py") == "x = 1\n"
    with pytest.raises(MirrorError, match="could not clone"):
        found.git_dir("acme/absent")
    with pytest.raises(UserError, match="does not exist"):
        Mirrors(tmp_path / "no-such-dir")
