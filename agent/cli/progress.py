"""Live progress of a run in the terminal: one line per step and tool call, a spinner while waiting."""

from __future__ import annotations

import json

from rich.console import Console
from rich.status import Status

from agent.loop import LoopEvent


def short_arguments(arguments: dict | None, limit: int = 70) -> str:
    """Tool arguments on one short line."""
    if not arguments:
        return ""
    parts = []
    for key, value in arguments.items():
        text = value if isinstance(value, str) else json.dumps(value)
        text = text.replace("\n", "\\n")
        parts.append(f"{key}={text[:40] + '…' if len(text) > 40 else text}")
    line = ", ".join(parts)
    return line[:limit] + "…" if len(line) > limit else line


class ProgressPrinter:
    """Renders LoopEvents with rich; call it as the loop's `on_event`."""

    def __init__(self, console: Console, label: str = ""):
        self.console = console
        self.label = f"[magenta]{label}[/] " if label else ""
        self.status: Status | None = None

    def __call__(self, event: LoopEvent) -> None:
        """Print one event and keep the spinner going while the model thinks."""
        self._stop_spinner()
        if event.kind == "step":
            self.console.print(
                f"{self.label}[bold]step {event.step}[/] · model {event.seconds:.1f}s · ${event.cost:.4f}",
                highlight=False,
            )
        elif event.kind == "tool":
            mark = "[red]✗[/]" if event.error else "[green]→[/]"
            self.console.print(
                f"   {mark} [cyan]{event.tool}[/]({short_arguments(event.arguments)}) {event.seconds:.2f}s",
                highlight=False,
            )
        elif event.kind == "note":
            self.console.print(f"{self.label}[dim]{event.text}[/]", highlight=False)
        elif event.kind == "format_error":
            self.console.print(f"   [yellow]! reply not understood:[/] {event.text[:100]}", highlight=False)
        elif event.kind == "exit":
            self.console.print(f"{self.label}[bold]finished:[/] {event.text} after {event.step} step(s), "
                               f"${event.cost:.4f}", highlight=False)
            return
        self._start_spinner(event.step + (1 if event.kind != "step" else 0))

    def _start_spinner(self, step: int) -> None:
        if self.console.is_terminal:
            self.status = self.console.status(f"{self.label}step {step}: waiting for the model…")
            self.status.start()

    def _stop_spinner(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None

    def close(self) -> None:
        """Stop the spinner, if any."""
        self._stop_spinner()
