"""End-to-end tests share the session sample of ``tests/conftest.py``."""
