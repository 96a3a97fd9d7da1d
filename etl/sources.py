"""Which files a load reads, and in what order: folders expanded, CSV files grouped into sets.

A folder is listed once, however many files it holds: a national delivery can be one flat folder
of 12 000 CSV files, and listing it once per file (to find each file's set) took most of an hour.
Each source carries its CSV set's members so nothing downstream lists the folder again.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from etl.reader import (
    CSV_SUFFIX,
    SHEETS_BY_SLUG,
    XLSX_SUFFIXES,
    csv_set_members,
    csv_sets_in,
    list_folder,
)
from etl.schema import ORGANISATION

ORG_SHEETS = {s.slug for s in ORGANISATION.sheets if s.key != "cover" and s.required}


@dataclass(frozen=True)
class SourceFiles:
    """One source to load: an xlsx, or a CSV set named by its first file."""

    path: Path
    members: tuple[str, list[Path]] | None = None  # CSV set: (prefix, files)

    @property
    def label(self) -> str:
        """The name a source is known by in messages (a CSV set by its prefix)."""
        return f"{self.members[0]}.*.csv" if self.members else self.path.name


def _is_candidate(path: Path, is_file=None) -> bool:
    suffix = path.suffix.casefold()
    return (
        not path.name.startswith(("~$", "."))  # Excel lock files, hidden files
        and (suffix in XLSX_SUFFIXES or suffix == CSV_SUFFIX)
        and (is_file or path.is_file)()
    )


def _folder_candidates(folder: Path, listing: list[tuple[str, bool]]) -> list[Path]:
    """The loadable files of ``folder`` in name order."""
    found = [
        Path(folder, name)
        for name, is_file in listing
        if is_file and _is_candidate(Path(folder, name), lambda: True)
    ]
    return sorted(found, key=lambda p: p.name)


def source_of(path: Path, sets: dict[str, list[Path]] | None = None) -> SourceFiles:
    """The source of one given file (``sets``: its folder's ``csv_sets_in``, when listed)."""
    path = Path(path)
    members = csv_set_members(path, sets) if path.suffix.casefold() == CSV_SUFFIX else None
    if members and members[1]:
        return SourceFiles(members[1][0], members)
    return SourceFiles(path)


def expand_sources(paths: Sequence[Path]) -> list[SourceFiles]:
    """Sources to load: folders expand to their .xlsx/.csv; one source per CSV set."""
    result: list[SourceFiles] = []
    seen_sets: set[tuple[Path, str]] = set()
    listings: dict[Path, dict[str, list[Path]]] = {}
    # Each folder resolved once, not twice per file: a national delivery's 12 400 files cost
    # about 0.7 s of CPU time in ``resolve`` alone.
    resolved: dict[Path, Path] = {}

    def real(folder: Path) -> Path:
        if folder not in resolved:
            resolved[folder] = folder.resolve()
        return resolved[folder]

    for given in paths:
        given = Path(given)
        if given.is_dir():
            listing = list_folder(given)
            candidates = _folder_candidates(given, listing)
            listings[real(given)] = csv_sets_in(given, listing)
        else:
            candidates = [given]
        for path in candidates:
            sets = None
            if path.suffix.casefold() == CSV_SUFFIX:
                folder = real(path.parent)
                if folder not in listings:
                    listings[folder] = csv_sets_in(path.parent)
                sets = listings[folder]
            source = source_of(path, sets)
            if source.members:
                key = (real(path.parent), source.members[0])
                if key in seen_sets:
                    continue
                seen_sets.add(key)
            result.append(source)
    return result


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files to load: folders expand to their .xlsx/.csv; one path per CSV set (its first file)."""
    return [source.path for source in expand_sources(paths)]


def _is_organisation(source: SourceFiles) -> bool:
    path = source.path
    try:
        if source.members is not None or path.suffix.casefold() == CSV_SUFFIX:
            members = source.members or csv_set_members(path)
            return bool(members) and any(
                m.stem.rpartition(".")[2].casefold() in ORG_SHEETS for m in members[1]
            )
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > 1_000_000:
                return False
            names = zf.read(info).decode("utf-8", "replace").casefold()
        return any(f'name="{SHEETS_BY_SLUG[s].name.casefold()}"' in names for s in ORG_SHEETS)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False


def looks_like_organisation(path: Path) -> bool:
    """Cheap guess, for ordering only: the file has an organisation sheet (e.g. Kommuner)."""
    return _is_organisation(SourceFiles(Path(path)))


def split_organisations(
    sources: Sequence[SourceFiles],
) -> tuple[list[SourceFiles], list[SourceFiles]]:
    """(organisation workbooks, every other source), each as given."""
    organisations: list[SourceFiles] = []
    others: list[SourceFiles] = []
    for source in sources:
        (organisations if _is_organisation(source) else others).append(source)
    return organisations, others


def order_sources(sources: Sequence[SourceFiles]) -> list[SourceFiles]:
    """Organisation workbooks first (others refer to their codes), otherwise as given."""
    organisations, others = split_organisations(sources)
    return organisations + others


def order_for_loading(paths: Sequence[Path]) -> list[Path]:
    """Organisation workbooks first (others refer to their codes), otherwise as given."""
    return sorted(paths, key=lambda p: not looks_like_organisation(p))
