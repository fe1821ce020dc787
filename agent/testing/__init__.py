"""Running a repository's tests in a workspace, before and after a change."""
