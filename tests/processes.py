"""For tests that stop a child process with a signal, as a terminal would."""

from __future__ import annotations

import signal

TERMINAL_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def terminal_signals() -> None:
    """`preexec_fn` of such a child: SIGINT and SIGTERM delivered and at their defaults, whatever the test process
    inherited (a shell without job control starts background jobs with SIGINT ignored; a library may block it)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, TERMINAL_SIGNALS)
    for signum in TERMINAL_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
