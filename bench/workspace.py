"""Workspace latency: Docker (command server, and the docker-exec fallback) side by side with LocalWorkspace.

Measures container start (no setup, cold environment image, cached environment image), exec round trip
and file read/write, and prints medians and p95 in milliseconds. Needs a Docker daemon and the base image
(`agent images build-base`). Run:  .venv/bin/python bench/workspace.py [--repeat 200] [--starts 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from workspaces.docker import DockerWorkspace
from workspaces.images import ImageRecipe, build_image, connect
from workspaces.local import LocalWorkspace
from workspaces.settings import DockerWorkspaceConfig

IDENTITY = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def make_repo(root: Path, files: int) -> Path:
    """A repository with `files` small Python modules in a few packages."""
    for i in range(files):
        path = root / f"pkg{i % 10}" / f"mod{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"def f{j}(x):\n    return x + {j}\n\n" for j in range(20)))
    env = {**os.environ, **IDENTITY}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)
    return root


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of `repeat` calls (after two warm-up calls)."""
    for _ in range(2):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    """One printed line: median, p95, n."""
    p95 = statistics.quantiles(samples, n=20)[18] if len(samples) >= 2 else samples[0]
    return f"{name:<54} {statistics.median(samples):>9.1f} {p95:>9.1f} {len(samples):>5}"


def start_samples(make: Callable[[int], object], count: int) -> list[float]:
    """Milliseconds from constructing a workspace to having entered it (it is closed outside the timing)."""
    samples = []
    for i in range(count):
        workspace = make(i)
        started = time.perf_counter()
        workspace.__enter__()
        samples.append((time.perf_counter() - started) * 1000)
        workspace.__exit__(None, None, None)
    return samples


def latency_rows(label: str, ws, repeat: int) -> list[str]:
    """Exec round trip and read/write latency of an entered workspace."""
    ws.write_file("bench.txt", "x" * 4000)
    return [
        row(f"{label}: exec `true`", timed(lambda: ws.exec("true", timeout=30), repeat)),
        row(f"{label}: read_file (4 kB)", timed(lambda: ws.read_file("bench.txt"), repeat)),
        row(f"{label}: write_file (4 kB)", timed(lambda: ws.write_file("bench.txt", "y" * 4000), repeat)),
    ]


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="samples per latency figure")
    parser.add_argument("--starts", type=int, default=5, help="samples per start figure")
    parser.add_argument("--files", type=int, default=300, help="files in the generated repository")
    args = parser.parse_args()
    client = connect()
    plain = DockerWorkspaceConfig(auto_setup=False)
    setup = ["python3 -m venv /workspace/.venv"]
    made: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-ws-") as tmp:
        repo = make_repo(Path(tmp) / "repo", args.files)
        lines = [f"{'measurement (ms)':<54} {'median':>9} {'p95':>9} {'n':>5}"]
        lines.append(row("local: start (clone)", start_samples(lambda i: LocalWorkspace(repo, "HEAD"), args.starts)))
        lines.append(row("docker: start, no setup (base + copy clone)",
                         start_samples(lambda i: DockerWorkspace(plain, repo, "HEAD"), args.starts)))

        def cold(i: int) -> DockerWorkspace:
            return DockerWorkspace(DockerWorkspaceConfig(setup=[*setup, f": cold {uuid.uuid4().hex} {i}"]), repo,
                                   "HEAD")

        cold_workspaces: list[DockerWorkspace] = []
        lines.append(row("docker: start, cold env image (build + start)",
                         start_samples(lambda i: cold_workspaces.append(cold(i)) or cold_workspaces[-1],
                                       max(2, args.starts // 2))))
        made += [ws.prepared.image for ws in cold_workspaces]
        cached = DockerWorkspaceConfig(setup=setup)
        with DockerWorkspace(cached, repo, "HEAD") as first:
            made.append(first.prepared.image)
        lines.append(row("docker: start, cached env image",
                         start_samples(lambda i: DockerWorkspace(cached, repo, "HEAD"), args.starts)))
        with LocalWorkspace(repo, "HEAD") as ws:
            lines += latency_rows("local", ws, args.repeat)
        with DockerWorkspace(plain, repo, "HEAD") as ws:
            lines += latency_rows("docker (command server)", ws, args.repeat)
        no_python = ImageRecipe(base="repo-agent/base:bookworm", steps=["rm -f /usr/bin/python3 /usr/bin/python3.*"],
                                network="none")
        with DockerWorkspace(DockerWorkspaceConfig(auto_setup=False, image=build_image(client, no_python).name),
                             repo, "HEAD") as ws:
            lines += latency_rows("docker (exec fallback, no python3)", ws, max(20, args.repeat // 4))
    for name in made:
        client.images.remove(name, force=True)
    print("\n".join(lines))
    print(f"\n{os.cpu_count()} cores; repository of {args.files} files; Docker {client.version().get('Version')}")


if __name__ == "__main__":
    main()
