"""Uploaded workbooks: refuse what is too big or of the wrong kind before a byte is parsed, then
hand each workbook (or CSV set) to ``etl.load.load_file`` with the uploader's administrations."""

from __future__ import annotations

import base64
import binascii
import logging
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from dashboard.queries.viewer import Viewer
from etl.issues import ValidationIssue, file_issue
from etl.load import ACCEPTED, REJECTED, FileResult, load_file, new_run_id, record_snapshot
from etl.report import write_issue_report

log = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".xlsx", ".csv")
SAFE_NAME = re.compile(r"^[\w.\- ()åäöÅÄÖ]{1,150}$")
MAX_FILES = 50


@dataclass(frozen=True)
class UploadedFile:
    name: str
    data: bytes


def safe_file_name(name: str | None) -> str | None:
    """The bare file name if it is harmless (no path, no odd characters, allowed suffix)."""
    base = Path((name or "").replace("\\", "/")).name.strip()
    if not base or base.startswith(".") or not SAFE_NAME.match(base):
        return None
    if not base.casefold().endswith(ALLOWED_SUFFIXES):
        return None
    return base


def decode_upload(
    contents: str | None, name: str | None, max_bytes: int
) -> UploadedFile | ValidationIssue:
    """dcc.Upload's data URL → bytes, or the reason it was refused (size is checked first)."""
    from dashboard.auth.security import decoded_size

    shown = Path((name or "").replace("\\", "/")).name or "?"
    mb = round(max_bytes / (1024 * 1024), 3)
    mb_sv = f"{mb:g}".replace(".", ",")  # Swedish decimal comma
    if not isinstance(contents, str) or "," not in contents:
        return file_issue(shown, "Filen kunde inte läsas.", "The file could not be read.")
    header, _, payload = contents.partition(",")
    if not header.endswith(";base64"):
        return file_issue(shown, "Filen kunde inte läsas.", "The file could not be read.")
    if decoded_size(payload) > max_bytes:
        return file_issue(
            shown,
            f"Filen är större än {mb_sv} MB och lästes inte.",
            f"The file is larger than {mb:g} MB and was not read.",
        )
    safe = safe_file_name(name)
    if safe is None:
        return file_issue(
            shown,
            "Bara .xlsx- och .csv-filer med vanliga tecken i namnet kan laddas upp.",
            "Only .xlsx and .csv files with ordinary characters in their names can be uploaded.",
        )
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return file_issue(shown, "Filen kunde inte läsas.", "The file could not be read.")
    return UploadedFile(safe, data)


def allowed_administrations(viewer: Viewer) -> set[str] | None:
    """Admins (and the system) may load anything; a security officer only their administrations."""
    if viewer.role in ("admin", "system"):
        return None
    return set(viewer.administration_codes)


def _csv_prefix(name: str) -> str:
    return name.rsplit(".", 2)[0] if name.count(".") >= 2 else name


def load_uploads(engine: Engine, files: Sequence[UploadedFile], viewer: Viewer) -> list[FileResult]:
    """Write the files to a private temporary folder and load each workbook / CSV set once."""
    allowed = allowed_administrations(viewer)
    run_id = new_run_id()
    results = []
    with tempfile.TemporaryDirectory(prefix="infosak-upload-") as tmp:
        folder = Path(tmp)
        written: list[Path] = []
        for f in files[:MAX_FILES]:
            path = folder / f.name
            path.write_bytes(f.data)
            written.append(path)
        seen_sets: set[str] = set()
        for path in written:
            if path.suffix.casefold() == ".csv":
                prefix = _csv_prefix(path.name)
                if prefix in seen_sets:
                    continue  # the loader reads the whole set from any of its files
                seen_sets.add(prefix)
            results.append(
                load_file(
                    engine,
                    path,
                    loaded_by=viewer.name,
                    allowed_administrations=allowed,
                    run_id=run_id,
                )
            )
    if any(r.outcome == ACCEPTED for r in results):
        record_snapshot(engine, run_id)
    return results


def rejected_result(issue: ValidationIssue) -> FileResult:
    """A file refused before loading, shaped like the loader's results."""
    return FileResult(Path(issue.file), None, REJECTED, [issue], {}, None, issue.file)


def issue_report_bytes(issues: Sequence[ValidationIssue], lang: str) -> bytes:
    """The downloadable report (xlsx, formula-escaped by etl.report)."""
    with tempfile.TemporaryDirectory(prefix="infosak-report-") as tmp:
        path = write_issue_report(issues, Path(tmp) / "felrapport.xlsx", lang)
        return path.read_bytes()
