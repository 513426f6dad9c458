"""`manage.py check --deploy` is clean under the production settings the README documents
(issue 12 point 7).

The environment is read from the fenced `sh` block of the README's "Production settings"
section, so the documentation and the test cannot drift apart. Two values a test machine
cannot take as written are filled in: the secret key the reader is told to choose (a
random one) and the var directory (a temporary one, which settings create).
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SECTION = re.compile(r"^## Production settings\n(.*?)(?=^## )", re.M | re.S)
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)


def documented_environment() -> dict[str, str]:
    section = SECTION.search((BASE_DIR / "README.md").read_text())
    assert section, 'README.md has no "## Production settings" section'
    block = SH_BLOCK.search(section.group(1))
    assert block, "the Production settings section has no ```sh block"
    environment: dict[str, str] = {}
    for line in block.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        (assignment,) = shlex.split(line)
        name, _, value = assignment.partition("=")
        environment[name] = value
    return environment


def runnable(environment: dict[str, str], var_dir: Path) -> dict[str, str]:
    return {**environment, "SECRET_KEY": secrets.token_urlsafe(50), "WAYMARK_VAR_DIR": str(var_dir)}


def deploy_check(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy` in a fresh Python that sees only `environment`."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_documents_a_production_environment_that_is_not_debug() -> None:
    environment = documented_environment()
    assert environment["DEBUG"] == "0"
    assert environment["SECRET_KEY"] == "", "the README must not publish a usable key"
    assert "WAYMARK_DEMO" not in environment
    assert environment["DATABASE_URL"].startswith("postgres://")


def test_it_passes_the_deploy_checks_under_the_documented_settings(tmp_path: Path) -> None:
    environment = runnable(documented_environment(), tmp_path)
    result = deploy_check(environment)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("weakened", ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"])
def test_it_fails_the_deploy_checks_when_a_documented_setting_is_left_out(
    weakened: str, tmp_path: Path
) -> None:
    """The check above can fail: without one of the documented values it does."""
    environment = runnable(documented_environment(), tmp_path)
    del environment[weakened]
    result = deploy_check(environment)
    assert result.returncode != 0
    assert "security.W0" in result.stderr
