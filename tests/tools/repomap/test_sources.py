"""Listing repositories with content keys: git work trees, plain directories and workspaces."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import git
from tools.repomap import sources
from tools.repomap.sources import HostSource, WorkspaceSource, blob_key
from workspaces.local import LocalWorkspace


def test_blob_key_matches_git_hash_object(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"hello\n")
    assert blob_key(b"hello\n") == git(tmp_path, "hash-object", str(path)).strip()


def test_git_listing_uses_index_ids_and_hashes_changed_files(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n", "b.py": "y = 2\n", "gone.py": "z = 3\n"})
    (root / "b.py").write_text("y = 20\n")
    (root / "new.py").write_text("n = 1\n")
    (root / "gone.py").unlink()
    os.symlink("a.py", root / "link.py")
    files = HostSource(root).listing().files
    assert files["a.py"] == git(root, "hash-object", "a.py").strip()
    assert files["b.py"] is None and files["new.py"] is None
    assert "gone.py" not in files and "link.py" not in files


def test_plain_directory_is_walked_without_following_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("def f(): pass\n")
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.js").write_text("x")
    listing = HostSource(tmp_path).listing()
    assert listing.files == {"pkg/m.py": None}


def test_a_subdirectory_of_a_repository_is_walked_as_its_own_tree(make_repo) -> None:
    root = make_repo({"sub/a.py": "x = 1\n", "b.py": "y\n"})
    assert set(HostSource(root / "sub").listing().files) == {"a.py"}


def test_grep_finds_fixed_strings(make_repo) -> None:
    root = make_repo({"a.py": "raise ValueError('bad [value] here')\n", "b.py": "pass\n"})
    assert HostSource(root).grep("bad [value] here") == ["a.py"]


def test_grep_in_an_ignored_folder_of_another_repository_searches_what_the_walk_lists(make_repo) -> None:
    outer = make_repo({".gitignore": "/checkouts/\n"})
    inner = outer / "checkouts" / "project"
    (inner / ".cache").mkdir(parents=True)
    (inner / "mod.py").write_text("raise ValueError('needle in here')\n")
    (inner / ".cache" / "copy.py").write_text("needle in here\n")
    source = HostSource(inner)
    assert set(source.listing().files) == {"mod.py"}
    assert source.grep("needle in here") == ["mod.py"]


def test_workspace_listing_pages_through_long_outputs(make_repo, monkeypatch) -> None:
    root = make_repo({f"m{i}.py": f"x = {i}\n" for i in range(7)})
    monkeypatch.setattr(sources, "LISTING_PAGE", 3)
    with LocalWorkspace(root) as ws:
        ws.write_file("m0.py", "x = 100\n")
        ws.write_file("extra.py", "e = 1\n")
        source = WorkspaceSource(ws)
        files = source.listing().files
        assert len(files) == 8
        assert files["m0.py"] is None and files["extra.py"] is None
        assert files["m1.py"] == git(root, "hash-object", "m1.py").strip()
        assert source.read("m0.py") == b"x = 100\n"
        assert source.grep("x = 100") == ["m0.py"]


def test_unusual_file_names_are_listed_as_they_are(make_repo) -> None:
    root = make_repo({"pkg/café.py": "x = 1\n", "pkg/with space.py": "y = 2\n"})
    (root / "pkg" / "new é.py").write_text("z = 3\n")
    files = HostSource(root).listing().files
    assert set(files) == {"pkg/café.py", "pkg/with space.py", "pkg/new é.py"}
    assert HostSource(root).read("pkg/café.py") == b"x = 1\n"
