"""The `agent` console script: one typer app, subcommands registered from their modules. Failures are one
sentence and a non-zero exit (`--debug`: traceback); usage errors are one line, exit status 2."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import get_args

import typer
from rich.console import Console
from rich.markup import escape

from core.errors import ModelError, UserError, WorkspaceError

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

app = typer.Typer(
    name="agent",
    help="repo-agent: give it a repository and an issue, get back a validated patch.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True, soft_wrap=True)  # soft wrap: an error stays one line in a narrow terminal

COMMAND_MODULES = [
    "agent.cli.solve",
    "agent.cli.map",
    "agent.cli.images",
    "agent.cli.swebench",
    "agent.cli.swebench_infer",
    "agent.cli.github",
    "agent.cli.bench",
]
"""Modules whose `register(app)` adds their commands; each subsystem owns its module."""

CLICK_EXCEPTION_MODULES = ("typer._click.exceptions", "click.exceptions")
"""Where typer's parse errors come from: its bundled copy of click (typer >= 0.20) or click itself (older)."""


@app.callback()
def main_options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks instead of one-line errors."),
) -> None:
    """repo-agent: give it a repository and an issue, get back a validated patch."""
    # declares --debug for the help and the parser; `run` reads it from the command line before parsing


def choice_of(model: type, field: str) -> Callable[[str | None], str | None]:
    """A typer callback accepting only the values the config `model`'s Literal `field` allows, so a bad value is a
    usage error naming the flag, not a config error naming the key it sets."""
    allowed = get_args(model.model_fields[field].annotation)

    def check(value: str | None) -> str | None:
        if value is not None and value not in allowed:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, allowed))}.")
        return value

    return check


def click_exception_types() -> tuple[type[Exception], ...]:
    """The `ClickException` classes typer may raise, whichever click it parses with."""
    found = []
    for module_name in CLICK_EXCEPTION_MODULES:
        try:
            found.append(importlib.import_module(module_name).ClickException)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def one_line(text: str) -> str:
    """`text` with its line breaks and runs of spaces folded into single spaces."""
    return " ".join(str(text).split())


def usage_message(exc: Exception) -> str:
    """A click error as one sentence: the problem, a close match for a mistyped option, where to find help."""
    if type(exc).__name__ == "NoSuchOption":
        possibilities = list(getattr(exc, "possibilities", None) or [])  # click orders them closest first
        text = one_line(getattr(exc, "message", str(exc))).rstrip(".") + "."
        if possibilities:
            text += f" Did you mean {possibilities[0]}?"
    else:
        text = one_line(exc.format_message())  # type: ignore[attr-defined]
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and getattr(exc, "exit_code", 1) == 2:
        text += f" (see '{ctx.command_path} --help')"
    return text


def show_error(text: str) -> None:
    """Print `error: TEXT` on stderr as one line (TEXT is not read as rich markup)."""
    err_console.print(f"[bold red]error:[/] {escape(one_line(text))}", highlight=False)


def exit_for_click_error(exc: Exception) -> None:
    """Report a click usage error (or the help for a bare group) and exit with its status."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # the help was printed already (or is the message)
        help_text = exc.format_message().strip()  # type: ignore[attr-defined]
        if help_text:
            print(help_text, file=sys.stderr)
    else:
        show_error(usage_message(exc))
    sys.exit(getattr(exc, "exit_code", 2))


def run() -> None:
    """Entry point: run the app; `UserError` and usage errors become one line on stderr and exit status 2, a model
    or workspace failure one line and status 1."""
    for module_name in COMMAND_MODULES:  # each command module adds its commands to the app
        importlib.import_module(module_name).register(app)
    debug = "--debug" in sys.argv
    try:
        status = app(standalone_mode=False)  # click returns the code of a typer.Exit instead of raising it
    except (UserError, ModelError, WorkspaceError) as exc:  # a model server or workspace that failed: status 1
        if debug:
            raise
        show_error(str(exc) or type(exc).__name__)
        sys.exit(2 if isinstance(exc, UserError) else 1)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click usage errors and the unexpected
        if isinstance(exc, click_exception_types()):
            exit_for_click_error(exc)
        if debug:
            raise
        show_error(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)")
        sys.exit(1)
    sys.exit(status if isinstance(status, int) else 0)
