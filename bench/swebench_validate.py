"""Validate SWE-bench instances here, twice, and print a table per repository.

Two sets: `--set dev` (default), the 15 development instances of shared/swebench/README.md, where run 2 first
removes the instance images so that its gold evaluations measure the harness's overhead with the environment image
cached (target <= 15 s); `--set coverage`, the 140 Lite test instances of the nine repositories that can be mirrored
here (requests, flask, pytest, sympy, pylint, sphinx, seaborn, xarray, astropy), which takes hours.

Resumable across sessions: each run keeps its verdicts per instance (`OUT/runN/<id>/validation.json`), so a rerun
answers kept ones at once and goes on with the rest (`--redo` starts over; infrastructure errors are always retried).
Each instance ends in one class: valid (in every run done), flaky (the verdict changed between runs), unsupported
(which Python), build failure (which step), invalid (gold not resolved, or the empty patch resolved), pending.

    .venv/bin/python bench/swebench_validate.py --mirrors /work/mirrors
    .venv/bin/python bench/swebench_validate.py --set coverage --mirrors /work/mirrors --workers 2
    .venv/bin/python bench/swebench_validate.py --set coverage --table-only       # the table from what is kept
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swebench.datasets import load_dataset, select  # noqa: E402
from swebench.evaluate import EvalSettings  # noqa: E402
from swebench.images import INSTANCE_REPOSITORY, ImageBuilder  # noqa: E402
from swebench.mirrors import Mirrors  # noqa: E402
from swebench.run_eval import load_result  # noqa: E402
from swebench.specs import SpecTable  # noqa: E402
from swebench.validate import Validation, validate  # noqa: E402
from workspaces.images import connect  # noqa: E402

DEV = ["pallets__flask-4992", "pallets__flask-5063", "pallets__flask-4045", "pytest-dev__pytest-11143",
       "pytest-dev__pytest-11148", "pytest-dev__pytest-5103", "pytest-dev__pytest-5227", "pytest-dev__pytest-7373",
       "pytest-dev__pytest-7432", "pytest-dev__pytest-8906", "pylint-dev__pylint-7993", "pylint-dev__pylint-5859",
       "pylint-dev__pylint-6506", "mwaskom__seaborn-3010", "mwaskom__seaborn-3190"]
"""The development instances of shared/swebench/README.md."""
MIRRORABLE = ("pallets/flask", "psf/requests", "pytest-dev/pytest", "pylint-dev/pylint", "mwaskom/seaborn",
              "sphinx-doc/sphinx", "pydata/xarray", "astropy/astropy", "sympy/sympy")
"""The nine repositories whose full mirrors resolve every Lite commit (cheap environments first)."""
CLASSES = ("valid", "flaky", "unsupported", "build failure", "invalid", "pending")


def chosen_instances(args) -> list:
    """The instances of `--instances`, or of the set, in MIRRORABLE order for coverage."""
    if args.instances:
        return select(load_dataset("lite"), args.instances)
    if args.set == "dev":
        return select(load_dataset("lite"), DEV)
    found = [i for i in load_dataset("lite") if i.repo in MIRRORABLE]
    return sorted(found, key=lambda i: (MIRRORABLE.index(i.repo), i.instance_id))


def remove_instance_images(client, ids: list[str]) -> None:
    """Remove the instance images of `ids` (environment images stay)."""
    import docker

    for instance_id in ids:
        try:
            image = client.images.get(f"{INSTANCE_REPOSITORY}:{instance_id.lower()}")
        except docker.errors.ImageNotFound:
            continue
        for tag in image.tags:
            client.images.remove(tag, noprune=False)


def kept(folder: Path) -> Validation | None:
    """The verdict a run kept for one instance, if any."""
    path = folder / "validation.json"
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    record.pop("key", None)
    return Validation(**record)


def classify(results: list[Validation | None]) -> tuple[str, str]:
    """(class, detail) of one instance from its verdicts in each run (None: not run yet)."""
    done = [r for r in results if r is not None]
    if not done:
        return "pending", ""
    first = done[0]
    if first.gold == "unsupported":
        python = re.search(r"needs Python (\S+)", first.reason)
        return "unsupported", f"Python {python.group(1)}" if python else first.reason[:80]
    if "image build failed" in first.reason:
        step = re.search(r"failed at (step \d+ \(.*?\))", first.reason)
        return "build failure", step.group(1) if step else first.reason[:100]
    if len({(r.valid, r.gold, r.empty) for r in done}) > 1:
        return "flaky", " vs ".join(f"{r.gold}/{r.empty}" for r in done)
    if first.valid:
        return ("valid" if len(done) == len(results) else "pending"), ""
    return "invalid", first.reason[:120]


def print_table(instances: list, out: Path, runs: int) -> dict[str, dict[str, int]]:
    """The per-repository table and the list of instances that are not valid; the counts."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CLASSES, 0))
    notes = []
    for instance in instances:
        verdict, detail = classify([kept(out / f"run{n}" / instance.instance_id) for n in range(1, runs + 1)])
        counts[instance.repo][verdict] += 1
        if verdict not in ("valid", "pending"):
            notes.append(f"  {instance.instance_id:34} {verdict:13} {detail}")
    print(f"\n{'repository':20} {'total':>5} " + " ".join(f"{c:>13}" for c in CLASSES))
    for repo, row in counts.items():
        print(f"{repo:20} {sum(row.values()):5d} " + " ".join(f"{row[c]:13d}" for c in CLASSES))
    totals = {c: sum(row[c] for row in counts.values()) for c in CLASSES}
    print(f"{'all':20} {len(instances):5d} " + " ".join(f"{totals[c]:13d}" for c in CLASSES))
    if notes:
        print("\nnot valid:\n" + "\n".join(notes))
    return {repo: dict(row) for repo, row in counts.items()}


