"""The `agent` command line."""
