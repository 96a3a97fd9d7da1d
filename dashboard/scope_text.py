"""Whose numbers these are: the viewer's selection (role scope narrowed by the global filters) in
words, for the line every page shows under the filters, Översikt's note and the report's title.

One function, ``scope_text``, so that a page, the filter bar and the report cannot name the same
selection differently. The global filters only narrow what the role may see (DESIGN §5), so the
text names the narrowest of the two: a manager's units whatever the filters say, an
administration role's chosen administration or else its own, and so on.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.i18n import translator
from dashboard.queries.viewer import (
    ADMINISTRATION_ROLES,
    MUNICIPALITY_ROLES,
    UNIT_ROLES,
    Viewer,
    administration_scope_condition,
    municipality_scope_condition,
)
from etl.models import Administration, Municipality, Unit

TEXT = {
    "sv": {
        "all": "Alla kommuner tillsammans",
        "municipality": "{name} kommun",
        "administration": "{name}, {municipality} kommun",
        "unit": "Din enhet: {name} ({administration})",
        "units": "Dina enheter: {names}",
        "many_units": "Dina {count} enheter",
        "and": "och",
        "nothing": "Inget att visa för ditt konto",
        "label": "Siffrorna gäller",
    },
    "en": {
        "all": "All municipalities together",
        "municipality": "{name} municipality",
        "administration": "{name}, {municipality} municipality",
        "unit": "Your unit: {name} ({administration})",
        "units": "Your units: {names}",
        "many_units": "Your {count} units",
        "and": "and",
        "nothing": "Nothing to show for your account",
        "label": "The numbers cover",
    },
}
_tr = translator(TEXT)

# Beyond this many units a manager's line gives their number instead of their names.
NAMED_UNITS = 3


def _joined(names: list[str], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {_tr('and', lang)} {names[-1]}"


def _within(query, condition):
    """``query`` narrowed to what the viewer may see (a forged filter names nothing outside)."""
    return query if condition is None else query.where(condition)


def _municipalities(session: Session, viewer: Viewer, codes) -> list[str]:
    query = select(Municipality.name).where(Municipality.code.in_(sorted(codes)))
    query = _within(query, municipality_scope_condition(viewer))
    return list(session.scalars(query.order_by(Municipality.name)))


def _administrations(session: Session, viewer: Viewer, codes) -> list[tuple[str, str]]:
    query = (
        select(Administration.name, Municipality.name)
        .join(Municipality, Administration.municipality_id == Municipality.id)
        .where(Administration.code.in_(sorted(codes)))
    )
    query = _within(query, administration_scope_condition(viewer))
    return [
        tuple(row)
        for row in session.execute(query.order_by(Municipality.name, Administration.name))
    ]


def _municipality_text(session: Session, viewer: Viewer, codes, lang: str) -> str | None:
    names = _municipalities(session, viewer, codes)
    if not names:
        return None
    return _joined([_tr("municipality", lang).format(name=n) for n in names], lang)


def _administration_text(session: Session, viewer: Viewer, codes, lang: str) -> str | None:
    rows = _administrations(session, viewer, codes)
    if not rows:
        return None
    return _joined(
        [_tr("administration", lang).format(name=n, municipality=m) for n, m in rows], lang
    )


def _unit_text(session: Session, codes, lang: str) -> str | None:
    rows = session.execute(
        select(Unit.name, Administration.name)
        .join(Administration, Unit.administration_id == Administration.id)
        .where(Unit.code.in_(sorted(codes)))
        .order_by(Unit.name)
    ).all()
    if not rows:
        return None
    if len(rows) == 1:
        return _tr("unit", lang).format(name=rows[0][0], administration=rows[0][1])
    if len(rows) > NAMED_UNITS:
        return _tr("many_units", lang).format(count=len(rows))
    return _tr("units", lang).format(names=_joined([r[0] for r in rows], lang))


def scope_text(
    session: Session,
    viewer: Viewer,
    municipality: str | None = None,
    administration: str | None = None,
    lang: str = "sv",
) -> str:
    """The selection in words, e.g. "Askersund kommun", "Din enhet: IT-enheten
    (Kommunledningsförvaltningen)" or "Alla kommuner tillsammans"."""
    text = None
    if viewer.role in UNIT_ROLES:
        text = _unit_text(session, viewer.unit_codes, lang)
    elif viewer.role in ADMINISTRATION_ROLES:
        chosen = {administration} & set(viewer.administration_codes) if administration else None
        text = _administration_text(session, viewer, chosen or viewer.administration_codes, lang)
    else:
        # The narrowest selection the viewer may see; a filter outside its scope names nothing.
        if administration:
            text = _administration_text(session, viewer, {administration}, lang)
        if text is None and municipality:
            text = _municipality_text(session, viewer, {municipality}, lang)
        if text is None and viewer.role in MUNICIPALITY_ROLES:
            text = _municipality_text(session, viewer, viewer.municipality_codes, lang)
        if text is None and viewer.sees_all:
            text = _tr("all", lang)
    return text or _tr("nothing", lang)


def scope_text_all(lang: str = "sv") -> str:
    """scope_text's words for every municipality together (Översikt explains how they add up)."""
    return _tr("all", lang)


def scope_line(
    session: Session,
    viewer: Viewer,
    municipality: str | None = None,
    administration: str | None = None,
    lang: str = "sv",
) -> str:
    """scope_text with its label, as the line under the filters: "Siffrorna gäller: …"."""
    return (
        f"{_tr('label', lang)}: {scope_text(session, viewer, municipality, administration, lang)}"
    )


def filter_placeholder(options: list[dict], all_text: str) -> str:
    """A filter's placeholder: "Alla …" only when there is more than one to choose from; a
    viewer who covers one municipality or administration sees its name instead."""
    if len(options) == 1:
        return str(options[0]["label"])
    return all_text
