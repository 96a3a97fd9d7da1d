"""Where things live. No path depends on the working directory."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("INFOSAK_DATA_DIR", PROJECT_ROOT / "data"))
SAMPLE_DIR = DATA_DIR / "sample"
DEFAULT_SQLITE_PATH = DATA_DIR / "infosak.db"

DATABASE_URL_ENV = "INFOSAK_DATABASE_URL"


def database_url() -> str:
    """The store's URL: INFOSAK_DATABASE_URL, else the embedded SQLite file in data/."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"
