"""Workspaces: the Workspace protocol and its local and Docker implementations."""
