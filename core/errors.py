"""Exceptions that steer the loop, and the error shown to people.

Loop conditions are exceptions that carry the messages to append; the run's `exit_status` is the
name of the exception class that ended it.
"""

from __future__ import annotations

from core.types import Message


class AgentException(Exception):
    """Base of the conditions the loop handles; carries messages to append to the history."""

    def __init__(self, text: str = "", messages: list[Message] | None = None):
        super().__init__(text)
        self.text = text
        self.messages = messages or []


class Submitted(AgentException):
    """The model called `submit`: the run ends and the patch is taken."""


class FormatError(AgentException):
    """The model's reply could not be turned into tool calls; the messages tell it why."""


class LimitExceeded(AgentException):
    """A run limit was reached; the run ends and the patch so far is taken."""


class StepLimitExceeded(LimitExceeded):
    """The step limit was reached."""


class CostLimitExceeded(LimitExceeded):
    """The cost limit (dollars) was reached."""


class TimeLimitExceeded(LimitExceeded):
    """The wall-time limit was reached."""


class FormatErrorLimitExceeded(LimitExceeded):
    """The model's replies could not be read as an action too many times in a row."""


class RepeatedCallLimitExceeded(LimitExceeded):
    """The model kept making the same call with the same result: it is stuck."""


class BudgetExhausted(LimitExceeded):
    """A budget shared with other runs (several instances or rollouts) was spent."""


class Interrupted(AgentException):
    """The user pressed Ctrl-C; the run ends and the patch so far is kept."""


class ModelError(AgentException):
    """The model provider failed in a way retries did not fix (auth, bad request, outage)."""


class ScriptExhausted(AgentException):
    """A scripted model ran out of actions before the run ended."""


class WorkspaceError(Exception):
    """The workspace itself failed (container died, out of memory, disk full): not the model's fault."""


class UserError(Exception):
    """A problem with what the user gave us, told in one sentence that says what to do."""
