"""The repository index: tags of every file (cached by content), a definitions table and BM25. Cold builds parse
in a process pool; a warm build on an unchanged tree loads one pickled snapshot."""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from scipy import sparse

from tools.repomap.bm25 import TextIndex
from tools.repomap.cache import CACHE_VERSION, TagCache
from tools.repomap.graph import reference_graph
from tools.repomap.languages import language_for
from tools.repomap.sources import MAX_FILE_BYTES, FileSource, HostSource, blob_key
from tools.repomap.tags import Definition, FileTags, extract

TEXT_SUFFIXES = frozenset({".md", ".rst", ".txt", ".cfg", ".toml", ".ini", ".yaml", ".yml", ".j2", ".html"})
"""Non-code files indexed for BM25 only."""
POOL_MIN_BYTES = 2_000_000
"""Parse in a process pool only when at least this much source is uncached."""


@dataclass
class RepoIndex:
    """Tags and BM25 for one snapshot of a repository."""

    paths: list[str]
    """Indexed files (code and text), in BM25 document order."""
    tags: dict[str, FileTags]
    """Tags per indexed file (terms dropped once BM25 is built)."""
    text: TextIndex
    """BM25 over the indexed files."""
    notes: list[str] = field(default_factory=list)
    """Files skipped or partly indexed, and why."""
    defines: dict[str, list[tuple[str, Definition]]] = field(init=False)
    """Name -> (path, definition) for every definition."""
    chunks: TextIndex = field(init=False)
    """BM25 over function and method bodies."""
    chunk_owner: np.ndarray = field(init=False)
    """Position in `paths` of the file each chunk of `chunks` belongs to."""
    chunk_names: list[str] = field(init=False)
    """Qualified name of the function or method each chunk is."""
    graph: sparse.csr_matrix = field(init=False)
    """Row-normalised reference graph between `paths` (file that uses a name -> file that defines it)."""

    def __post_init__(self) -> None:
        table: dict[str, list[tuple[str, Definition]]] = defaultdict(list)
        for path, tags in self.tags.items():
            for d in tags.defs:
                table[d.name].append((path, d))
        self.defines = dict(table)
        chunks = [(i, name, terms) for i, path in enumerate(self.paths) for name, terms in self.tags[path].chunks]
        self.chunk_owner = np.array([i for i, _, _ in chunks], dtype=np.int64)
        self.chunk_names = [name for _, name, _ in chunks]
        self.chunks = TextIndex(self.chunk_names, [terms for _, _, terms in chunks], name_weight=0)
        self.tags = {p: t._replace(chunks=()) for p, t in self.tags.items()}
        definers = {name: {p for p, _ in entries} for name, entries in self.defines.items()}
        self.graph = reference_graph(self.paths, definers, {p: t.refs for p, t in self.tags.items()})


def wanted(path: str) -> bool:
    """Whether a path is worth indexing at all (source code or small text)."""
    return language_for(path) is not None or Path(path).suffix.lower() in TEXT_SUFFIXES


def skip_reason(data: bytes) -> str | None:
    """Why file content should not be parsed: binary, too large, minified; None when it is fine."""
    if len(data) > MAX_FILE_BYTES:
        return f"skipped: larger than {MAX_FILE_BYTES // 1_000_000} MB"
    if b"\0" in data[:8192]:
        return "skipped: binary"
    lines = data.count(b"\n") + 1
    if len(data) > 20_000 and len(data) / lines > 300:
        return "skipped: minified (very long lines)"
    return None


def tags_for(path: str, data: bytes) -> FileTags:
    """Tags for one file's bytes; skipped files get empty tags with the reason as note."""
    reason = skip_reason(data)
    if reason:
        return FileTags((), {}, {}, 0, reason)
    return extract(language_for(path), data.decode("utf-8", "replace"))


def _parse_all(todo: dict[str, bytes], workers: int) -> dict[str, FileTags]:
    """Tags of each file; in a pool, largest files first, so that the workers finish together."""
    if workers <= 1 or sum(map(len, todo.values())) < POOL_MIN_BYTES:
        return {path: tags_for(path, data) for path, data in todo.items()}
    paths = sorted(todo, key=lambda path: -len(todo[path]))
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return dict(zip(paths, pool.map(tags_for, paths, [todo[p] for p in paths], chunksize=8), strict=True))


def _tag_key(path: str, blob: str) -> str:
    return f"{blob}:{language_for(path) or 'text'}"


def snapshot_key(files: dict[str, str]) -> str:
    """A key for the whole listing (paths and content keys)."""
    digest = hashlib.sha1(CACHE_VERSION.encode())
    for path in sorted(files):
        digest.update(f"{path}\0{files[path]}\n".encode())
    return digest.hexdigest()


def list_files(source: FileSource, notes: list[str]) -> tuple[dict[str, str], dict[str, bytes]]:
    """Indexable files with content keys, and the bytes of those that had to be read to be keyed."""
    listing = source.listing()
    notes.extend(listing.notes)
    files = {p: k for p, k in listing.files.items() if wanted(p)}
    fresh: dict[str, bytes] = {}
    for path, key in list(files.items()):
        if key is None:
            try:
                fresh[path] = source.read(path)
            except (OSError, UnicodeError) as exc:
                notes.append(f"{path}: unreadable ({type(exc).__name__})")
                del files[path]
                continue
            files[path] = blob_key(fresh[path])
    return files, fresh  # type: ignore[return-value]


def load_tags(source: FileSource, files: dict[str, str], fresh: dict[str, bytes], cache: TagCache,
              notes: list[str], workers: int | None = None) -> dict[str, FileTags]:
    """Tags of every listed file: from the cache by content key, the rest parsed (in a pool when large)."""
    keys = {p: _tag_key(p, k) for p, k in files.items()}
    known = cache.get_many(keys.values())
    todo: dict[str, bytes] = {}
    for path in files:
        if keys[path] in known:
            continue
        try:
            todo[path] = fresh.get(path) or source.read(path)
        except (OSError, UnicodeError) as exc:
            notes.append(f"{path}: unreadable ({type(exc).__name__})")
    parsed = _parse_all(todo, workers if workers is not None else min(os.cpu_count() or 1, 4))
    new = {keys[path]: tags for path, tags in parsed.items()}
    cache.put_many(new)
    known.update(new)
    tags: dict[str, FileTags] = {}
    for path in sorted(files):
        entry = known.get(keys[path])
        if entry is None:
            continue
        if entry.note:
            notes.append(f"{path}: {entry.note}")
        if not (entry.note and entry.note.startswith("skipped")):
            tags[path] = entry
    return tags


def build_index(source: FileSource | Path, cache: TagCache | None = None, workers: int | None = None) -> RepoIndex:
    """Index a repository: list, key by content, reuse cached tags, parse the rest, build BM25 and the graph."""
    source = HostSource(source) if isinstance(source, Path) else source
    cache = cache or TagCache(None)
    notes: list[str] = []
    files, fresh = list_files(source, notes)
    snap = snapshot_key(files)
    cached_index = cache.get_many([snap]).get(snap)
    if isinstance(cached_index, RepoIndex):
        return cached_index
    tags = load_tags(source, files, fresh, cache, notes, workers)
    paths = list(tags)
    if not paths:
        notes.append("no source files found")
    index = RepoIndex(paths, {p: t._replace(terms={}) for p, t in tags.items()},
                      TextIndex(paths, [tags[p].terms for p in paths]), notes)
    cache.put_many({snap: index})
    return index
