"""Small Python scripts that run inside image builds (with the system Python), as text to put into the image."""

from __future__ import annotations

BUILD_REQUIRES_PATH = "/opt/env/build_requires.py"
BUILD_REQUIRES_SCRIPT = r'''import pathlib, re
text = pathlib.Path("pyproject.toml").read_text() if pathlib.Path("pyproject.toml").exists() else ""
section = re.search(r"^\[build-system\](.*?)(?=^\[|\Z)", text, re.S | re.M)
found = re.search(r"requires\s*=\s*\[(.*?)\]", section.group(1), re.S) if section else None
print("\n".join(re.findall(r"[\"']([^\"']+)[\"']", found.group(1)) if found else ["setuptools", "wheel"]))
'''
"""Prints the project's build requirements (pyproject.toml [build-system] requires), one per line."""

BEST_EFFORT_PATH = "/opt/env/best_effort.py"
BEST_EFFORT_SCRIPT = r'''import re, shlex, subprocess, sys
command, path = sys.argv[1], sys.argv[2]
wanted = [line.strip() for line in open(path) if line.strip()]
def name(requirement):
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group(0)).lower()
def install(requirements):
    result = subprocess.run(command + " " + " ".join(map(shlex.quote, requirements)), shell=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(result.stdout, flush=True)
    return result
for _ in range(10):
    result = install(wanted)
    if result.returncode == 0:
        sys.exit(0)
    failed = re.search(r"Failed to (?:build|download|fetch) `([A-Za-z0-9._-]+)", result.stdout)
    if not failed or name(failed.group(1)) not in {name(r) for r in wanted}:
        break
    print("SKIPPED", failed.group(1), flush=True)
    wanted = [r for r in wanted if name(r) != name(failed.group(1))]
for requirement in wanted:
    if install([requirement]).returncode != 0:
        print("SKIPPED", requirement, flush=True)
'''
"""Installs requirements as one set, dropping each package that fails to build (the error names it) and
retrying; when the set still fails for another reason, installs them one by one. Never fails itself."""
