"""`python repo_agent_functions.py FILE`: call a test file's argument-free `test*` functions without pytest and print
pytest `-rA`-style verdict lines and failure blocks; a file without them runs as a script."""

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
        except Exception as exc:  # a failure block as pytest writes one: header, traceback, `E   Error: text`
            print("_" * 20 + " " + name + " " + "_" * 20)
            traceback.print_exc(file=sys.stdout)
            print(f"E   {type(exc).__name__}: {exc}")
            print(f"FAILED {path}::{name}")
            failed += 1
        else:
            print(f"PASSED {path}::{name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
