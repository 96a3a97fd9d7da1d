"""The wheel, installed the ordinary way, serves the dashboard with its stylesheets.

Built from a copy of the sources (as an sdist would carry them), installed into a fresh virtual
environment (no system site-packages, dependencies at the versions of requirements.lock), and
started with ``infosak demo`` from a folder outside the checkout: the page and its stylesheets
must answer over real HTTP, and the data must land in that folder's ``data/``, not in
site-packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest
import requests

from benchmarks.load_test import HOST, free_port, stop

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "assets", "etl", "dashboard", "infosak_cli")  # the sdist
STYLESHEETS = ("00-bootstrap-5.3.3.min.css", "style.css")


def _run(*args, cwd: Path, env: dict | None = None, timeout: int = 900,
         input: str | None = None) -> str:  # fmt: skip
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, input=input,
                          timeout=timeout, check=False)  # fmt: skip
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _clean_env(**extra: str) -> dict:
    """The environment of a new shell: no checkout on the path, no test stores."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("INFOSAK_", "PYTEST_", "VIRTUAL_ENV", "PYTHONPATH"))}  # fmt: skip
    return {**env, **extra}


def _wait_for_login(base: str, server: subprocess.Popen, log_path: Path, attempts: int) -> None:
    """Wait (half a second between tries) until the login page answers 200, or fail with the log."""
    page = None
    for _ in range(attempts):
        try:
            page = requests.get(f"{base}/login", timeout=5)
            break
        except requests.RequestException:
            if server.poll() is not None:
                break
            time.sleep(0.5)
    assert page is not None and page.status_code == 200, log_path.read_text()[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the built wheel installed; returns its bin/ folder."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))  # fmt: skip
        else:
            shutil.copy2(path, source / name)
    wheels = base / "wheels"
    started = time.monotonic()
    _run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(wheels),
         cwd=source)  # fmt: skip
    (wheel,) = wheels.glob("infosak-*.whl")
    built = time.monotonic()
    target = base / "venv"
    venv.create(target, with_pip=True, system_site_packages=False)
    bin_dir = target / "bin"
    _run(str(bin_dir / "python"), "-m", "pip", "install", "-q", "-c",
         str(ROOT / "requirements.lock"), str(wheel), cwd=base, env=_clean_env())  # fmt: skip
    print(f"wheel built in {built - started:.1f} s, installed in {time.monotonic() - built:.1f} s")
    return bin_dir


def test_the_wheel_carries_the_assets_and_the_migrations(installed):
    where = _run(str(installed / "python"), "-c",
                 "import dashboard, etl, pathlib; print(pathlib.Path(dashboard.__file__).parent);"
                 " print(pathlib.Path(etl.__file__).parent)",
                 cwd=installed.parent.parent, env=_clean_env()).split()  # fmt: skip
    dashboard_dir, etl_dir = (Path(p) for p in where)
    assert installed.parent in dashboard_dir.parents  # the installed copy, not the checkout
    for name in (*STYLESHEETS, "logo.svg"):
        shipped = dashboard_dir / "assets" / name
        assert shipped.is_file() and not shipped.is_symlink(), shipped
        assert shipped.read_bytes() == (ROOT / "assets" / name).read_bytes()
    versions = sorted(p.name for p in (etl_dir / "migrations" / "versions").glob("*.py"))
    assert versions == sorted(p.name for p in (ROOT / "etl/migrations/versions").glob("*.py"))
    assert (etl_dir / "migrations" / "env.py").is_file()


def test_demo_from_another_folder_serves_the_page_and_its_stylesheets(installed, tmp_path):
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    port = free_port()
    log_path = tmp_path / "demo.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        server = subprocess.Popen([str(installed / "infosak"), "demo", "--port", str(port)],
                                  cwd=workdir, env=_clean_env(), stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        _wait_for_login(base, server, log_path, attempts=600)
        print(f"infosak demo answered after {time.monotonic() - started:.1f} s")
        home = requests.get(f"{base}/", timeout=30)
        assert home.status_code == 200
        for name in STYLESHEETS:
            assert f"/assets/{name}" in home.text  # the page links the stylesheet ...
            sheet = requests.get(f"{base}/assets/{name}", timeout=30)  # ... and it is served
            assert sheet.status_code == 200, name
            assert sheet.headers["Content-Type"].startswith("text/css")
            assert sheet.content == (ROOT / "assets" / name).read_bytes()
    finally:
        stop(server)
    # The store and the sample files lie in the folder it was started from.
    assert (workdir / "data" / "infosak.db").is_file()
    assert any((workdir / "data" / "sample").glob("*.xlsx"))
    site = installed.parent / "lib"
    assert not list(site.rglob("infosak.db")), "the store was written into the installation"
    assert "Traceback" not in log_path.read_text()


def test_production_from_the_wheel_gunicorn_and_doctor(installed, tmp_path):
    """The deployment guide's steps with the installed commands only: the first account, the
    packaged gunicorn settings from another folder, and a doctor that finds nothing wrong."""
    from benchmarks.load_test import PASSWORD

    workdir = tmp_path / "srv"
    data = workdir / "data"
    data.mkdir(parents=True)
    env = _clean_env(INFOSAK_DATA_DIR=str(data), INFOSAK_SECRET_KEY="k" * 64,
                     INFOSAK_BEHIND_TLS="1")  # fmt: skip
    _run(str(installed / "infosak"), "users", "add", "admin", "--role", "admin",
         "--password-stdin", cwd=workdir, env=env, input=PASSWORD + "\n")  # fmt: skip
    assert "Allt ser bra ut." in _run(str(installed / "infosak"), "doctor", cwd=workdir, env=env)
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(installed / "gunicorn"), "-c", "python:dashboard.gunicorn_config",
             "--bind", f"{HOST}:{port}", "--workers", "1", "--threads", "2"],  # fmt: skip
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        _wait_for_login(base, server, log_path, attempts=240)
        sheet = requests.get(f"{base}/assets/style.css", timeout=30)
        assert sheet.status_code == 200
        assert sheet.content == (ROOT / "assets" / "style.css").read_bytes()
    finally:
        stop(server)
    log_text = log_path.read_text()
    assert "Using worker: gthread" in log_text  # the packaged settings were applied
    assert "Traceback" not in log_text
    assert (data / "infosak.db").is_file()
