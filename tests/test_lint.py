"""The code passes ruff (rules B, E, F, I, UP, W) and its formatter, so style fails CI too."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGES = ["market", "worker", "search_index", "tests", "bench"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).parent / "ruff"
    if not executable.exists():
        executable = shutil.which("ruff")
    if executable is None:
        pytest.fail("ruff is not installed: install the test extras (pip install -e '.[test]')")
    return subprocess.run(
        [str(executable), *args, *PACKAGES], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_finds_nothing():
    outcome = ruff("check")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr


def test_code_is_formatted():
    outcome = ruff("format", "--check")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
