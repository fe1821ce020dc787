"""Fixtures for testing the fakes themselves."""

from tests.fakes.openai_server import openai_server  # noqa: F401 - the fixture, re-exported
