"""Consistent copies of the SQLite store while the app runs (SQLite's online backup API).

PostgreSQL stores are backed up with the server's own tools (see README):
``pg_dump --format=custom -f infosak.dump "$URL"`` and ``pg_restore --clean -d "$URL" infosak.dump``.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the user (Swedish)."""


def sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        raise BackupError(
            "Säkerhetskopiering med infosak gäller SQLite-databasen. För PostgreSQL: använd "
            "pg_dump och pg_restore (se README)."
        )
    return Path(parsed.database)


def _integrity_ok(connection: sqlite3.Connection) -> bool:
    return connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def backup_sqlite(url: str, out: Path) -> Path:
    """Copy the store at ``url`` to ``out`` page by page; readers and writers may carry on."""
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"Databasen {source_path} finns inte.")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(source_path, timeout=30) as src, sqlite3.connect(tmp) as dst:
        src.backup(dst)
        if not _integrity_ok(dst):
            raise BackupError("Kopian klarade inte integritetskontrollen; försök igen.")
    src.close()
    dst.close()
    tmp.replace(out)
    log.info("backup of %s written to %s", source_path, out)
    return out


def restore_sqlite(url: str, backup: Path) -> Path:
    """Replace the store at ``url`` with ``backup`` in one step (after checking the backup)."""
    target_path = sqlite_path(url)
    if not backup.exists():
        raise BackupError(f"Filen {backup} finns inte.")
    try:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as src:
            if not _integrity_ok(src):
                raise BackupError(f"{backup} är skadad (integritetskontrollen misslyckades).")
            tables = {
                r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" not in tables:
                raise BackupError(f"{backup} är ingen Infosäk-databas.")
            target_path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(target_path, timeout=30) as dst:
                src.backup(dst)
            dst.close()
        src.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{backup} är ingen SQLite-databas ({exc}).") from exc
    log.info("store %s restored from %s", target_path, backup)
    return target_path
