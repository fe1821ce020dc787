"""GitHub integration: issues read from URLs, pull requests from solved issues, and the label-triggered Action."""
