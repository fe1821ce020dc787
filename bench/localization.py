"""File localization on SWE-bench Lite: the repo-map planner vs BM25 alone vs Aider's repo map.

For every instance whose repository mirror is in --mirrors, the base commit is checked out, each
ranker is given the problem statement, and the gold patch's files are looked up in its ranking.
Prints recall@1/3/5/10, MRR and seconds per instance, per repository and overall.

    python bench/localization.py --mirrors /work/mirrors --split test --repos psf/requests pallets/flask
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.config import PlannerConfig  # noqa: E402
from agent.repomap_planner import RepoMapPlanner  # noqa: E402
from tools.repomap.evidence import framed_files, named_modules, printed_files  # noqa: E402
from tools.repomap.index import RepoIndex  # noqa: E402
from tools.repomap.mentions import extract_mentions  # noqa: E402
from tools.repomap.resolve import PathResolver  # noqa: E402
from tools.repomap.sources import blob_key  # noqa: E402
from tools.repomap.tokens import query_terms  # noqa: E402

DATA = ROOT.parent / "shared" / "swebench"
OUT = ROOT / "bench" / "out"
KS = (1, 3, 5, 10)
RANKERS = ("repomap", "bm25", "aider")


def find_mirror(mirrors: Path, repo: str) -> Path | None:
    """The git directory of a repository's mirror (owner+name or owner__name, bare or with repo/ or .git/)."""
    owner, name = repo.split("/")
    for entry in (mirrors / f"{owner}+{name}", mirrors / f"{owner}__{name}"):
        for candidate in (entry, entry / "repo", entry / ".git"):
            if (candidate / "HEAD").exists() and (candidate / "objects").exists():
                return candidate
    return None


def missing_blobs(git_dir: Path, commit: str) -> list[str]:
    """Paths of `commit` whose blobs the mirror lacks (size-limited snapshots drop the largest files)."""
    tree = subprocess.run(["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", commit],
                          capture_output=True, text=True, check=True).stdout
    entries = [line.split("\t", 1) for line in tree.split("\0") if line]
    blobs = [(meta.split()[2], path) for meta, path in entries if meta.split()[1] == "blob"]
    check = subprocess.run(["git", f"--git-dir={git_dir}", "cat-file", "--batch-check"], capture_output=True,
                           text=True, input="\n".join(sha for sha, _ in blobs) + "\n").stdout.splitlines()
    return [path for (_, path), line in zip(blobs, check, strict=False) if line.endswith("missing")]


def checkout(git_dir: Path, commit: str, dest: Path) -> None:
    """Check `commit` out into dest through a private index (Aider's tag cache kept), file times from content."""
    dest.mkdir(parents=True, exist_ok=True)
    for child in dest.iterdir():
        if not child.name.startswith(".aider"):
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        git = ["git", f"--git-dir={git_dir}"]
        subprocess.run([*git, "read-tree", commit], env=env, check=True)
        missing = missing_blobs(git_dir, commit)
        if missing:
            subprocess.run([*git, "update-index", "--force-remove", "-z", "--stdin"], env=env, check=True,
                           input="\0".join(missing).encode())
        subprocess.run([*git, "checkout-index", "-a", "-f", f"--prefix={dest}/"], env=env, check=True)
    for dirpath, _, filenames in os.walk(dest):
        if ".aider" in dirpath:
            continue
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                stamp = int(blob_key(path.read_bytes())[:7], 16)
                os.utime(path, (stamp, stamp))


def gold_files(patch: str) -> list[str]:
    """Files the gold patch touches."""
    return list(dict.fromkeys(re.findall(r"^diff --git a/(\S+) b/", patch, re.M)))


def scores(ranked: list[str], gold: list[str]) -> dict[str, float]:
    """recall@k for each k and the reciprocal rank of the first gold file."""
    result = {f"r@{k}": len(set(ranked[:k]) & set(gold)) / len(gold) for k in KS}
    first = next((i for i, p in enumerate(ranked) if p in gold), None)
    result["mrr"] = 0.0 if first is None else 1.0 / (first + 1)
    return result


def resolved_mentions(issue: str, index: RepoIndex) -> tuple[list[str], list[str]]:
    """Files and identifiers the issue mentions, resolved as the planner resolves them (for Aider)."""
    m = extract_mentions(issue)
    resolver = PathResolver(index.paths)
    files = [path for _, found, _ in printed_files(m, resolver) for path in found]
    files += [path for path, _ in framed_files(m, resolver)]
    files += [path for _, found, _, _ in named_modules(index, m, resolver) for path in found]
    return list(dict.fromkeys(files)), list(m.identifiers)


