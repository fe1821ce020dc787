"""Runner overhead and scaling of `agent swebench infer`: a scripted model on 20 synthetic instances.

    .venv/bin/python bench/swebench_infer_scaling.py                        # Docker, 1/2/4 workers + Ray
    .venv/bin/python bench/swebench_infer_scaling.py --workspace local --instances 10 --no-ray

Every instance is a copy of the harness tests' calc instance (its images build offline and are built before
timing). The scripted model sleeps a little per step, standing in for model latency. For each setting the
bench prints the wall time, the sum of agent time per instance (the `solve` call: workspace, plan, loop,
gate), the ideal wall time (that sum / workers) and the runner overhead: wall time over the ideal. Target:
overhead <= 10% at 2 workers on 2 cores. Ray is started before timing (its start-up is printed apart); with
`--warm-ray` its worker processes also import the agent before timing (a fixed cost per run, not per instance).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agent.config import load_config  # noqa: E402
from swebench.images import ImageSource  # noqa: E402
from swebench.infer.runner import InferOptions, InferRunner  # noqa: E402
from tests.swebench.conftest import FIX, SPEC_YAML, calc_instance, make_calc_mirror  # noqa: E402

SCRIPT = [{"tool": "view", "args": {"path": "calc.py"}, "sleep": 0.8},
          {"tool": "apply_patch", "args": {"patch": FIX}, "sleep": 0.8},
          {"tool": "run", "args": {"command": "python3 -c 'import calc; assert calc.add(2, 3) == 5'"}, "sleep": 0.8},
          {"tool": "submit", "args": {"summary": "fixed"}, "sleep": 0.4}]
"""Four steps with 2.8 s of simulated model time."""


def setup(root: Path, count: int) -> tuple[Path, Path, list, Path]:
    """(mirrors, spec file, instances, script file) for `count` synthetic instances."""
    mirrors, base = make_calc_mirror(root)
    spec = root / "spec.yaml"
    spec.write_text(SPEC_YAML)
    first = calc_instance(base)
    instances = [replace(first, instance_id=f"acme__calc-{n}") for n in range(1, count + 1)]
    script = root / "script.json"
    script.write_text(json.dumps(SCRIPT))
    return mirrors, spec, instances, script


def prebuild(mirrors: Path, spec: Path, instances: list) -> float:
    """Build (or find) every instance image before timing; seconds taken."""
    from swebench.infer.instance_job import builder_for

    started = time.monotonic()
    builder = builder_for(ImageSource(str(mirrors), (str(spec),)))
    for instance in instances:
        builder.images(instance)
    return time.monotonic() - started


def measure(root: Path, label: str, config, instances: list, mirrors: Path, spec: Path, workers: int,
            backend: str) -> dict:
    """One timed run; its figures."""
    options = InferOptions(run_id=label, runs_dir=root / "runs", workers=workers, backend=backend,
                           images=ImageSource(str(mirrors), (str(spec),)), model_name="scripted")
    runner = InferRunner(config, options, Console(stderr=True, quiet=True), live=False)
    started = time.monotonic()
    summary = runner.run(instances)
    wall = time.monotonic() - started
    outcomes = list(summary.outcomes.values())
    agent = sum(o.agent_seconds for o in outcomes)
    job = sum(o.seconds for o in outcomes)
    ideal = agent / workers
    return {"setting": label, "backend": backend, "workers": workers, "instances": len(outcomes),
            "predicted": sum(o.predicted for o in outcomes), "wall": wall, "agent_sum": agent, "job_sum": job,
            "ideal": ideal, "overhead": wall / ideal - 1 if ideal else 0.0}


def warm_ray(ray, workers: int) -> float:
    """Start `workers` Ray worker processes with the agent imported (what the first tasks of a run pay); seconds."""
    @ray.remote(num_cpus=0, resources={"docker": 1})
    def warm() -> int:
        """Import what an instance task imports; return the worker's pid."""
        import swebench.infer.instance_job  # noqa: F401
        from agent.models import lazy

        lazy.litellm()
        time.sleep(1)  # hold the worker, so the next warm-up task gets another one
        return os.getpid()

    started = time.monotonic()
    ray.get([warm.remote() for _ in range(workers)])
    return time.monotonic() - started


def print_table(rows: list[dict], console: Console) -> None:
    """The figures, one row per setting."""
    table = Table(title="swebench infer: runner overhead and scaling", title_justify="left")
    for column in ("setting", "instances", "predicted", "wall s", "agent sum s", "job sum s", "ideal s",
                   "overhead", "speed-up vs 1"):
        table.add_column(column, justify="right")
    base = next((r["wall"] for r in rows if r["workers"] == 1 and r["backend"] == "thread"), None)
    for r in rows:
        speed = f"{base / r['wall']:.2f}x" if base else "-"
        table.add_row(r["setting"], str(r["instances"]), str(r["predicted"]), f"{r['wall']:.1f}",
                      f"{r['agent_sum']:.1f}", f"{r['job_sum']:.1f}", f"{r['ideal']:.1f}",
                      f"{100 * r['overhead']:+.1f}%", speed)
    console.print(table)


def main() -> None:
    """Parse the options, prepare the instances, run every setting, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--workspace", choices=("docker", "local"), default="docker")
    parser.add_argument("--no-ray", action="store_true", help="Skip the Ray settings.")
    parser.add_argument("--no-thread", action="store_true", help="Skip the thread settings.")
    parser.add_argument("--warm-ray", action="store_true", help="Start Ray's worker processes before timing.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    console = Console(width=max(Console().width, 130))
    with tempfile.TemporaryDirectory(prefix="infer-bench-") as tmp:
        root = Path(tmp)
        mirrors, spec, instances, script = setup(root, args.instances)
        config = load_config([f"workspace.type={args.workspace}", "model.type=scripted", f"model.script={script}",
                              "planner.type=repomap"])
        if args.workspace == "docker":
            console.print(f"images ready in {prebuild(mirrors, spec, instances):.1f}s")
        rows = [] if args.no_thread else [measure(root, f"thread x{n}", config, instances, mirrors, spec, n, "thread")
                                          for n in args.workers]
        if not args.no_ray:
            import ray

            started = time.monotonic()
            # as the backend does: CPUs >= workers, so Ray keeps that many idle worker processes alive
            ray.init(num_cpus=max(os.cpu_count() or 1, *args.workers), resources={"docker": max(args.workers)},
                     include_dashboard=False, log_to_driver=False)
            console.print(f"Ray started in {time.monotonic() - started:.1f}s (not counted below)")
            for n in (n for n in args.workers if n > 1):
                if args.warm_ray:
                    console.print(f"{n} Ray workers warmed up in {warm_ray(ray, n):.1f}s (not counted below)")
                rows.append(measure(root, f"ray x{n}{' warm' if args.warm_ray else ''}", config, instances, mirrors,
                                    spec, n, "ray"))
            ray.shutdown()
    print_table(rows, console)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
