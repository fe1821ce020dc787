"""Wall time and host disk of one run: the built-in example and one SWE-bench instance, in Docker workspaces.

    .venv/bin/python bench/run_footprint.py                                  # both cases
    .venv/bin/python bench/run_footprint.py --case swebench --mirrors DIR    # DIR holds pallets+flask (bare)

Each case runs the `agent` command as a user would, in a subprocess whose TMPDIR is a fresh folder. While it
runs, the bench samples (every 20 ms) the bytes under that folder (throwaway copies of the repository: host
checkouts, seed archives) and the growth of repo-agent's cache outside the image store (kept copies, such as
a rebuilt repository per SWE-bench image). The model is scripted (a view, an edit, a submit), so the figures are
the harness's own: workspace, planner, gate. A warm-up run first builds the images, which are not counted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT = str(Path(sys.executable).with_name("agent"))
INSTANCE = "pallets__flask-4992"
"""A validated development instance whose mirror is small."""
SCRIPT = [{"tool": "view", "args": {"path": "src/flask/config.py"}},
          {"tool": "insert", "args": {"path": "src/flask/config.py", "line": 1, "text": "# looked at"}},
          {"tool": "submit", "args": {"summary": "looked"}}]
"""A view, an edit (so the patch gate has a diff to check) and a submit."""


def tree_bytes(path: Path) -> int:
    """Bytes of the regular files under `path` (0 when absent; files vanishing mid-walk are skipped)."""
    total = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def measure(command: list[str], tmp: Path, cache: Path) -> dict:
    """Run `command` with TMPDIR=`tmp`; wall seconds, peak bytes under tmp, growth of `cache`, exit code."""
    tmp.mkdir(parents=True, exist_ok=True)
    cache_before = tree_bytes(cache)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], tree_bytes(tmp))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp)}, capture_output=True,
                            text=True)
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
    return {"wall": wall, "tmp_peak": peak[0], "cache_growth": tree_bytes(cache) - cache_before,
            "exit": result.returncode}


def example_command(work: Path) -> list[str]:
    """`agent example` in a Docker workspace, replayed."""
    return [AGENT, "example", "-w", "docker", "-c", f"runs_dir={work / 'runs'}"]


def swebench_command(work: Path, mirrors: Path) -> list[str]:
    """`agent swebench infer` of one instance with a scripted model."""
    script = work / "script.json"
    script.write_text(json.dumps(SCRIPT))
    return [AGENT, "swebench", "infer", INSTANCE, "--dataset", "lite", "--run-id", "footprint", "--force",
            "--mirrors", str(mirrors), "--runs-dir", str(work / "runs"), "--strategy", "loop",
            "-c", "model.type=scripted", "-c", f"model.script={script}"]


def main() -> None:
    """Parse the options, measure each case (run 0 builds the images), print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=("example", "swebench", "both"), default="both")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror/bare"),
                        help="Directory of bare mirrors (owner+name) holding pallets/flask.")
    parser.add_argument("--runs", type=int, default=2, help="Measured runs per case.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from workspaces.images import cache_dir

    cache = cache_dir()
    cases = ["example", "swebench"] if args.case == "both" else [args.case]
    print(f"{'case':10} {'run':>3} {'wall s':>7} {'tmp peak kB':>12} {'cache growth kB':>16} {'exit':>4}")
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="footprint-") as folder:
            work = Path(folder)
            command = example_command(work) if case == "example" else swebench_command(work, args.mirrors)
            for run in range(args.runs + 1):  # run 0 builds what is missing (images, cached copies)
                row = measure(command, work / f"tmp-{run}", cache)
                print(f"{case:10} {run:>3} {row['wall']:>7.1f} {row['tmp_peak'] / 1e3:>12.0f} "
                      f"{row['cache_growth'] / 1e3:>16.0f} {row['exit']:>4}", flush=True)


if __name__ == "__main__":
    main()
