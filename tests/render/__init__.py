"""Tests of bot.render and the templates."""
