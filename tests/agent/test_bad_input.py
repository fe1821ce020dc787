"""What a user gets wrong on the command line: usage errors, `agent solve` inputs and configuration.

Every case runs the real `agent` console script and checks the exit status and that stderr is one line
naming the problem, with no traceback. No model, no Docker: the scripted model and `--workspace local`.
See test_bad_input_files.py for replay, swebench, map and the other commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUGGY_CALC, git

SCRIPT = Path(__file__).parent / "scripts" / "fix_calc.yaml"
SCRIPTED = ["-w", "local", "-c", "model.type=scripted", "-c", f"model.script={SCRIPT}", "--strategy", "loop"]
"""Options that make a solve start without a model or Docker."""
CONSOLE_SCRIPT = Path(sys.executable).with_name("agent")
ENTRY = [str(CONSOLE_SCRIPT)] if CONSOLE_SCRIPT.is_file() else [sys.executable, "-m", "agent"]
"""The installed `agent` console script (what a user runs), else the same `run()` through `python -m agent`."""
DROPPED_ENV = ("AGENT_MODEL", "REPO_AGENT_MIRRORS", "GITHUB_TOKEN", "GH_TOKEN", "COLUMNS", "LINES")


def agent(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `agent ARGS` in `cwd`: no provider keys, no reachable Docker or GitHub, an 80-column terminal width."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k not in DROPPED_ENV}
    env.update({"COLUMNS": "80", "DOCKER_HOST": "tcp://127.0.0.1:9", "GITHUB_API_URL": "http://127.0.0.1:9",
                "XDG_CACHE_HOME": str(cwd / ".cache")})
    return subprocess.run([*ENTRY, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def cases(table: list[tuple]) -> list:
    """pytest params from rows `(id, *values)`."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


def one_line_error(result: subprocess.CompletedProcess, *names: str, status: int = 2) -> str:
    """Assert the run failed with `status` and one stderr line `error: ...` naming each of `names`; return it."""
    shown = f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert result.returncode == status, shown
    assert "Traceback" not in result.stdout + result.stderr, shown
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), shown
    for name in names:
        assert name in lines[0], (name, shown)
    return lines[0]


def make_place(root: Path) -> Path:
    """`root` as a working folder: the buggy calc repository in calc/, a plain folder and a few input files."""
    (root / "calc").mkdir(parents=True)
    git(root / "calc", "init", "-q", "-b", "main")
    for name, text in BUGGY_CALC.items():
        (root / "calc" / name).write_text(text)
    git(root / "calc", "add", "-A")
    git(root / "calc", "commit", "-q", "-m", "initial")
    (root / "plain").mkdir()
    files = {"empty.md": "\n  \n", "list.yaml": "- a\n- b\n", "unknown.yaml": "bogus_key: 1\n",
             "badtype.yaml": "limits:\n  steps: many\n", "broken.yaml": "limits: [\n", "issue.md": "add() subtracts\n"}
    for name, text in files.items():
        (root / name).write_text(text)
    return root


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """A working folder (see make_place) that every case runs in."""
    return make_place(tmp_path / "work")


USAGE_ERRORS = [
    ("unknown command, with the close match", ["solv"], ["'solv'", "Did you mean 'solve'?"]),
    ("unknown subcommand", ["swebench", "evl"], ["'evl'", "'eval'"]),
    ("unknown option, with the close match", ["solve", "--isue", "x"], ["--isue", "Did you mean --issue?"]),
    ("unknown top-level option", ["--bogus"], ["No such option: --bogus"]),
    ("missing --issue", ["solve", "-r", "calc"], ["Missing option", "--issue"]),
    ("missing argument", ["replay"], ["Missing argument", "trajectory"]),
    ("option without its value", ["solve", "--issue"], ["--issue", "requires an argument"]),
    ("extra argument", ["solve", "-i", "x", "surplus"], ["unexpected extra argument", "surplus"]),
    ("--samples below its range", ["solve", "-i", "x", "--samples", "0"], ["--samples", "1"]),
    ("--temperature above its range", ["solve", "-i", "x", "--temperature", "5"], ["--temperature", "2"]),
    ("--top-p above its range", ["solve", "-i", "x", "--top-p", "1.5"], ["--top-p"]),
    ("unknown option", ["solve", "-i", "x", "--workers", "2"], ["No such option", "--workers"]),
    ("--samples not a number", ["solve", "-i", "x", "--samples", "many"], ["--samples", "integer"]),
    ("--max-steps not a number", ["solve", "-i", "x", "--max-steps", "ten"], ["--max-steps"]),
    ("--select not a choice", ["solve", "-i", "x", "--select", "best"], ["--select", "'best'", "tests+vote"]),
    ("eval --workers below its range", ["swebench", "eval", "--run-id", "r", "--workers", "0"], ["--workers"]),
    ("map --tokens not a number", ["map", "-i", "x", "--tokens", "lots"], ["--tokens"]),
]


@pytest.mark.parametrize(("args", "names"), cases(USAGE_ERRORS))
def test_usage_errors_are_one_line_naming_the_option_with_status_2(place: Path, args: list[str],
                                                                   names: list[str]) -> None:
    line = one_line_error(agent(*args, cwd=place), *names)
    assert "--help" in line or "requires an argument" in line  # where to look next
    assert not (place / "runs").exists()


