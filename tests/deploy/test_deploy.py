"""deploy/: the unit files verify, and the README's non-container path works from a fresh clone."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import site
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.telegram.bot_process import TOKEN, FakeServer, free_port, wait
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_unit_files_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    # The units name /opt/advisor; point them at this checkout so ExecStart exists here.
    for name in ("advisor.service", "advisor-retention.service", "advisor-retention.timer"):
        text = (DEPLOY / name).read_text().replace("/opt/advisor", str(ROOT))
        (tmp_path / name).write_text(text)
    units = [
        str(tmp_path / n)
        for n in ("advisor.service", "advisor-retention.service", "advisor-retention.timer")
    ]
    proc = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "ProtectSystem=strict" in (DEPLOY / "advisor.service").read_text()


def test_worker_template_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    text = (DEPLOY / "advisor@.service").read_text().replace("/opt/advisor", str(ROOT))
    (tmp_path / "advisor@.service").write_text(text)
    proc = subprocess.run(
        [analyze, "verify", str(tmp_path / "advisor@8441.service")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "advisor@.service" not in proc.stderr, proc.stderr
    single = (DEPLOY / "advisor.service").read_text()
    for line in single.splitlines():  # the same hardening as the single-process unit
        if line.startswith(("Protect", "Private", "Restrict", "SystemCall", "Capability")):
            assert line in text, line
    assert "WEBHOOK_PORT=%i" in text and "ADVISOR_DB=/var/lib/advisor/worker-%i.db" in text


def test_several_workers_section_matches_the_files() -> None:
    """deploy/README.md walks through PostgreSQL, N workers and Caddy with the shipped files."""
    readme = (DEPLOY / "README.md").read_text()
    section = readme.split("## Several workers", 1)[1].split("\n## ", 1)[0]
    for step in ("**PostgreSQL**", "**Settings.**", "**N workers**", "**Caddy**"):
        assert step in section, step
    for name in ("advisor@.service", "Caddyfile.workers", "ADVISOR_DATABASE_URL", "pg_dump"):
        assert name in section, name
    caddy = (DEPLOY / "Caddyfile.workers").read_text()
    upstreams = re.findall(r"127\.0\.0\.1:(\d+)", caddy)
    instances = re.findall(r"advisor@(\d+)", section.split("**Caddy**")[0])
    assert upstreams and set(upstreams) == set(instances), (upstreams, instances)
    assert "health_uri /healthz" in caddy and "lb_policy round_robin" in caddy


def test_dockerfile_passes_hadolint() -> None:
    proc = subprocess.run(
        [require_tool("hadolint"), str(DEPLOY / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout


def test_dockerfile_runs_as_non_root_with_a_volume_and_health_check() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert (
        "\nUSER 10001:10001" in text
        and "--uid 10001" in text
        and 'VOLUME ["/data"]' in text
        and "HEALTHCHECK" in text
    )


def test_env_example_names_only_real_settings() -> None:
    from bot.settings import Settings

    names = {
        line.lstrip("# ").split("=", 1)[0]
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if "=" in line and line.lstrip("# ")[:1].isupper()
    }
    assert names and names <= set(Settings.model_fields)
    readme = (DEPLOY / "README.md").read_text()
    assert all(f"`{n}`" in readme for n in Settings.model_fields), "every setting is documented"


def test_readme_non_container_path_from_a_fresh_clone(tmp_path: Path) -> None:
    """Clone, install into a new venv, check settings, poll the fake Bot API, talk, stop."""
    clone = tmp_path / "advisor"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # The clone holds what is committed; bring the working tree's files so the test checks
    # this change too.
    for part in ("engine", "bot", "templates", "pyproject.toml", "README.md"):
        src = ROOT / part
        dst = clone / part
        if src.is_dir():
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dst)
    venv = clone / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # Offline: dependencies come from the project's own venv; the project itself is installed
    # exactly as the README says, from the clone.
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            ".",
        ],
        cwd=clone,
        check=True,
        capture_output=True,
    )
    server = FakeServer()
    port = free_port()
    env_file = (clone / "deploy" / "env.example").read_text()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    for line in env_file.splitlines():
        if line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = v
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        ADVISOR_DB=str(tmp_path / "var" / "advisor.db"),
        ADVISOR_CHARTS=str(tmp_path / "var" / "charts"),
        WEBHOOK_PORT=str(port),
    )
    work = tmp_path / "run"  # not the clone: the installed package must stand on its own
    work.mkdir()
    check = subprocess.run(
        [str(py), "-m", "bot", "check", "--telegram"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    bot = subprocess.Popen(
        [str(py), "-m", "bot", "telegram"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait(lambda: any(c[0] == "setMyCommands" for c in server.client.calls()), what="start")
        server.client.user_sends(77, "/start")
        wait(lambda: server.client.sent(77), what="greeting")
        server.client.user_taps(77, "a:goal:saving")
        wait(lambda: len(server.client.sent(77)) >= 2, what="first question")
        server.client.user_sends(77, "52")
        wait(lambda: len(server.client.sent(77)) >= 3, what="second question")
        assert "Question 2 of" in server.client.texts(77)[-1]
    finally:
        bot.send_signal(signal.SIGTERM)
        code = bot.wait(timeout=30)
        server.stop()
    assert code == 0
    # env.example asks for JSON logs: every line is one JSON object, and none holds the token.
    assert bot.stderr is not None
    lines = bot.stderr.read().decode().splitlines()
    assert lines, "the bot logged nothing"
    for line in lines:
        record = json.loads(line)
        assert {"ts", "level", "logger", "msg"} <= set(record)
        assert TOKEN not in line


def locked() -> dict[str, str]:
    """deploy/requirements.lock as {normalised name: version}; each pin must carry hashes."""
    pins: dict[str, str] = {}
    entries = (DEPLOY / "requirements.lock").read_text().split("\n")
    for i, line in enumerate(entries):
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split(" ")[0].split("==")
            assert entries[i + 1].strip().startswith("--hash=sha256:"), f"{name} has no hash"
            pins[canonical(name)] = version
    return pins


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_runtime_dependency_is_locked_and_installed_at_its_locked_version() -> None:
    from importlib.metadata import version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = locked()
    for requirement in project["dependencies"]:
        name = canonical(re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0])
        assert name in pins, f"{name} is not in deploy/requirements.lock (run make lock)"
    for name, pinned in pins.items():
        assert version(name) == pinned, f"{name} {version(name)} installed, {pinned} locked"
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-cache-dir --no-deps ." in dockerfile
