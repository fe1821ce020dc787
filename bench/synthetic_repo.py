"""A deterministic synthetic Python repository of a requested size, for benchmarks.

Files look like ordinary library code (classes, functions, docstrings, imports) so that search,
parsing and diffing do realistic work. Same seed and size -> byte-identical tree.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

WORDS = ("account", "buffer", "cache", "config", "cursor", "event", "frame", "graph", "index", "layer", "matrix",
         "node", "parser", "queue", "record", "schema", "session", "token", "vector", "widget")


def _function(rng: random.Random, name: str) -> list[str]:
    args = ", ".join(rng.sample(WORDS, rng.randint(1, 3)))
    body = [f"def {name}({args}):", f'    """Compute the {name.replace("_", " ")} of the inputs."""', "    total = 0"]
    for _ in range(rng.randint(4, 12)):
        word = rng.choice(WORDS)
        body.append(f"    if {word!r} in str({args.split(', ')[0]}):")
        body.append(f"        total += len({word!r}) * {rng.randint(1, 99)}")
    body += ["    return total", "", ""]
    return body


def _module(rng: random.Random, index: int, target_lines: int) -> str:
    lines = [f'"""Module {index}: helpers for {rng.choice(WORDS)} handling."""', "", "import os", "import re", "", ""]
    count = 0
    while len(lines) < target_lines:
        count += 1
        name = f"{rng.choice(WORDS)}_{rng.choice(WORDS)}_{index}_{count}"
        if count % 5 == 0:
            lines += [f"class {name.title().replace('_', '')}:", f'    """A {rng.choice(WORDS)} holder."""', ""]
            lines += ["    " + line if line else "" for line in _function(rng, "method_" + name)]
        else:
            lines += _function(rng, name)
    return "\n".join(lines) + "\n"


def make_synthetic_repo(root: Path, total_lines: int = 100_000, lines_per_file: int = 200, seed: int = 7) -> Path:
    """Write the tree under `root` and commit it (no-op when it already exists)."""
    if (root / ".git").exists():
        return root
    rng = random.Random(seed)
    files = max(1, total_lines // lines_per_file)
    for index in range(files):
        package = root / "pkg" / f"sub{index % 20:02d}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"mod{index:04d}.py").write_text(_module(rng, index, lines_per_file))
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "b@b"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "synthetic"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return root
