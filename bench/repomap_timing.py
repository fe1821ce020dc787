"""Cold and warm timing of the repo-map planner on one checkout (the issue's target: sympy cold < 20 s, warm < 1 s).

    python bench/repomap_timing.py --mirror /work/mirrors/sympy+sympy --commit <sha>
    python bench/repomap_timing.py --repo path/to/checkout

Cold: an empty cache, every file parsed (in a process pool). Warm: the same tree again, in a new
process, so nothing is kept in memory between the two.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ISSUE = "latex() prints acsc(x) wrong: `latex(acsc(x), inv_trig_style='full')` gives \\operatorname{acsc}"


def plan_once(repo: Path, cache: Path) -> None:
    """One full plan (index, rank, test detection, map) in this process; prints its seconds."""
    sys.path.insert(0, str(ROOT))
    from agent.config import PlannerConfig
    from agent.repomap_planner import RepoMapPlanner

    started = time.monotonic()
    plan = RepoMapPlanner(PlannerConfig(type="repomap", cache_dir=cache)).plan(ISSUE, repo)
    print(f"{time.monotonic() - started:.2f}s  top file: {plan.files[0].path if plan.files else '-'}")


def timed_run(repo: Path, cache: Path) -> float:
    """Seconds of a fresh interpreter planning once (interpreter start and imports included)."""
    started = time.monotonic()
    out = subprocess.run([sys.executable, __file__, "--repo", str(repo), "--cache", str(cache), "--once"],
                         check=True, capture_output=True, text=True).stdout
    print("   plan:", out.strip())
    return time.monotonic() - started


def main() -> None:
    """Check out if asked, then time a cold and a warm run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, help="a checkout to map")
    ap.add_argument("--mirror", type=Path, help="a bare mirror to check --commit out of")
    ap.add_argument("--commit", default="HEAD")
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.once:
        plan_once(args.repo, args.cache)
        return
    with tempfile.TemporaryDirectory() as tmp:
        repo = args.repo
        if repo is None:
            repo = Path(tmp) / "repo"
            repo.mkdir()
            archive = subprocess.Popen(["git", f"--git-dir={args.mirror}", "archive", args.commit],
                                       stdout=subprocess.PIPE)
            subprocess.run(["tar", "-x", "-C", str(repo)], stdin=archive.stdout, check=True)
            archive.wait()
        cache = Path(tmp) / "cache"
        print(f"cold: {timed_run(repo, cache):.2f}s wall (fresh process, empty cache)")
        print(f"warm: {timed_run(repo, cache):.2f}s wall (fresh process, same tree)")


if __name__ == "__main__":
    main()