def overhead_table(instances: list, out: Path) -> None:
    """Gold evaluation time minus eval.sh in run 2 (instance image built on a cached environment image)."""
    overheads = []
    for instance in instances:
        result = load_result(out / "run2" / instance.instance_id / "gold")
        if result:
            overheads.append(result.seconds - result.test_seconds)
            print(f"{instance.instance_id:34} total {result.seconds:6.1f}s tests {result.test_seconds:6.1f}s "
                  f"overhead {overheads[-1]:5.1f}s")
    if overheads:
        print(f"overhead with the environment image cached: median {statistics.median(overheads):.1f}s, "
              f"max {max(overheads):.1f}s (target <= 15 s)")


def main() -> int:
    """Validate (resumably) run by run, then print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("dev", "coverage"), default="dev")
    parser.add_argument("--instances", nargs="*", default=None)
    parser.add_argument("--mirrors", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--redo", action="store_true", help="Ignore kept verdicts.")
    parser.add_argument("--table-only", action="store_true", help="Print the table from kept verdicts; run nothing.")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path("bench/out") / ("swebench_validate" if args.set == "dev" else "swebench_coverage")
    instances = chosen_instances(args)
    if not args.table_only:
        client = connect()
        builder = ImageBuilder(client, Mirrors(args.mirrors), SpecTable.load())
        settings = EvalSettings(timeout=1800, run_id="bench-validate")
        for run in range(1, args.runs + 1):
            if run == 2 and args.set == "dev":
                remove_instance_images(client, [i.instance_id for i in instances])
            started = time.monotonic()
            results = validate(instances, builder, out / f"run{run}", settings, workers=args.workers,
                               force=args.redo or (run == 2 and args.set == "dev"),
                               on_result=lambda r, run=run: print(f"run {run} {r.instance_id}: "
                                                                  f"{'valid' if r.valid else r.reason[:100]}"
                                                                  f"{' (kept)' if r.cached else ''}", flush=True))
            print(f"run {run}: {sum(r.valid for r in results)}/{len(results)} valid in "
                  f"{time.monotonic() - started:.0f}s", flush=True)
    counts = print_table(instances, out, args.runs)
    if args.set == "dev" and not args.table_only:
        overhead_table(instances, out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(counts, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
