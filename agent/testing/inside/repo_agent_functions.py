"""Run a test file without pytest: call its argument-free `test*` functions, print pytest-style verdict lines.

`python repo_agent_functions.py FILE` from the repository root. A file without such functions runs as a
script (its exit status is its verdict). Verdict lines look like pytest's `-rA` summary (`PASSED FILE::name`).
"""

import inspect
import runpy
import sys
import traceback


def main(path: str) -> int:
    """Run the file's test functions (or the file itself); 1 when one fails."""
    sys.path.insert(0, ".")
    namespace = runpy.run_path(path, run_name="__repo_agent_tests__")
    tests = [(name, value) for name, value in namespace.items() if name.startswith("test")
             and inspect.isfunction(value) and not inspect.signature(value).parameters]
    if not tests:
        runpy.run_path(path, run_name="__main__")
        return 0
    failed = 0
    for name, function in tests:
        try:
            function()
        except Exception:
            traceback.print_exc()
            print(f"FAILED {path}::{name}")
            failed += 1
        else:
            print(f"PASSED {path}::{name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
