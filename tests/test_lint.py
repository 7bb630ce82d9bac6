"""The code passes ruff (rules B, E, F, I, UP, W), so style problems fail CI like bugs do."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        ruff = shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: install the test extras (pip install -e '.[test]')")
    outcome = subprocess.run(
        [str(ruff), "check", "market", "worker", "search_index", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
