"""Whose numbers a gathered report holds, in every language the report is written in.

``gather_report`` names its scope in Swedish (``scope_text``); the report in English needs the
same text in English, which only the store can give (names of the viewer's units and
administrations). ``with_scope_texts`` adds both to the gathered dict, so that a report frozen
with them can later be written in either language without the store.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dashboard.queries.viewer import Viewer
from dashboard.scope_text import scope_text

LANGUAGES = ("sv", "en")


def with_scope_texts(session: Session, viewer: Viewer, data: dict) -> dict:
    """``data`` with ``scope_texts`` ({lang: text}) for its scope, as ``gather_report`` names it."""
    target = data["scope"]
    if target["type"] == "administration":
        municipality, administration = target["municipality"], target["code"]
    elif target["type"] == "municipality":
        municipality, administration = target["code"], None
    else:
        municipality, administration = None, None
    data["scope_texts"] = {
        lang: scope_text(session, viewer, municipality, administration, lang) for lang in LANGUAGES
    }
    return data


__all__ = ["LANGUAGES", "with_scope_texts"]
