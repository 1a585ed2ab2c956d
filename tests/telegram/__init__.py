"""Tests for the Telegram adapter, with a fake Bot API server of our own (fake_api)."""
