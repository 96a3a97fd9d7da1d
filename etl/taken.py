"""Which of a file's ids other sources already own, kept in memory during a first load.

Every file asks the store which of its asset, analysis, risk and action ids and follow-ups
another source owns (``etl.validate.lookup_taken``): about two million index probes for a
national delivery, the largest query cost of its load. A run that starts on a store without any
owners' rows knows the answer itself: only its own accepted files have put ids there. So
``TakenIds`` keeps them in memory for such a run and answers exactly as the store would.

It only does so while nobody else writes: every load (accepted, unchanged or rejected) adds a
``load`` row, so when the newest load row is not the one this run wrote last, or this run's next
load row is not the next id, another process loaded meanwhile and every later file asks the
store again, for the rest of the run. (Owners' rows change only through loads.)
"""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy.orm import Session

from etl.validate import CODED_TABLES, ParsedWorkbook, lookup_taken

_NEWEST_LOAD = "SELECT MAX(id) FROM load"
_CODE, _UNIT_PERIOD = itemgetter("code"), itemgetter("unit", "period")
_TABLES = [*CODED_TABLES.values(), "follow_up_report"]


def _store_is_empty(session: Session) -> bool:
    connection = session.connection()
    return all(
        connection.exec_driver_sql(f'SELECT 1 FROM "{table}" LIMIT 1').first() is None
        for table in _TABLES
    )  # fmt: skip


class TakenIds:
    """The owners' ids this run put in a store that had none; see the module docstring."""

    def __init__(self) -> None:
        self._started = False
        self._mark: int | None = None  # the newest load row, written by this run
        self._owner: dict[str, dict[str, str]] | None = None  # entity -> code -> source key
        self._follow_ups: dict[str, dict[str, str]] = {}  # unit -> period -> source key
        # source key -> the ids it holds now: entity -> codes, and its follow-ups (unit, period)
        self._by_source: dict[str, tuple[dict[str, list[str]], list[tuple[str, str]]]] = {}

    def tracking(self, session: Session) -> bool:
        """Whether the answers come from memory: only this run has written to a store that had
        no owners' rows (one query: the newest load row; two more the first time)."""
        mark = session.connection().exec_driver_sql(_NEWEST_LOAD).scalar()
        if not self._started:
            self._started = True
            if _store_is_empty(session):
                self._owner = {entity: {} for entity in CODED_TABLES}
                self._mark = mark
        if self._owner is not None and mark != self._mark:
            self._owner = None  # another process loaded meanwhile: ask the store from now on
        return self._owner is not None

    @property
    def mark(self) -> int | None:
        """The newest load row this run wrote (while ``tracking``)."""
        return self._mark

    def lookup(self, session: Session, codes: dict[str, list[str]]) -> dict[str, dict[str, str]]:
        """``lookup_taken(session, codes)``, from memory while only this run has written."""
        if not self.tracking(session):
            return lookup_taken(session, codes)
        return self.from_memory(codes)

    def from_memory(self, codes: dict[str, list[str]]) -> dict[str, dict[str, str]]:
        """``lookup``'s answer from memory alone (the caller checked ``tracking``)."""
        assert self._owner is not None
        # Most of a file's ids are nobody's: the set operation finds the few that are in C.
        taken = {
            entity: {code: owned[code] for code in owned.keys() & codes.get(entity, [])}
            for entity, owned in self._owner.items()
        }  # fmt: skip
        taken["follow_ups"] = {
            f"{unit}|{period}": key
            for unit in codes.get("follow_ups", [])
            for period, key in self._follow_ups.get(unit, {}).items()
        }  # fmt: skip
        return taken

    def wrote(self, load_id: int | None, accepted: ParsedWorkbook | None = None) -> None:
        """This run committed the load row ``load_id``; ``accepted``: the rows it replaced its
        source's with.

        Load ids count up by one (SQLite: the largest plus one; PostgreSQL: a sequence), so any
        other id than the next one means somebody else wrote a load row in between.
        """
        if self._owner is None or load_id is None:
            return
        if load_id != (self._mark or 0) + 1:
            self._owner = None
            return
        self._mark = load_id
        if accepted is not None:
            self.note(accepted)

    def wrote_many(self, load_ids: list[int]) -> None:
        """This run committed the load rows ``load_ids`` at once (in their order), after
        ``note`` of the accepted files among them."""
        if self._owner is None or not load_ids:
            return
        expected = list(range((self._mark or 0) + 1, (self._mark or 0) + 1 + len(load_ids)))
        if load_ids != expected:
            self._owner = None
            return
        self._mark = load_ids[-1]

    def stop(self) -> None:
        """Ask the store from now on (what was noted may not have been written)."""
        self._owner = None

    def note(self, accepted: ParsedWorkbook) -> None:
        """The rows ``accepted`` replaced its source's with hold their ids from now on."""
        if self._owner is None or accepted.kind == "organisation":
            return
        key = accepted.source_key
        previous = self._by_source.pop(key, None)
        if previous is not None:
            self._forget(*previous)
        codes = {entity: list(map(_CODE, accepted.rows(entity))) for entity in self._owner}
        follow_ups = list(map(_UNIT_PERIOD, accepted.rows("follow_ups")))
        for entity, owned in self._owner.items():
            owned.update(dict.fromkeys(codes[entity], key))  # type: ignore[arg-type]
        for unit, period in follow_ups:
            self._follow_ups.setdefault(unit, {})[period] = key  # type: ignore[index]
        self._by_source[key] = (codes, follow_ups)  # type: ignore[assignment]

    def _forget(self, codes: dict[str, list[str]], follow_ups: list[tuple[str, str]]) -> None:
        for entity, owned in self._owner.items():  # type: ignore[union-attr]
            for code in codes[entity]:
                owned.pop(code, None)
        for unit, period in follow_ups:
            self._follow_ups.get(unit, {}).pop(period, None)
