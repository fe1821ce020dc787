"""The agent-computer interface: one module per tool, plus the repo map."""
