"""Where things live: the data directory (store, sample files, demo key) and the store's URL.

The data directory is never inside the installation (a wheel installs into site-packages, which
the service account must not write to). It is, in this order:

1. ``INFOSAK_DATA_DIR`` when set (production sets it: docs/deployment.md);
2. ``data/`` of the source checkout when the code runs from one (``pip install -e .``), so that
   ``infosak demo`` writes to the checkout's ``data/`` from whichever folder it is started;
3. ``data/`` in the current directory otherwise (an installed wheel).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

DATA_DIR_ENV = "INFOSAK_DATA_DIR"
DATABASE_URL_ENV = "INFOSAK_DATABASE_URL"
SQLITE_FILE_NAME = "infosak.db"

# The folder above the packages: the checkout in development, site-packages when installed.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def is_source_checkout(root: Path = PROJECT_ROOT) -> bool:
    """Whether the packages run from this project's source tree (its pyproject.toml beside them).

    The project's name is checked, not only the file: some packages install a pyproject.toml of
    their own into site-packages, where an installed wheel's packages lie.
    """
    try:
        with (root / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle).get("project", {}).get("name") == "infosak"
    except (OSError, tomllib.TOMLDecodeError):
        return False


def default_data_dir(environ: dict | None = None) -> Path:
    environ = os.environ if environ is None else environ
    configured = environ.get(DATA_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    if is_source_checkout():
        return PROJECT_ROOT / "data"
    return Path.cwd() / "data"


DATA_DIR = default_data_dir()
SAMPLE_DIR = DATA_DIR / "sample"
DEFAULT_SQLITE_PATH = DATA_DIR / SQLITE_FILE_NAME


def database_url() -> str:
    """The store's URL: INFOSAK_DATABASE_URL, else the embedded SQLite file in data/."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"
