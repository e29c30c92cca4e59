"""The import-linter contracts (pyproject.toml) hold today, and each one fails when broken.

Each broken case copies the apps to a temporary directory, adds one forbidden import there and
runs `lint-imports` on the copy: the real tree is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "regions", "identities", "alerts", "emulator", "benchmarks")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_every_contract() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("regions/models.py", "import identities.models", "regions never imports identities"),
        ("identities/models.py", "import emulator.state", "no app imports the emulator"),
        ("config/urls.py", "import regions.roles", "config imports no app code"),
        (
            "identities/blockers/engine.py",
            "import django.db.models",
            "pure engines never touch the database",
        ),
        ("identities/dns/verdict.py", "import identities.models", "pure engines never touch"),
        ("identities/models.py", "import api", "apps are layered"),
        ("regions/models.py", "import alerts.models", "apps are layered"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    for name in PACKAGES:
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "api").mkdir()  # a future app above identities
    (tmp_path / "api" / "__init__.py").write_text("")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # deliberate violation\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
