"""What can be checked of the Docker setup without a Docker engine: the Dockerfile's install
works from exactly what it copies, the image's settings, the compose files and the proxy."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from bot.storage.database import available_migrations

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def values(instruction: str) -> list[str]:
    return [rest for word, rest in instructions() if word == instruction]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for rest in values("ENV"):
        for pair in shlex.split(rest):
            name, _, value = pair.partition("=")
            env[name] = value
    return env


# --- the image ------------------------------------------------------------------------------


def test_the_image_runs_as_a_non_root_user_with_its_data_in_the_volume() -> None:
    [user] = values("USER")
    assert user not in ("root", "0")
    assert f"useradd --create-home --uid 10001 {user}" in DOCKERFILE
    assert json.loads(values("VOLUME")[0]) == ["/data"]
    env = image_env()
    assert env["PARTNERDESK_DATABASE"].startswith("/data/")
    assert env["PARTNERDESK_DATA_DIR"].startswith("/data")
    assert f"chown {user}:{user} /data /backups" in DOCKERFILE  # volumes inherit the owner


def test_the_bot_is_pid_1_and_stops_on_sigterm() -> None:
    # The exec form: `partnerdesk` itself gets the signal, not a shell that ignores it.
    assert json.loads(values("CMD")[-1]) == ["partnerdesk", "run"]
    assert values("STOPSIGNAL") == ["SIGTERM"]
    assert values("EXPOSE") == ["8080"]


def build_context(tmp_path: Path) -> Path:
    """The image's /app: exactly what the Dockerfile's COPY lines bring in (minus caches, as
    .dockerignore says)."""
    app = tmp_path / "app"
    app.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for rest in values("COPY"):
        *sources, target = rest.split()
        for source in sources:
            destination = app / target / source if target.endswith("/") else app / target
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, destination, symlinks=True, ignore=ignore)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / source, destination)
    return app


def install_command() -> list[str]:
    [run] = [rest for rest in values("RUN") if "pip install" in rest]
    command = shlex.split(run.split("&&")[0])
    assert command[:2] == ["pip", "install"] and command[-1] == "."
    return command[2:]


def see_the_running_environment(python: Path) -> None:
    """Let a new venv import what the running interpreter has installed (the dependencies, pip).

    `--system-site-packages` would not do: it sees the base interpreter's site-packages, not
    those of the venv the tests run in. The running environment's folders go at the end of the
    new venv's path, so the new venv's own install of `bot` comes first."""
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    own = subprocess.run([str(python), "-c", where],
                         capture_output=True, text=True, check=True).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(own, "running-environment.pth").write_text("\n".join(sorted(outer)) + "\n",
                                                    encoding="utf-8")


def test_the_dockerfile_install_works_from_what_it_copies(tmp_path: Path) -> None:
    """`pip install .` as the Dockerfile runs it, in a clean virtual environment, from a copy of
    only what the image gets. Dependencies come from the already installed site-packages
    (`--no-deps`, a venv that sees them) to stay fast; the package itself is built for real."""
    app = build_context(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    see_the_running_environment(python)
    options = install_command()
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--disable-pip-version-check", *options[:-1], "."],
                   cwd=app, check=True, capture_output=True)

    found = subprocess.run([str(python), "-c", "import bot; print(bot.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)
    assert found.stdout.startswith(str(venv)), "the venv's copy, not the source tree"

    partnerdesk = venv / "bin" / "partnerdesk"
    clean_env = {k: v for k, v in os.environ.items()
                 if not k.startswith(("PARTNERDESK_", "TELEGRAM_"))}
    help_text = subprocess.run([str(partnerdesk), "--help"], capture_output=True, text=True,
                               env=clean_env, cwd=tmp_path, check=True).stdout
    assert "run" in help_text and "status" in help_text and "privacy" in help_text

    no_token = subprocess.run([str(partnerdesk), "run"], capture_output=True, text=True,
                              env=clean_env, cwd=tmp_path)
    assert no_token.returncode == 2 and "TELEGRAM_BOT_TOKEN" in no_token.stderr

    # The migrations and texts ship inside the package.
    migrated = subprocess.run(
        [str(partnerdesk), "db", "migrate"], capture_output=True, text=True, cwd=tmp_path,
        env={**clean_env, "PARTNERDESK_DATABASE": str(tmp_path / "pd.sqlite3")}, check=True)
    assert available_migrations()[-1][1] in migrated.stdout
    texts = subprocess.run([str(python), "-c", "from bot.i18n import Texts; Texts('ru')"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert texts.returncode == 0, texts.stderr


# --- compose ------------------------------------------------------------------------------------


def parse_yaml(text: str) -> Any:
    """The YAML subset the compose files use: block mappings, block lists of scalars, quoted
    or plain scalars, whole-line comments. Checked against PyYAML whenever that is installed."""
    lines = [(len(raw) - len(raw.lstrip()), raw.strip()) for raw in text.splitlines()
             if raw.strip() and not raw.lstrip().startswith("#")]

    def scalar(token: str) -> Any:
        if token[:1] in "\"'" and token[-1:] == token[:1]:
            return token[1:-1]
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        return {"true": True, "false": False, "null": None, "~": None}.get(token, token)

    def block(index: int, indent: int) -> tuple[Any, int]:
        if lines[index][1].startswith("- "):
            items = []
            while index < len(lines) and lines[index][0] == indent \
                    and lines[index][1].startswith("- "):
                items.append(scalar(lines[index][1][2:].strip()))
                index += 1
            return items, index
        mapping: dict[str, Any] = {}
        while index < len(lines) and lines[index][0] == indent:
            key, _, rest = lines[index][1].partition(":")
            index += 1
            if rest.strip():
                mapping[key] = scalar(rest.strip())
            elif index < len(lines) and lines[index][0] > indent:
                mapping[key], index = block(index, lines[index][0])
            else:
                mapping[key] = None
        return mapping, index

    parsed, end = block(0, lines[0][0])
    assert end == len(lines), f"unparsed from line {lines[end]}"
    return parsed


def load(name: str) -> Any:
    text = (ROOT / name).read_text(encoding="utf-8")
    parsed = parse_yaml(text)
    try:
        import yaml
    except ImportError:  # the minimal parser stands alone
        return parsed
    assert yaml.safe_load(text) == parsed
    return parsed


@pytest.mark.parametrize("name", ["compose.yaml", "compose.webhook.yaml"])
def test_compose_keeps_the_data_in_volumes_and_stops_gracefully(name: str) -> None:
    compose = load(name)
    bot = compose["services"]["bot"]
    assert bot["build"] == "." and bot["env_file"] == ".env"
    assert bot["restart"] == "unless-stopped"
    assert {"data:/data", "backups:/backups"} <= set(bot["volumes"])
    assert {"data", "backups"} <= set(compose["volumes"])
    env = bot["environment"]
    assert env["PARTNERDESK_DATABASE"].startswith("/data/")
    assert env["PARTNERDESK_BACKUP_DIR"] == "/backups"
    assert bot["stop_signal"] == "SIGTERM"
    assert int(bot["stop_grace_period"].rstrip("s")) >= 15
    assert "user" not in bot  # the image's non-root user


def test_compose_with_polling_needs_no_port_and_no_webhook() -> None:
    bot = load("compose.yaml")["services"]["bot"]
    assert "ports" not in bot
    assert "PARTNERDESK_WEBHOOK_URL" not in bot["environment"]


def test_compose_with_a_webhook_puts_the_bot_behind_caddy_with_a_healthcheck() -> None:
    compose = load("compose.webhook.yaml")
    bot, caddy = compose["services"]["bot"], compose["services"]["caddy"]
    url = bot["environment"]["PARTNERDESK_WEBHOOK_URL"]
    assert url.startswith("https://${PARTNERDESK_DOMAIN")
    path = "/" + url.split("}/", 1)[1]
    assert "ports" not in bot and bot["expose"] == ["8080"]
    assert bot["environment"]["PARTNERDESK_PORT"] == "8080"
    assert any("/healthz" in part for part in bot["healthcheck"]["test"])
    assert set(caddy["ports"]) == {"80:80", "443:443"}
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]

    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "{$PARTNERDESK_DOMAIN} {" in caddyfile
    assert f"handle {path} {{" in caddyfile
    assert "reverse_proxy bot:8080" in caddyfile
    directives = [line for line in caddyfile.splitlines()
                  if line.strip() and not line.strip().startswith("#")]
    assert not any("healthz" in line for line in directives)  # not exposed to the internet


def test_the_env_example_names_only_settings_the_bot_or_compose_reads() -> None:
    from bot.config import Settings

    known = {f"PARTNERDESK_{name.upper()}" for name in Settings.model_fields}
    known |= {"TELEGRAM_BOT_TOKEN", "PARTNERDESK_DOMAIN"}
    example = (ROOT / "deploy" / "partnerdesk.env.example").read_text(encoding="utf-8")
    names = {line.split("=", 1)[0] for line in example.splitlines()
             if line and not line.startswith("#")}
    assert names <= known, names - known
    assert {"TELEGRAM_BOT_TOKEN", "PARTNERDESK_WEBHOOK_SECRET", "PARTNERDESK_DOMAIN"} <= names
