"""Models: litellm for every provider, a scripted model for tests and demos, and model selection."""
