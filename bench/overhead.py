"""Per-tool latency and loop overhead per step, on a large repository, in the local workspace.

    .venv/bin/python bench/overhead.py                 # synthetic 100k-line repository
    .venv/bin/python bench/overhead.py --repo PATH     # any git repository (e.g. a sympy checkout)

Prints median and p95 per tool (view, edit, search, run) and the loop's own overhead per step:
wall time of a step minus the model call minus the tool calls (dispatch, bookkeeping, the
trajectory save, the diff snapshot after edits). Targets: view/edit < 20 ms, search < 300 ms
on 100k lines, loop overhead < 50 ms per step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from agent.config import load_config  # noqa: E402
from agent.issue import IssueText  # noqa: E402
from agent.models.scripted import ScriptedModel  # noqa: E402
from agent.repo import resolve_repo  # noqa: E402
from agent.runner import SolveJob, solve  # noqa: E402
from bench.synthetic_repo import make_synthetic_repo  # noqa: E402
from tools.registry import make_tools  # noqa: E402
from workspaces.local import LocalWorkspace  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn, repeat: int) -> list[float]:
    """Milliseconds of `repeat` calls of fn(i)."""
    out = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def python_files(root: Path) -> list[str]:
    listing = subprocess.run(["git", "ls-files", "*.py"], cwd=root, capture_output=True, text=True).stdout
    return [p for p in listing.splitlines() if p][:400]


def tool_latencies(repo: Path, repeat: int) -> dict[str, list[float]]:
    """Latency of each tool called directly against a local workspace."""
    config = load_config(["workspace.type=local"])
    tools = make_tools(config)
    files = python_files(repo)
    results: dict[str, list[float]] = {}
    with LocalWorkspace(repo) as ws:
        results["view"] = timed(lambda i: tools["view"](ws, path=files[i % len(files)], start=1, end=100), repeat)
        target = files[0]
        first = ws.read_file(target).splitlines()[0]

        def edit(i: int) -> None:
            old, new = (first, first + "  # x") if i % 2 == 0 else (first + "  # x", first)
            observation = tools["edit"](ws, path=target, old_text=old, new_text=new)
            assert not observation.error, observation.output

        results["edit"] = timed(edit, repeat)
        patterns = ["def cache_graph", r"total \+= len\('vector'\)", "class Node", "return total", "nonexistent_zz"]
        results["search"] = timed(lambda i: tools["search"](ws, pattern=patterns[i % len(patterns)]), repeat)
        results["run"] = timed(lambda i: tools["run"](ws, command="true"), repeat)
    return results


def loop_overhead(repo: Path, steps: int) -> dict[str, float]:
    """Run the real loop with a scripted model doing `steps` views and edits; split each step's time."""
    files = python_files(repo)
    actions = []
    for i in range(steps - 1):
        if i % 4 == 3:
            line = (repo / files[i]).read_text().splitlines()[0]
            actions.append({"tool": "edit", "args": {"path": files[i], "old_text": line, "new_text": line + " # b"}})
        else:
            actions.append({"tool": "view", "args": {"path": files[i % len(files)], "start": 1, "end": 100}})
    actions.append({"tool": "submit", "args": {"summary": "bench"}})
    with tempfile.TemporaryDirectory() as runs:
        config = load_config(["workspace.type=local", f"runs_dir={runs}", f"limits.steps={steps + 1}"])
        job = SolveJob(config=config, repo=resolve_repo(str(repo)), issue=IssueText(text="bench"),
                       model=ScriptedModel(actions), tools=make_tools(config))
        events: list[float] = []
        job.on_event = lambda event: events.append(time.perf_counter()) if event.kind == "step" else None
        start = time.perf_counter()
        result = solve(job)
        total = time.perf_counter() - start
        from agent.trajectory import load_trajectory

        data = load_trajectory(result.run_dir / "trajectory.json")
    model = sum(s.model_seconds for s in data.steps)
    tools_time = sum(c.seconds for s in data.steps for c in s.tool_calls)
    # Between two model replies: this step's tools, the loop's own work, and the next model call.
    overhead = []
    for i in range(len(events) - 1):
        step_tools = sum(c.seconds for c in data.steps[i].tool_calls)
        overhead.append((events[i + 1] - events[i] - step_tools - data.steps[i + 1].model_seconds) * 1000)
    edit_steps = [o for i, o in enumerate(overhead) if any(c.name == "edit" for c in data.steps[i].tool_calls)]
    other_steps = [o for i, o in enumerate(overhead) if not any(c.name == "edit" for c in data.steps[i].tool_calls)]
    return {"steps": len(data.steps), "total_s": total, "model_s": model, "tools_s": tools_time,
            "overhead": overhead, "overhead_edit": edit_steps, "overhead_read": other_steps}


def main() -> None:
    """Parse arguments, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, help="git repository to measure on (default: synthetic)")
    parser.add_argument("--lines", type=int, default=100_000, help="size of the synthetic repository")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()
    repo = args.repo or make_synthetic_repo(Path(tempfile.gettempdir()) / f"repo-agent-bench-{args.lines}", args.lines)
    lines = sum(int(x) for x in subprocess.run(
        "git ls-files -z | xargs -0 cat | wc -l", shell=True, cwd=repo, capture_output=True, text=True
    ).stdout.split())
    rg = subprocess.run(["which", "rg"], capture_output=True).returncode == 0
    print(f"repository: {repo} ({lines} lines), ripgrep: {'yes' if rg else 'no (grep)'}, cpus: {os.cpu_count()}")
    print(f"{'tool':8} {'median ms':>10} {'p95 ms':>10}   (n={args.repeat})")
    for name, values in tool_latencies(repo, args.repeat).items():
        print(f"{name:8} {statistics.median(values):10.1f} {percentile(values, 0.95):10.1f}")
    loop = loop_overhead(repo, args.steps)
    print(f"loop: {loop['steps']} steps in {loop['total_s']:.2f} s end to end (model {loop['model_s']:.3f} s, "
          f"tools {loop['tools_s']:.2f} s; the rest is clone, gate, outputs and per-step overhead)")
    for label, key in (("all steps", "overhead"), ("after an edit (diff snapshot)", "overhead_edit"),
                       ("after a read-only tool", "overhead_read")):
        values = loop[key]
        if values:
            print(f"loop overhead per step, {label:30} median {statistics.median(values):6.1f} ms, "
                  f"p95 {percentile(values, 0.95):6.1f} ms (n={len(values)})")


if __name__ == "__main__":
    main()
