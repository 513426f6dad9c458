"""deploy/ agrees with the code: the systemd units run commands that exist with options
they accept, the env example names only settings that settings.py reads (and parses),
gunicorn knows every setting of its file, and nginx proxies to where gunicorn listens."""

from __future__ import annotations

import ast
import re
import runpy
import shlex
import sys
import types
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.urls import reverse
from gunicorn.config import Config

from waymark.testing.real_database import ROOT, manage

DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/waymark"  # where the units expect the checkout
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
ENV_FILES = {
    "/etc/waymark/waymark.env": DEPLOY / "waymark.env.example",
    "/etc/waymark/migrate.env": DEPLOY / "migrate.env.example",
}
REQUIRED_IN_PRODUCTION = {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}


def values(path: Path, key: str) -> list[str]:
    """Every `key=` line of a unit's [Service] section, in order."""
    return [
        line.split("=", 1)[1].strip()
        for line in path.read_text().splitlines()
        if line.startswith(f"{key}=")
    ]


def env_names(path: Path) -> dict[str, str]:
    names = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            names[name.strip()] = value.strip().strip('"')
    return names


def names_settings_reads() -> set[str]:
    """The first argument of every env_*() call in settings.py."""
    tree = ast.parse((ROOT / "waymark" / "settings.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("env_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def in_checkout(path: str) -> Path:
    assert path.startswith(f"{INSTALLED}/"), f"{path} is outside {INSTALLED}"
    return ROOT / path.removeprefix(f"{INSTALLED}/")


def test_it_has_a_unit_for_the_web_server_the_worker_and_the_scheduler() -> None:
    commands = {" ".join(values(path, "ExecStart")) for path in UNITS}
    assert any("gunicorn" in command for command in commands)
    assert any("manage.py run_worker" in command for command in commands)
    assert any("manage.py run_scheduler" in command for command in commands)
    for path in UNITS:
        assert values(path, "User") == ["waymark"], f"{path.name} must not run as root"
        assert values(path, "WorkingDirectory") == [INSTALLED]


@pytest.mark.parametrize("path", UNITS, ids=lambda path: path.name)
def test_it_names_commands_that_exist_with_options_they_accept(path: Path) -> None:
    known = get_commands()
    for line in values(path, "ExecStart"):
        program, *args = shlex.split(line)
        if not program.startswith(INSTALLED):
            continue
        executable = in_checkout(program)
        assert executable.parent.name == "bin" and executable.parent.parent.name == ".venv"
        assert (Path(sys.executable).parent / executable.name).exists(), program
        if executable.name == "gunicorn":
            assert args[0] == "--config"
            assert in_checkout(args[1]).is_file(), f"{path.name}: no {args[1]}"
            continue
        assert args[0] == "manage.py", f"{path.name}: {line}"
        name, options = args[1], args[2:]
        assert name in known, f"{path.name}: manage.py has no command {name!r}"
        parser = load_command_class(known[name], name).create_parser("manage.py", name)
        parser.parse_args(options)  # exits (fails the test) on an unknown option


@pytest.mark.parametrize("path", UNITS, ids=lambda path: path.name)
def test_it_reads_only_env_files_the_examples_describe(path: Path) -> None:
    files = [value.removeprefix("-") for value in values(path, "EnvironmentFile")]
    assert files[0] == "/etc/waymark/waymark.env"
    assert set(files) <= set(ENV_FILES)


def test_it_names_only_settings_that_settings_py_reads() -> None:
    read = names_settings_reads()
    assert {"SECRET_KEY", "DATABASE_URL", "LOG_LEVEL"} <= read, "the AST walk finds them"
    for example in ENV_FILES.values():
        unknown = set(env_names(example)) - read
        assert not unknown, f"{example.name} sets what settings.py never reads: {unknown}"
    assert set(env_names(DEPLOY / "waymark.env.example")) >= REQUIRED_IN_PRODUCTION


def test_it_gives_values_the_settings_accept(tmp_path: Path) -> None:
    """The example, as written, passes settings.py's checks (a local SQLite file aside)."""
    example = env_names(DEPLOY / "waymark.env.example")
    env = {
        **example,
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WAYMARK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "waymark.settings",
    }
    said = manage(env, "diffsettings", "--all")
    for name in ("ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL"):
        assert example[name].split(",")[0] in said, name
    assert "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')" in said
    assert "SECURE_SSL_REDIRECT = True" in said


def test_it_gives_gunicorn_only_settings_it_knows() -> None:
    config = Config()
    file = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    settings = {
        name: value
        for name, value in file.items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(settings) - set(config.settings) == set(), "gunicorn would ignore these"
    for name, value in settings.items():
        config.set(name, value)  # raises on a value gunicorn refuses
    assert config.wsgi_app == "waymark.wsgi:application"
    assert config.forwarded_allow_ips == ["127.0.0.1"]


def test_it_proxies_to_gunicorn_and_passes_the_health_check_through() -> None:
    nginx = (DEPLOY / "nginx" / "waymark.conf").read_text()
    bind = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["bind"]
    assert re.search(rf"upstream waymark \{{\s*server {re.escape(bind)};", nginx)
    assert f"location = {reverse('healthz')} " in nginx
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx, "BEHIND_PROXY reads it"
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in nginx


def test_it_documents_every_deploy_file_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert str(path.relative_to(ROOT)) in section, f"README does not mention {path}"
