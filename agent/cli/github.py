"""`agent github event --event-path EVENT.json` (what the Action runs); registering it also lets `--issue` read
GitHub URLs."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import typer
from rich.console import Console

from agent import redact
from agent.cli.solve import CONFIG_HELP, config_sources, run_with_progress
from agent.config import load_config
from agent.issue import IssueText, register_url_reader
from agent.repo import resolve_repo
from core.errors import UserError

github_app = typer.Typer(help="GitHub integration: the label-triggered Action's entry point.", no_args_is_help=True)


@github_app.command("event")
def event_command(
    event_path: Path = typer.Option(..., "--event-path", envvar="GITHUB_EVENT_PATH",
                                    help="The event payload (in Actions: $GITHUB_EVENT_PATH)."),
    repo: str = typer.Option(".", "--repo", "-r", help="Checkout of the repository to start from and push from."),
    config: list[str] = typer.Option([], "--config", "-c", help=CONFIG_HELP),
    model: str | None = typer.Option(None, "--model", "-m", help="litellm model id (default: config, AGENT_MODEL, "
                                     "then the first provider whose key is set)."),
    workspace: str | None = typer.Option(None, "--workspace", "-w", help="Where commands run: docker or local."),
    image: str | None = typer.Option(None, "--image", help="Docker image to start from (docker workspace)."),
    cost_limit: float | None = typer.Option(None, "--cost-limit", help="Dollars one run may spend (limits.cost)."),
    daily_budget: float | None = typer.Option(None, "--daily-budget", help="Dollars all runs in the repository may "
                                              "reserve per UTC day (github.daily_budget); 0: no budget."),
    label: str | None = typer.Option(None, "--label", help="The label that starts a run (github.label)."),
    github_api: str | None = typer.Option(None, "--github-api", help="REST API base URL; GitHub Enterprise: "
                                          "https://HOST/api/v3 (default: GITHUB_API_URL, then api.github.com)."),
) -> None:
    """Handle one `issues` event: trust check, budget check, solve, then a draft PR or a comment."""
    from agent.github.client import GitHubClient, token_from_env
    from agent.github.event import EventContext, annotation, handle_event, load_event, write_outputs
    from agent.runner import SolveResult

    # stdout and stderr with secrets redacted, for logs that end up in public Actions runs
    with (contextlib.redirect_stdout(redact.RedactingStream(sys.stdout)),
          contextlib.redirect_stderr(redact.RedactingStream(sys.stderr))):
        settings = load_config(config_sources(config, model=model, workspace=workspace, image=image,
                                              cost_limit=cost_limit, daily_budget=daily_budget, label=label))
        redact.add_secret(settings.model.api_key)
        payload = load_event(event_path)
        token = token_from_env()
        if not token:
            raise UserError("GITHUB_TOKEN (or GH_TOKEN) is not set; the Action passes its `github-token` input.")
        source = resolve_repo(repo)
        err = Console(stderr=True)

        def run(issue: IssueText, run_id: str) -> SolveResult:
            from agent.runner import build_job

            meta = issue.meta
            label_text = f"{meta.get('owner')}/{meta.get('repo')}#{meta.get('number')}"
            job = build_job(settings, source, issue, run_id=run_id,
                            extra={"label": label_text, "github_issue": meta.get("html_url")})
            return run_with_progress(job, label_text)

        with GitHubClient.from_env(github_api) as client:
            context = EventContext(client, settings, source, token, run,
                                   lambda message: err.print(f"[bold]repo-agent[/]: {message}", highlight=False))
            outcome = handle_event(payload, context)
        write_outputs(outcome)
        notice = annotation(outcome)
        if notice:
            print(notice)
    raise typer.Exit(outcome.exit_code)


def is_issue_url(url: str) -> bool:
    """True for GitHub issue URLs (the GitHub modules load only when an issue URL is given)."""
    from agent.github.issue_reader import is_github_issue_url

    return is_github_issue_url(url)


def read_issue_url(url: str) -> IssueText:
    """Read a GitHub issue as the task."""
    from agent.github.issue_reader import read_issue_url as read

    return read(url)


def register(app: typer.Typer) -> None:
    """Add `agent github ...` and the GitHub issue URL reader."""
    register_url_reader(is_issue_url, read_issue_url)
    app.add_typer(github_app, name="github")