def test_a_bare_group_shows_its_help_not_an_error(place: Path) -> None:
    result = agent("swebench", cwd=place)
    assert result.returncode == 2 and "eval" in result.stdout and "error" not in result.stderr


def test_debug_shows_the_traceback_of_a_user_error(place: Path) -> None:
    result = agent("--debug", "replay", "nope.json", cwd=place)
    assert result.returncode != 0 and "Traceback" in result.stderr and "UserError" in result.stderr


def test_errors_of_click_itself_read_the_same(place: Path) -> None:
    """Older typer raises click's own exceptions rather than its bundled copy's: they are handled alike."""
    click = pytest.importorskip("click")
    from agent.cli.main import click_exception_types, usage_message

    command = click.Command("solve", params=[click.Option(["--issue"]), click.Option(["--image"])])
    ctx = click.Context(command, info_name="solve")
    error = click.exceptions.NoSuchOption("--isue", possibilities=["--issue", "--image"], ctx=ctx)
    assert isinstance(error, click_exception_types())
    line = usage_message(error)
    assert "--isue" in line and line.endswith("Did you mean --issue? (see 'solve --help')"), line
    missing = click.exceptions.MissingParameter(ctx=ctx, param=command.params[0])
    assert usage_message(missing) == "Missing option '--issue'. (see 'solve --help')"


SOLVE_ERRORS = [
    ("issue file missing", ["-r", "calc", "-i", "@nope.md"], ["nope.md", "does not exist"]),
    ("issue file empty", ["-r", "calc", "-i", "@empty.md"], ["empty.md", "empty"]),
    ("issue text blank", ["-r", "calc", "-i", "   "], ["empty"]),
    ("issue file name with brackets", ["-r", "calc", "-i", "@[draft].md"], ["[draft].md", "does not exist"]),
    ("repo not a git repository", ["-r", "plain", "-i", "x"], ["plain", "not inside a git repository"]),
    ("repo path missing", ["-r", "nowhere", "-i", "x"], ["nowhere", "does not exist"]),
    ("no repo and no issue URL", ["-i", "x"], ["--repo"]),
    ("bad --commit", ["-r", "calc", "-i", "x", "--commit", "deadbeef"], ["deadbeef", "does not exist"]),
    ("--out into a missing folder", ["-r", "calc", "-i", "x", "-o", "no/such/dir/fix.diff"], ["--out", "no/such/dir"]),
    ("--pr without a GitHub issue", ["-r", "calc", "-i", "x", "--pr"], ["GitHub issue"]),
]


@pytest.mark.parametrize(("args", "names"), cases(SOLVE_ERRORS))
def test_solve_inputs_are_checked_before_any_work(place: Path, args: list[str], names: list[str]) -> None:
    one_line_error(agent("solve", *args, *SCRIPTED, cwd=place), *names)
    assert not (place / "runs").exists()


CONFIG_ERRORS = [
    ("override not key=value", ["-c", "=3"], ["'=3'", "key.sub=value"]),
    ("config file missing", ["-c", "nofile.yaml"], ["nofile.yaml", "does not exist"]),
    ("YAML not a mapping", ["-c", "list.yaml"], ["list.yaml", "mapping"]),
    ("YAML that does not parse", ["-c", "broken.yaml"], ["broken.yaml", "not valid YAML at line 2, column 1"]),
    ("unknown key in a file", ["-c", "unknown.yaml"], ["bogus_key"]),
    ("unknown key in an override", ["-c", "limits.stepz=3"], ["limits.stepz"]),
    ("wrong value type in a file", ["-c", "badtype.yaml"], ["limits.steps", "integer"]),
    ("wrong value type in an override", ["-c", "model.temperature=warm"], ["model.temperature", "number"]),
    ("value out of range", ["-c", "limits.steps=-1"], ["limits.steps"]),
    ("unknown model.type", ["-c", "model.type=oracle"], ["model.type", "scripted"]),
    ("unknown workspace type", ["-w", "cloud"], ["workspace", "cloud"]),
    ("scripted model without its script", ["-c", "model.script=missing.yaml"], ["missing.yaml", "model.script"]),
    ("script that is not a list of actions", ["-c", "model.script=unknown.yaml"], ["unknown.yaml"]),
    ("script that does not parse", ["-c", "model.script=broken.yaml"], ["broken.yaml", "not valid YAML at line 2"]),
]


@pytest.mark.parametrize(("args", "names"), cases(CONFIG_ERRORS))
def test_configuration_mistakes_are_one_sentence(place: Path, args: list[str], names: list[str]) -> None:
    one_line_error(agent("solve", "-r", "calc", "-i", "@issue.md", *SCRIPTED, *args, cwd=place), *names)
    assert not (place / "runs").exists()


def test_apply_refuses_a_dirty_checkout_before_the_run(place: Path) -> None:
    (place / "calc" / "README.md").write_text("a local edit\n")
    one_line_error(agent("solve", "-r", "calc", "-i", "x", *SCRIPTED, "--apply", cwd=place), "uncommitted")
    assert not (place / "runs").exists()
    assert "return a - b" in (place / "calc" / "calc.py").read_text()


def test_the_same_solve_with_good_input_succeeds(place: Path) -> None:
    """The cases above fail because of their one mistake: without it, the same command line works."""
    result = agent("solve", "-r", "calc", "-i", "@issue.md", *SCRIPTED, "-o", "fix.diff", "--select", "vote",
                   cwd=place, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "+    return a + b" in (place / "fix.diff").read_text()
