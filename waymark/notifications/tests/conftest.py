"""Fixtures for notification tests; `run_tasks` lives in waymark/conftest.py."""
