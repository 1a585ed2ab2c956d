"""System tools some tests need: found beside the interpreter or on PATH; required in CI."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def require_tool(name: str) -> str:
    """The tool's path; outside CI a missing tool skips the test with why, in CI it fails."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI runs every test")
    pytest.skip(message)