class AiderRanker:
    """A long-lived Aider process in its own venv (installed on first use)."""

    def __init__(self, venv: Path):
        python = venv / "bin" / "python"
        if not python.exists():
            print(f"installing aider-chat into {venv} ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "aider-chat"], check=True)
        script = ROOT / "bench" / "aider_rank.py"
        self.proc = subprocess.Popen([str(python), str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)

    def rank(self, root: Path, files: list[str], idents: list[str]) -> tuple[list[str], float]:
        """Aider's file ranking and its seconds."""
        request = {"root": str(root), "mentioned_fnames": files, "mentioned_idents": idents}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        return reply["files"], reply["seconds"]


def run_instance(inst: dict, root: Path, planner: RepoMapPlanner, aider: AiderRanker | None) -> dict:
    """Every ranker on one checked-out instance."""
    issue, gold = inst["problem_statement"], gold_files(inst["patch"])
    started = time.monotonic()
    plan = planner.plan(issue, root)
    row = {"instance_id": inst["instance_id"], "repo": inst["repo"], "gold": gold}
    row["repomap"] = {"files": [f.path for f in plan.files], "seconds": time.monotonic() - started}
    started = time.monotonic()
    index = planner.index(root)
    bm25 = index.text.scores(query_terms(issue))
    order = sorted(range(len(index.paths)), key=lambda i: -bm25[i])[:50]
    row["bm25"] = {"files": [index.paths[i] for i in order], "seconds": time.monotonic() - started}
    if aider:
        files, idents = resolved_mentions(issue, index)
        ranked, seconds = aider.rank(root, files, idents)
        row["aider"] = {"files": ranked[:50], "seconds": seconds}
    for name in RANKERS:
        if name in row:
            row[name].update(scores(row[name]["files"], gold))
    return row


def table(rows: list[dict], title: str) -> str:
    """A Markdown table: one line per ranker."""
    lines = [f"### {title} ({len(rows)} instances)", "", "| ranker | " + " | ".join(f"R@{k}" for k in KS)
             + " | MRR | s/inst |", "|---|" + "---:|" * (len(KS) + 2)]
    for name in RANKERS:
        got = [r[name] for r in rows if name in r]
        if not got:
            continue
        cells = [f"{100 * sum(g[f'r@{k}'] for g in got) / len(got):.1f}%" for k in KS]
        cells.append(f"{sum(g['mrr'] for g in got) / len(got):.3f}")
        cells.append(f"{sum(g['seconds'] for g in got) / len(got):.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_instances(splits: list[str], repos: list[str] | None, ids: list[str] | None) -> list[dict]:
    """Lite instances of the splits, filtered by repository and id."""
    found = []
    for split in splits:
        with open(DATA / f"lite_{split}.jsonl") as f:
            found.extend(json.loads(line) for line in f)
    chosen = [i for i in found if (not repos or i["repo"] in repos) and (not ids or i["instance_id"] in ids)]
    return sorted(chosen, key=lambda i: (i["repo"], i["created_at"]))  # neighbours share most files: caches help


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, help="directory of bare mirrors named owner+name (not for --report)")
    ap.add_argument("--split", nargs="+", default=["test"], choices=["test", "dev"])
    ap.add_argument("--repos", nargs="*", help="owner/name filters")
    ap.add_argument("--instances", nargs="*", help="instance id filters")
    ap.add_argument("--no-aider", action="store_true", help="skip Aider's repo map")
    ap.add_argument("--aider-venv", type=Path, default=OUT / "aider-venv")
    ap.add_argument("--cache", type=Path, default=OUT / "cache", help="repo map cache (cleared unless --keep-cache)")
    ap.add_argument("--keep-cache", action="store_true")
    ap.add_argument("--work", type=Path, default=OUT / "work", help="where checkouts go (one per repository)")
    ap.add_argument("--output", type=Path, default=OUT / "localization.jsonl")
    ap.add_argument("--report", type=Path, nargs="+", help="only print the tables of earlier --output files")
    args = ap.parse_args(argv)
    if args.report:
        merged: dict[str, dict] = {}  # files may overlap (an Aider-only rerun): one row per instance, rankers merged
        for path in args.report:
            for line in path.read_text().splitlines():
                row = json.loads(line) if line.strip() else None
                if row and (not args.repos or row["repo"] in args.repos):
                    merged.setdefault(row["instance_id"], {}).update(row)
        print_tables(list(merged.values()))
        return
    if args.mirrors is None:
        ap.error("--mirrors is required (except with --report)")
    if not args.keep_cache:
        shutil.rmtree(args.cache, ignore_errors=True)
    instances = load_instances(args.split, args.repos, args.instances)
    instances = [i for i in instances if find_mirror(args.mirrors, i["repo"])]
    planner = RepoMapPlanner(PlannerConfig(type="repomap", cache_dir=args.cache, max_files=50))
    aider = None if args.no_aider else AiderRanker(args.aider_venv)
    rows = []
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w") as out:
        for n, inst in enumerate(instances, 1):
            root = args.work / inst["repo"].replace("/", "+")
            checkout(find_mirror(args.mirrors, inst["repo"]), inst["base_commit"], root)
            row = run_instance(inst, root, planner, aider)
            rows.append(row)
            out.write(json.dumps(row) + "\n")
            hit = {name: row[name]["r@5"] for name in RANKERS if name in row}
            print(f"[{n}/{len(instances)}] {inst['instance_id']} r@5 {hit}", file=sys.stderr, flush=True)
    print_tables(rows)


def print_tables(rows: list[dict]) -> None:
    """One table per repository, one over all rows, and one over the rows every ranker ran on."""
    for repo in sorted({r["repo"] for r in rows}):
        print(table([r for r in rows if r["repo"] == repo], repo) + "\n")
    print(table(rows, "all") + "\n")
    common = [r for r in rows if all(name in r for name in RANKERS)]
    if 0 < len(common) < len(rows):
        print(table(common, "instances every ranker ran on"))


if __name__ == "__main__":
    main()
