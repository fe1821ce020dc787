"""repo-agent: resolve issues in real repositories and return a validated patch."""

__version__ = "0.1.0"
