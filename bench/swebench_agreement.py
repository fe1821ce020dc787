"""Our verdicts vs the official SWE-bench verdicts on published predictions, for instances runnable here.

Reads shared/swebench/official/ (predictions and official resolved lists of published systems). An instance is
runnable here when its spec is supported, its mirror holds the commits, and `validate` says it is valid here
(gold resolves, empty does not); agreement is counted on those only (invalid ones are listed). Development
instances (tuned on) and the others are counted apart.

    .venv/bin/python bench/swebench_agreement.py --mirrors /work/mirrors --repos pallets/flask pytest-dev/pytest
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.swebench_validate import DEV  # noqa: E402
from swebench.datasets import load_dataset  # noqa: E402
from swebench.evaluate import EvalSettings  # noqa: E402
from swebench.images import ImageBuilder  # noqa: E402
from swebench.mirrors import MirrorError, Mirrors  # noqa: E402
from swebench.predictions import read_predictions  # noqa: E402
from swebench.run_eval import RunOptions, run_evaluation  # noqa: E402
from swebench.specs import SpecTable, Unsupported  # noqa: E402
from swebench.validate import validate  # noqa: E402
from workspaces.images import cache_dir, connect  # noqa: E402

OFFICIAL = Path("/work/shared/swebench/official")
SYSTEMS = ["20240523_aider", "20240604_CodeR", "20241117_moatless_claude-3.5-sonnet-20241022",
           "extra/20240402_sweagent_gpt4"]


def runnable(instances, builder: ImageBuilder, mirrors: Mirrors, workers: int) -> tuple[list, dict[str, str]]:
    """(instances valid here, {instance_id: why not} for the others)."""
    candidates, skipped = [], {}
    for instance in instances:
        try:
            builder.specs.spec_for(instance)
            mirrors.require(instance.repo, instance.base_commit, instance.environment_setup_commit)
        except (Unsupported, MirrorError) as exc:
            skipped[instance.instance_id] = str(exc)[:120]
            continue
        candidates.append(instance)
    settings = EvalSettings(timeout=1800, run_id="bench-agreement-validate")
    for result in validate(candidates, builder, cache_dir() / "swebench" / "validate", settings, workers=workers):
        if not result.valid:
            skipped[result.instance_id] = f"not valid here: gold={result.gold} empty={result.empty}"
    return [i for i in candidates if i.instance_id not in skipped], skipped


def sample_per_repo(instances: list, count: int) -> list:
    """At most `count` instances per repository, evenly spaced in id order."""
    by_repo: dict[str, list] = {}
    for instance in sorted(instances, key=lambda i: i.instance_id):
        by_repo.setdefault(instance.repo, []).append(instance)
    chosen = []
    for group in by_repo.values():
        step = max(1, len(group) // count)
        chosen += group[::step][:count]
    return chosen


def compare(system: str, ours: dict[str, str], official: set[str], ids: list[str]) -> dict:
    """Agreement counts for one system on `ids`."""
    counts = {"both_resolved": 0, "both_not": 0, "only_ours": [], "only_official": [], "errors": []}
    for instance_id in ids:
        status = ours.get(instance_id, "missing")
        if status in ("error", "missing"):
            counts["errors"].append(instance_id)
            continue
        mine, theirs = status == "resolved", instance_id in official
        if mine and theirs:
            counts["both_resolved"] += 1
        elif not mine and not theirs:
            counts["both_not"] += 1
        else:
            counts["only_ours" if mine else "only_official"].append(instance_id)
    judged = counts["both_resolved"] + counts["both_not"] + len(counts["only_ours"]) + len(counts["only_official"])
    counts["judged"] = judged
    counts["agreement"] = round((counts["both_resolved"] + counts["both_not"]) / judged, 4) if judged else None
    return counts


def main() -> int:
    """Validate, evaluate each system's predictions, compare with the official verdicts, print and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=None)
    parser.add_argument("--repos", nargs="*", default=None, help="Only these repositories (owner/name).")
    parser.add_argument("--systems", nargs="*", default=SYSTEMS)
    parser.add_argument("--per-repo", type=int, default=0, help="At most this many instances per repository, "
                        "evenly spaced in id order (0: all).")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs-dir", type=Path, default=Path("bench/out/agreement"))
    args = parser.parse_args()
    dataset = load_dataset("lite")
    mirrors = Mirrors(args.mirrors)
    builder = ImageBuilder(connect(), mirrors, SpecTable.load())
    predicted = set()
    for system in args.systems:
        predicted |= set(read_predictions(OFFICIAL / f"{system}.preds.jsonl", dataset).predictions)
    instances = [i for i in dataset if i.instance_id in predicted and (not args.repos or i.repo in args.repos)]
    if args.per_repo:
        instances = sample_per_repo(instances, args.per_repo)
    valid, skipped = runnable(instances, builder, mirrors, args.workers)
    valid_ids = {i.instance_id for i in valid}
    print(f"{len(valid)} of {len(instances)} predicted instances are runnable here; {len(skipped)} skipped", flush=True)
    summary = {"skipped": skipped, "systems": {}}
    for system in args.systems:
        predictions = read_predictions(OFFICIAL / f"{system}.preds.jsonl", dataset)
        predictions.predictions = {k: v for k, v in predictions.predictions.items() if k in valid_ids}
        official = set(json.loads((OFFICIAL / f"{system}.resolved.json").read_text())["resolved"])
        options = RunOptions(run_id=Path(system).name, runs_dir=args.runs_dir, workers=args.workers,
                             settings=EvalSettings(timeout=1800, run_id="bench-agreement"))
        results = run_evaluation(dataset, predictions, lambda: builder, options, progress=False)
        ours = {r.instance_id: r.status for r in results}
        ids = sorted(predictions.predictions)
        summary["systems"][system] = {
            "dev": compare(system, ours, official, [i for i in ids if i in DEV]),
            "held_out": compare(system, ours, official, [i for i in ids if i not in DEV]),
        }
        for part, counts in summary["systems"][system].items():
            print(f"{system:48} {part:8} judged {counts['judged']:3}  agreement {counts['agreement']}  "
                  f"only ours {counts['only_ours']}  only official {counts['only_official']}  "
                  f"errors {counts['errors']}", flush=True)
    totals = {part: [0, 0] for part in ("dev", "held_out")}
    for system in summary["systems"].values():
        for part, counts in system.items():
            totals[part][0] += counts["both_resolved"] + counts["both_not"]
            totals[part][1] += counts["judged"]
    for part, (agree, judged) in totals.items():
        print(f"total {part}: {agree}/{judged} agree" + (f" ({100 * agree / judged:.1f}%)" if judged else ""))
    args.runs_dir.mkdir(parents=True, exist_ok=True)
    (args.runs_dir / "agreement.json").write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
