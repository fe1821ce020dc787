"""The `agent` console script: one typer app, subcommands registered from their own modules.

Every user-facing failure is one sentence and a non-zero exit; `--debug` shows the traceback.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer
from rich.console import Console

from agent.errors import UserError

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

app = typer.Typer(
    name="agent",
    help="repo-agent: give it a repository and an issue, get back a validated patch.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)

COMMAND_MODULES = [
    "agent.cli.solve",
    "agent.cli.map",
    "agent.cli.images",
    "agent.cli.swebench",
    "agent.cli.swebench_infer",
    "agent.cli.github",
]
"""Modules whose `register(app)` adds their commands; each subsystem owns its module."""

_state = {"debug": False}


@app.callback()
def main_options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks instead of one-line errors."),
) -> None:
    """repo-agent: give it a repository and an issue, get back a validated patch."""
    _state["debug"] = debug


def register_commands() -> None:
    """Import each command module and let it add its commands to the app."""
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)


def run() -> None:
    """Entry point: run the app, turning `UserError` into one line on stderr and exit status 2."""
    register_commands()
    debug = "--debug" in sys.argv
    try:
        status = app(standalone_mode=False)  # click returns the code of a typer.Exit instead of raising it
    except UserError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click usage errors and the unexpected
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        sys.exit(1)
    sys.exit(status if isinstance(status, int) else 0)
