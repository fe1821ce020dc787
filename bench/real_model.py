"""A real model fixes real bugs: repo-agent (each strategy), mini-swe-agent 2.4.6 and a plain sample-and-test loop
(bench/sample_and_test.py) side by side on QuixBugs.

    .venv/bin/python bench/real_model.py                                   # dev set, all systems, local 1.5B
    .venv/bin/python bench/real_model.py --tasks quicksort --systems repo-agent:default,mini-swe-agent \\
        --steps 5 --wall-time 120                                          # a smoke check
    .venv/bin/python bench/real_model.py --out bench/out/r1.json --resume  # continue a crashed run
    .venv/bin/python bench/real_model.py --swebench --mirrors /work/mirrors --dry-run   # SWE-bench wiring

One llama.cpp server (Qwen2.5-Coder GGUF, bench/llama_server.py) serves every system in the run; each gets
the same step limit, wall limit, command timeout, temperature and output cap. Tasks are built from the
QuixBugs mirror at run time (bench/quixbugs.py) and verified; scoring applies each system's final diff to a
clean copy, restores the tests and runs them (bench/scoring.py). Prints per system: resolved/total, median
steps, median wall seconds, format errors per model reply; writes per-task rows as JSON lines while running
(OUT with .jsonl) and the JSON of the whole run at the end (OUT); logs and trajectories go to OUT's stem folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import llama_server, quixbugs, real_swebench, scoring, systems  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent / "out"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--tasks", help="comma-separated QuixBugs programs (default: the 20 of the development set)")
    p.add_argument("--heldout", action="store_true", help="allow held-out programs (alone: run the held-out set)")
    p.add_argument("--systems", default="repo-agent,mini-swe-agent,sample-and-test",
                   help="comma-separated: repo-agent (one per --variants), repo-agent:VARIANT, mini-swe-agent, "
                        "sample-and-test")
    p.add_argument("--variants", help="repo-agent variants: default (no flag) and/or --strategy values "
                                      "(default: default + whatever `agent solve --help` lists)")
    p.add_argument("--steps", type=int, default=30, help="step limit (model calls) for every system")
    p.add_argument("--wall-time", type=float, default=900, help="wall limit per task and system, seconds")
    p.add_argument("--command-timeout", type=int, default=60, help="seconds one agent command may run")
    p.add_argument("--temperature", type=float, default=0.0)
    p.add_argument("--max-tokens", type=int, default=0, help="output tokens per model reply (0: each system's own)")
    p.add_argument("--grace", type=float, default=30, help="seconds past the wall limit before the bench stops a run")
    p.add_argument("--model", help="a hosted litellm model for every system instead of the local server")
    p.add_argument("--api-base", help="use this already running OpenAI-compatible server on 127.0.0.1")
    p.add_argument("--local-model", default="qwen2.5-coder-1.5b", choices=sorted(llama_server.MODELS))
    p.add_argument("--port", type=int, help="port of the local server (default: a free one)")
    p.add_argument("--out", type=Path, help="results JSON (default bench/out/real_model-DATE.json)")
    p.add_argument("--resume", action="store_true", help="skip the (system, task) pairs OUT's .jsonl already has")
    p.add_argument("--keep", action="store_true", help="keep task folders and the systems' clones")
    p.add_argument("--work", type=Path, help="folder for the task repositories (default: a temporary one)")
    p.add_argument("--dry-run", action="store_true", help="build and verify tasks, print the commands, run nothing")
    p.add_argument("--swebench", action="store_true", help="repo-agent on the SWE-bench development instances")
    p.add_argument("--mirrors", type=Path, default=Path(os.environ.get("REPO_AGENT_MIRRORS", "/work/mirrors")),
                   help="bare mirrors for --swebench")
    return p.parse_args(argv)


def model_endpoint(args: argparse.Namespace, artifacts: Path):
    """(model name, api_base or None, a context that runs the local server when one is needed)."""
    if args.model:
        from agent.models.selection import key_variable

        variable = key_variable(args.model.split("/", 1)[0])
        if variable and not os.environ.get(variable):
            raise SystemExit(f"--model {args.model} needs {variable} in the environment.")
        return args.model, None, nullcontext(None)
    if args.api_base:
        if not args.api_base.startswith(("http://127.0.0.1", "http://localhost")):
            raise SystemExit("--api-base must point at 127.0.0.1 (the bench sends traffic nowhere else).")
        return "openai/local", args.api_base, nullcontext(args.api_base)
    others = llama_server.other_servers()
    if others:
        print(f"warning: another llama.cpp server is running and shares the CPU: {others[0][:120]}")
    port = args.port or llama_server.free_port()
    if args.dry_run:
        return "openai/local", f"http://127.0.0.1:{port}/v1", nullcontext(None)
    gguf = llama_server.assemble(llama_server.MODELS[args.local_model])
    python = llama_server.ensure_llama_venv()
    settings = llama_server.ServerSettings(gguf, port, log_path=artifacts / "llama_server.log")
    server = llama_server.LocalServer(python, settings)
    return "openai/local", server.api_base, server


def read_rows(path: Path) -> list[dict]:
    """The rows of a JSON-lines file (a torn last line is ignored)."""
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    return rows


def append_row(path: Path, row: dict) -> None:
    """Append one row and make it durable before going on."""
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
        out.flush()
        os.fsync(out.fileno())


def build_tasks(names: list[str], work: Path) -> tuple[list[quixbugs.Task], list[dict]]:
    """Build and verify every task; (the sound ones, the verification records)."""
    tasks, checks = [], []
    for name in names:
        task = quixbugs.build(name, work / "tasks")
        check = quixbugs.verify(task, work / "scratch")
        checks.append({"task": name, "ok": check.ok, "buggy": check.buggy_summary, "correct": check.correct_summary})
        status = "ok" if check.ok else "FAILED VERIFICATION"
        print(f"  task {name}: {status} (buggy: {check.buggy_summary}; corrected: {check.correct_summary})",
              flush=True)
        if check.ok:
            tasks.append(task)
    return tasks, checks


def run_one(system, task: quixbugs.Task, settings: systems.Settings, run_dir: Path, keep: bool) -> dict:
    """One system on one task, scored; the result row."""
    if run_dir.exists():
        shutil.rmtree(run_dir)  # a run interrupted by a crash starts over
    run_dir.mkdir(parents=True)
    try:
        outcome = system.run(task, run_dir, settings)
    except Exception as exc:  # one broken run must not end the benchmark
        outcome = systems.Outcome(error=f"{type(exc).__name__}: {exc}")
        (run_dir / "bench_error.txt").write_text(traceback.format_exc(), encoding="utf-8")
    (run_dir / "final.diff").write_text(outcome.diff, encoding="utf-8")
    verdict = scoring.score(task.repo, task.commit, task.test_path, outcome.diff, run_dir)
    (run_dir / "score.txt").write_text(verdict.output or verdict.summary, encoding="utf-8")
    if not keep:
        systems.remove(run_dir)
    return {"system": system.name, "task": task.name, "resolved": verdict.resolved, "steps": outcome.steps,
            "wall_seconds": round(outcome.wall_seconds, 1), "format_errors": outcome.format_errors,
            "replies": outcome.replies, "exit_status": outcome.exit_status,
            "diff_size": scoring.diff_size(outcome.diff),
            "error": outcome.error, "test_summary": verdict.summary, "killed": outcome.killed,
            "run_dir": str(run_dir)}


def summarize(rows: list[dict], names: list[str]) -> list[dict]:
    """Per system: resolved/total, median steps, median wall seconds, format errors per reply."""
    table = []
    for name in names:
        mine = [r for r in rows if r["system"] == name]
        if not mine:
            continue
        replies = sum(r["replies"] for r in mine)
        errors = sum(r["format_errors"] for r in mine)
        table.append({"system": name, "resolved": sum(r["resolved"] for r in mine), "total": len(mine),
                      "median_steps": statistics.median(r["steps"] for r in mine),
                      "median_wall_seconds": round(statistics.median(r["wall_seconds"] for r in mine), 1),
                      "format_errors": errors, "replies": replies,
                      "format_errors_per_reply": round(errors / replies, 3) if replies else None})
    return table


def print_table(table: list[dict]) -> None:
    """The per-system table."""
    print(f"\n{'system':<26} {'resolved':>9} {'median steps':>13} {'median wall s':>14} {'format errors/reply':>22}")
    for row in table:
        ratio = "-" if row["format_errors_per_reply"] is None else f"{row['format_errors_per_reply']:.2f}"
        print(f"{row['system']:<26} {row['resolved']:>4}/{row['total']:<4} {row['median_steps']:>13g} "
              f"{row['median_wall_seconds']:>14.1f} {ratio:>9} ({row['format_errors']}/{row['replies']})".rstrip())


def load() -> list[float]:
    """The 1/5/15-minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def reset_server(server, settings: systems.Settings) -> float | None:
    """After a run the bench killed: the local server may still be generating its last reply, which the next
    run would wait behind. Restart the server we own, or wait out one we don't; the seconds it took."""
    if isinstance(server, llama_server.LocalServer):
        return round(server.restart(), 1)
    if settings.api_base:
        return round(llama_server.drain(settings.api_base), 1)
    return None  # a hosted model: nothing of ours to wait for


