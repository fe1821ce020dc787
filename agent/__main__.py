"""`python -m agent` runs the `agent` command line."""

from agent.cli.main import run

run()
