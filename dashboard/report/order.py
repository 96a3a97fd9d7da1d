"""The order of names in the committee report: alphabetical as a Swedish reader expects it.

Python's own string order puts "Ä" before "Å" and both before lower-case letters (code point
order), and the store's code order (SCB's municipality codes) is no order a reader can follow.
Swedish collation (SS 4370, as in a Swedish dictionary): case does not separate names,
å ä ö are three letters after z in that order, and accented letters sort with their base letter
(é as e, ü as y, æ as ä, ø as ö). Ties fall back on the exact text, so the order is stable.
"""

from __future__ import annotations

import functools
import unicodedata

# Letters that Swedish sorts as another letter of its alphabet.
_FOLD = {"ü": "y", "æ": "ä", "ø": "ö", "ß": "ss"}
# Each Swedish letter after z gets a place past every other character we keep.
_AFTER_Z = {"å": "\U000f0001", "ä": "\U000f0002", "ö": "\U000f0003"}


@functools.lru_cache(maxsize=4096)  # per character: a few hundred distinct ones in practice
def _letter(char: str) -> str:
    char = _FOLD.get(char, char)
    if char in _AFTER_Z:
        return _AFTER_Z[char]
    # Strip accents from every other letter (é → e, à → a): base letter first in NFD.
    return unicodedata.normalize("NFD", char)[0] if len(char) == 1 else char


def swedish_key(name: str) -> tuple[str, str]:
    """Sort key: Swedish alphabetical, case-insensitive, exact text as the tie-break."""
    folded = "".join(map(_letter, (name or "").strip().casefold()))
    return folded, name or ""


__all__ = ["swedish_key"]
