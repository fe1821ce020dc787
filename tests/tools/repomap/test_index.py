"""Building the index: bad input becomes notes, and the content-keyed cache makes second runs cheap."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.repomap import index as index_module
from tools.repomap.cache import TagCache
from tools.repomap.index import build_index, skip_reason
from tools.repomap.sources import MAX_FILE_BYTES


def test_bad_input_yields_notes_not_crashes(make_repo) -> None:
    root = make_repo({
        "good.py": "def ok():\n    return 1\n",
        "broken.py": "def broken(:\n  pass\n",
        "bundle.min.js": "var a=1;" * 5000,
        "huge.py": "x = 1\n" * (MAX_FILE_BYTES // 6 + 10),
    })
    (root / "blob.py").write_bytes(b"\x00\x01binary\x00" * 10)
    os.symlink(root, root / "loop")
    index = build_index(root, TagCache(None))
    assert "ok" in index.defines
    notes = "\n".join(index.notes)
    assert "huge.py: skipped: larger than 1 MB" in notes
    assert "bundle.min.js: skipped: minified" in notes
    assert "blob.py: skipped: binary" in notes
    assert "broken.py: has syntax errors" in notes
    assert "huge.py" not in index.paths and "good.py" in index.paths


def test_repository_without_source_gives_an_empty_index_with_a_note(make_repo) -> None:
    root = make_repo({"image.png": "not really"})
    index = build_index(root, TagCache(None))
    assert index.paths == [] and "no source files found" in index.notes
    assert index.text.scores(["anything"]).size == 0


def test_skip_reason() -> None:
    assert skip_reason(b"def f(): pass\n") is None
    assert skip_reason(b"a\0b") == "skipped: binary"


def test_second_build_loads_the_snapshot_without_parsing(make_repo, tmp_path: Path, monkeypatch) -> None:
    root = make_repo({"a.py": "def alpha():\n    beta()\n", "b.py": "def beta():\n    pass\n"})
    cache = TagCache(tmp_path / "cache")
    first = build_index(root, cache)

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(index_module, "extract", no_parsing)
    second = build_index(root, TagCache(tmp_path / "cache"))
    assert second.paths == first.paths and set(second.defines) == set(first.defines)


def test_a_changed_file_is_the_only_one_parsed_again(make_repo, tmp_path: Path, monkeypatch) -> None:
    root = make_repo({"a.py": "def alpha():\n    pass\n", "b.py": "def beta():\n    pass\n"})
    cache = TagCache(tmp_path / "cache")
    build_index(root, cache)
    (root / "b.py").write_text("def gamma():\n    pass\n")
    parsed = []
    real = index_module.extract
    monkeypatch.setattr(index_module, "extract", lambda lang, text: parsed.append(text) or real(lang, text))
    index = build_index(root, cache)
    assert parsed == ["def gamma():\n    pass\n"]
    assert "gamma" in index.defines and "beta" not in index.defines


def test_unwritable_cache_directory_degrades_to_no_cache(make_repo, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    root = make_repo({"a.py": "def alpha():\n    pass\n"})
    assert "alpha" in build_index(root, TagCache(blocker / "sub")).defines


@pytest.mark.parametrize("workers", [1, 2])
def test_pool_and_serial_parsing_agree(make_repo, monkeypatch, workers: int) -> None:
    monkeypatch.setattr(index_module, "POOL_MIN_BYTES", 0)
    root = make_repo({f"m{i}.py": f"def f{i}():\n    f{(i + 1) % 5}()\n" for i in range(5)})
    index = build_index(root, TagCache(None), workers=workers)
    assert sorted(index.defines) == [f"f{i}" for i in range(5)]
    assert index.tags["m0.py"].refs == {"f1": 1}
