"""Small scripts that run inside a workspace (copied into its `.git` folder, so never part of a diff)."""
