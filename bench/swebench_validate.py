"""Validate the SWE-bench development instances twice and print verdicts, stability and timings.

Run 1 validates as the caches stand (environment and instance images may be built). Before run 2 the instance
images are removed, so run 2 evaluates with the environment image cached: its gold evaluation time minus the
test run (eval.sh) is the overhead the harness adds, instance image build included (target <= 15 s).

    .venv/bin/python bench/swebench_validate.py --mirrors /work/mirrors [--instances ID ...] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swebench.datasets import load_dataset, select  # noqa: E402
from swebench.evaluate import EvalSettings  # noqa: E402
from swebench.images import INSTANCE_REPOSITORY, ImageBuilder  # noqa: E402
from swebench.mirrors import Mirrors  # noqa: E402
from swebench.run_eval import load_result  # noqa: E402
from swebench.specs import SpecTable  # noqa: E402
from swebench.validate import validate  # noqa: E402
from workspaces.images import connect  # noqa: E402

DEV = ["pallets__flask-4992", "pallets__flask-5063", "pallets__flask-4045", "pytest-dev__pytest-11143",
       "pytest-dev__pytest-11148", "pytest-dev__pytest-5103", "pytest-dev__pytest-5227", "pytest-dev__pytest-7373",
       "pytest-dev__pytest-7432", "pytest-dev__pytest-8906", "pylint-dev__pylint-7993", "pylint-dev__pylint-5859",
       "pylint-dev__pylint-6506", "mwaskom__seaborn-3010", "mwaskom__seaborn-3190"]
"""The development instances of shared/swebench/README.md."""


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


def gold_timing(out: Path, instance_id: str) -> tuple[float, float, float]:
    """(total, eval.sh, images) seconds of the gold evaluation of an instance."""
    result = load_result(out / instance_id / "gold")
    return (result.seconds, result.test_seconds, result.image_seconds) if result else (0.0, 0.0, 0.0)


def main() -> int:
    """Two validation runs, then the table of verdicts, stability and overheads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=None)
    parser.add_argument("--instances", nargs="*", default=DEV)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out/swebench_validate"))
    args = parser.parse_args()
    client = connect()
    instances = select(load_dataset("lite"), args.instances)
    builder = ImageBuilder(client, Mirrors(args.mirrors), SpecTable.load())
    settings = EvalSettings(timeout=1800, run_id="bench-validate")
    runs, timings = [], []
    for run in (1, 2):
        if run == 2:
            remove_instance_images(client, args.instances)
        started = time.monotonic()
        results = validate(instances, builder, args.out / f"run{run}", settings, workers=args.workers, force=True)
        runs.append({r.instance_id: r for r in results})
        timings.append(time.monotonic() - started)
        print(f"run {run}: {sum(r.valid for r in results)}/{len(results)} valid in {timings[-1]:.0f}s", flush=True)
    print(f"\n{'instance':32} {'run1':10} {'run2':10} {'stable':6} {'total2':>7} {'tests2':>7} {'overhead':>8}")
    overheads, rows = [], []
    for instance in instances:
        first, second = runs[0][instance.instance_id], runs[1][instance.instance_id]
        total, tests, images = gold_timing(args.out / "run2", instance.instance_id)
        overhead = total - tests
        overheads.append(overhead)
        stable = (first.valid, first.gold, first.empty) == (second.valid, second.gold, second.empty)
        verdict = ["valid" if r.valid else f"{r.gold}/{r.empty}" for r in (first, second)]
        print(f"{instance.instance_id:32} {verdict[0]:10} {verdict[1]:10} {'yes' if stable else 'NO':6} "
              f"{total:7.1f} {tests:7.1f} {overhead:8.1f}")
        rows.append({"instance_id": instance.instance_id, "run1": first.public(), "run2": second.public(),
                     "stable": stable, "gold_total_s": round(total, 1), "gold_eval_sh_s": round(tests, 1),
                     "gold_images_s": round(images, 1), "overhead_s": round(overhead, 1)})
    valid = [sum(r.valid for r in run.values()) for run in runs]
    print(f"\nvalid: run1 {valid[0]}/{len(instances)}, run2 {valid[1]}/{len(instances)}; "
          f"stable {sum(r['stable'] for r in rows)}/{len(rows)}")
    print(f"overhead with the environment image cached (instance image built): median "
          f"{statistics.median(overheads):.1f}s, max {max(overheads):.1f}s (target <= 15 s)")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps({"rows": rows, "run_seconds": timings}, indent=2))
    return 0 if valid == [len(instances)] * 2 else 1


if __name__ == "__main__":
    sys.exit(main())