def quixbugs_run(args, settings: systems.Settings, server, jsonl: Path, artifacts: Path) -> dict:
    """Build the tasks, run every system on every task, score; the run record."""
    names = quixbugs.select(args.tasks.split(",") if args.tasks else None, args.heldout)
    variants = args.variants.split(",") if args.variants else ["default", *systems.repo_agent_strategies()]
    chosen = systems.make_systems(args.systems.split(","), variants)
    done = {(r["system"], r["task"]) for r in read_rows(jsonl)} if args.resume else set()
    work = args.work or Path(tempfile.mkdtemp(prefix="real_model-"))
    print(f"systems: {', '.join(s.name for s in chosen)}; {len(names)} tasks; work folder {work}", flush=True)
    try:
        tasks, checks = build_tasks(names, work)
        if not tasks:
            raise SystemExit("No task passed verification; nothing to run.")
        if args.dry_run:
            for system in chosen:
                preview = artifacts / system.name.replace(":", "-") / tasks[0].name
                cmd = (system.command(tasks[0], preview, settings) if isinstance(system, systems.RepoAgent) else
                       system.command(tasks[0], preview / "repo", preview / "mini.traj.json", settings))
                print(f"{system.name}: {' '.join(cmd)}")
            return {"verification": checks, "rows": []}
        with server:
            todo = [(t, s) for t in tasks for s in chosen if (s.name, t.name) not in done]
            for number, (task, system) in enumerate(todo, 1):
                print(f"[{number}/{len(todo)}] {task.name} · {system.name} ...", flush=True)
                row = run_one(system, task, settings, artifacts / system.name.replace(":", "-") / task.name,
                              args.keep)
                row["server_reset_seconds"] = reset_server(server, settings) if row["killed"] else None
                append_row(jsonl, row)
                print(f"[{number}/{len(todo)}] {task.name} · {system.name}: "
                      f"{'RESOLVED' if row['resolved'] else 'unresolved'} · {row['steps']} steps · "
                      f"{row['wall_seconds']:.0f} s · {row['format_errors']}/{row['replies']} format errors · "
                      f"{row['exit_status'] or '-'}{' · ' + row['error'][:100] if row['error'] else ''} · "
                      f"{row['test_summary']}", flush=True)
        names_set = set(names)
        rows = [r for r in read_rows(jsonl) if r["task"] in names_set and r["system"] in {s.name for s in chosen}]
        return {"verification": checks, "rows": rows, "systems": [s.name for s in chosen]}
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run the bench; 0 when it completed."""
    args = parse_args(argv)
    stamp = time.strftime("%Y-%m-%d")
    out = args.out or OUT_DIR / f"real_model{'-swebench' if args.swebench else ''}-{stamp}.json"
    jsonl, artifacts = out.with_suffix(".jsonl"), out.with_suffix("")
    if jsonl.exists() and not args.resume and not args.dry_run:
        raise SystemExit(f"{jsonl} exists: pass --resume to continue that run, or another --out.")
    if not args.dry_run:
        artifacts.mkdir(parents=True, exist_ok=True)
    model, api_base, server = model_endpoint(args, artifacts)
    settings = systems.Settings(model=model, api_base=api_base, steps=args.steps, wall_time=args.wall_time,
                                command_timeout=args.command_timeout, temperature=args.temperature,
                                max_tokens=args.max_tokens, grace=args.grace)
    record = {"settings": {**vars(settings), "local_model": None if args.model else args.local_model,
                           "test_python": scoring.test_python(), "case_timeout": scoring.CASE_TIMEOUT,
                           "started": time.strftime("%Y-%m-%dT%H:%M:%S")},
              "load_before": load()}
    print(f"settings: {json.dumps(record['settings'])}\nload before: {record['load_before']}", flush=True)
    if args.swebench:
        variants = args.variants.split(",") if args.variants else ["default", *systems.repo_agent_strategies()]
        with server:
            rows = real_swebench.run(variants, settings, args.mirrors, artifacts, stamp, args.dry_run)
        for row in rows:
            append_row(jsonl, row)
        record |= {"rows": rows, "systems": sorted({r["system"] for r in rows})}
    else:
        record |= quixbugs_run(args, settings, server, jsonl, artifacts)
    record["load_after"] = load()
    print(f"load after: {record['load_after']}")
    if args.dry_run:
        return 0
    record["summary"] = summarize(record["rows"], record.get("systems", []))
    print_table(record["summary"])
    out.write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
    print(f"\nper-task results: {out} (rows as they finished: {jsonl}; logs and trajectories: {artifacts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
