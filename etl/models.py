"""The store: SQLAlchemy 2 typed models for the whole domain of DESIGN.md §3.

Conventions
- Every organisational entity has a stable business ``code`` (the id an owner writes in a
  workbook). Codes are global: a unit code such as ``1882-SOC-IFO`` is unique in the store.
- Rows that come from an owner's workbook carry ``source_id``: the workbook (administration or
  governance object) they came from. A newer file for the same source deletes that source's rows
  and inserts the new ones, in one transaction (see ``etl.load``). History needed for trends is kept
  in ``Load`` and ``MetricSnapshot``, which are never replaced.
- Organisation rows (municipalities … governance objects, role assignments) come from the
  organisation workbook and are upserted by code so that ids referenced elsewhere stay stable.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


# --------------------------------------------------------------------------- organisation


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)  # SCB code, e.g. "1882"
    name: Mapped[str] = mapped_column(String(100))

    administrations: Mapped[list[Administration]] = relationship(back_populates="municipality")


class Administration(Base):
    __tablename__ = "administration"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    # The central administration (kommunledningsförvaltningen) is where the CISO sits.
    is_central: Mapped[bool] = mapped_column(Boolean, default=False)

    municipality: Mapped[Municipality] = relationship(back_populates="administrations")
    units: Mapped[list[Unit]] = relationship(back_populates="administration")


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    administration_id: Mapped[int] = mapped_column(ForeignKey("administration.id"), index=True)
    manager_name: Mapped[str | None] = mapped_column(String(200))
    manager_email: Mapped[str | None] = mapped_column(String(200))

    administration: Mapped[Administration] = relationship(back_populates="units")


class Provider(Base):
    """A supplier that runs shared systems, e.g. Sydnärke IT."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class GovernanceObject(Base):
    """A shared governance object (gemensamt förvaltningsobjekt)."""

    __tablename__ = "governance_object"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)

    provider: Mapped[Provider | None] = relationship()
    participants: Mapped[list[GovernanceParticipant]] = relationship(
        back_populates="governance_object", cascade="all, delete-orphan"
    )


class GovernanceParticipant(Base):
    """A municipality (optionally one of its administrations) taking part in a shared object."""

    __tablename__ = "governance_participant"
    __table_args__ = (
        UniqueConstraint("governance_object_id", "municipality_id", "administration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    governance_object_id: Mapped[int] = mapped_column(
        ForeignKey("governance_object.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    administration_id: Mapped[int | None] = mapped_column(
        ForeignKey("administration.id"), index=True
    )

    governance_object: Mapped[GovernanceObject] = relationship(back_populates="participants")


class RoleAssignment(Base):
    """A person's role on one org node (exactly one of the node columns is set)."""

    __tablename__ = "role_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30), index=True)  # see etl.vocab.ROLES
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    administration_id: Mapped[int | None] = mapped_column(
        ForeignKey("administration.id"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    governance_object_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_object.id"), index=True
    )


class MaturityArea(Base):
    """One area of the configurable gap-analysis catalogue."""

    __tablename__ = "maturity_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Setting(Base):
    """Store-wide settings from the organisation workbook (e.g. risk matrix size)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


# --------------------------------------------------------------------------- lineage


class Source(Base):
    """One logical source: the workbook of an administration, a governance object or the org."""

    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # e.g. "administration:1882-SOC"
    kind: Mapped[str] = mapped_column(String(30))  # organisation | administration | object
    administration_id: Mapped[int | None] = mapped_column(ForeignKey("administration.id"))
    governance_object_id: Mapped[int | None] = mapped_column(ForeignKey("governance_object.id"))
    current_load_id: Mapped[int | None] = mapped_column(
        ForeignKey("load.id", use_alter=True, name="fk_source_current_load")
    )


class Load(Base):
    """One source file offered to the ETL: accepted, rejected or unchanged (same hash)."""

    __tablename__ = "load"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20))  # accepted | rejected | unchanged
    loaded_by: Mapped[str | None] = mapped_column(String(200))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    counts_json: Mapped[str] = mapped_column(Text, default="{}")  # {"sheet": rows}
    error_count: Mapped[int] = mapped_column(Integer, default=0)

    errors: Mapped[list[LoadError]] = relationship(
        back_populates="load", cascade="all, delete-orphan"
    )


class LoadError(Base):
    __tablename__ = "load_error"

    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("load.id", ondelete="CASCADE"), index=True)
    sheet: Mapped[str | None] = mapped_column(String(100))
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(100))
    value: Mapped[str | None] = mapped_column(Text)
    message_sv: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)

    load: Mapped[Load] = relationship(back_populates="errors")


class MetricSnapshot(Base):
    """A metric's value at a moment, kept across replacements so trends survive (DESIGN §4)."""

    __tablename__ = "metric_snapshot"
    __table_args__ = (Index("ix_metric_snapshot_lookup", "metric", "scope_type", "scope_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, index=True)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime)
    run_id: Mapped[str | None] = mapped_column(String(40))
    scope_type: Mapped[str] = mapped_column(String(30))
    scope_id: Mapped[str] = mapped_column(String(60))
    metric: Mapped[str] = mapped_column(String(60))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)


class KpiMart(Base):
    """One number of compute_kpis for the whole country: (scope, metric, as of) and its value,
    numerator and denominator, built by the load for the dates in etl.kpi.mart.mart_dates.

    The current data seen as of each date (unlike metric_snapshot, the history of what the store
    held): an accepted load rebuilds it, or replaces only the rows of the scopes its files touched
    (etl/kpi/mart.py, etl/kpi/mart_update.py).
    """

    __tablename__ = "kpi_mart"
    __table_args__ = (
        UniqueConstraint("as_of", "scope_type", "scope_id", "metric", name="uq_kpi_mart_row"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    scope_type: Mapped[str] = mapped_column(String(30))
    scope_id: Mapped[str] = mapped_column(String(60))
    metric: Mapped[str] = mapped_column(String(60))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)


class KpiMartDate(Base):
    """A date the mart holds, and the store version its rows were computed on: rows of another
    version than the store's current one are not read (etl.kpi.mart.store_version)."""

    __tablename__ = "kpi_mart_date"

    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    store_version: Mapped[str] = mapped_column(String(400))


# --------------------------------------------------------------------------- owners' data


class Asset(Base):
    """An information asset (informationstillgång) kept in a carrier (informationsbärare)."""

    __tablename__ = "asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    carrier_name: Mapped[str | None] = mapped_column(String(300))
    carrier_type: Mapped[str] = mapped_column(String(30))  # see etl.vocab.CARRIER_TYPES
    governance_object_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_object.id"), index=True
    )
    personal_data: Mapped[str] = mapped_column(String(10), default="no")  # no | yes | sensitive
    register_ref: Mapped[str | None] = mapped_column(String(100))
    security_protection: Mapped[bool] = mapped_column(Boolean, default=False)
    # The primary owner unit, denormalised from AssetOwner so roll-ups count each asset once.
    primary_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)

    owners: Mapped[list[AssetOwner]] = relationship(
        back_populates="asset", cascade="all, delete-orphan"
    )


class AssetOwner(Base):
    __tablename__ = "asset_owner"
    __table_args__ = (UniqueConstraint("asset_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    asset: Mapped[Asset] = relationship(back_populates="owners")


class Classification(Base):
    """Informationssäkerhetsklassning of one asset: level 0–4 per aspect."""

    __tablename__ = "classification"
    __table_args__ = (
        CheckConstraint("confidentiality BETWEEN 0 AND 4", name="ck_class_k"),
        CheckConstraint("integrity BETWEEN 0 AND 4", name="ck_class_r"),
        CheckConstraint("availability BETWEEN 0 AND 4", name="ck_class_t"),
        CheckConstraint("traceability IS NULL OR traceability BETWEEN 0 AND 4", name="ck_class_s"),
        Index("ix_classification_asset_date", "asset_id", "classified_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    classified_on: Mapped[dt.date] = mapped_column(Date)
    next_review_on: Mapped[dt.date | None] = mapped_column(Date)
    confidentiality: Mapped[int] = mapped_column(Integer)
    integrity: Mapped[int] = mapped_column(Integer)
    availability: Mapped[int] = mapped_column(Integer)
    traceability: Mapped[int | None] = mapped_column(Integer)
    label_set: Mapped[str] = mapped_column(String(40), default="KLASSA")
    model_version: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)

    participants: Mapped[list[ClassificationParticipant]] = relationship(
        cascade="all, delete-orphan"
    )


class ClassificationParticipant(Base):
    """An owner unit that took part in a classification."""

    __tablename__ = "classification_participant"
    __table_args__ = (UniqueConstraint("classification_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classification_id: Mapped[int] = mapped_column(
        ForeignKey("classification.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)


class RiskAnalysis(Base):
    """A risk analysis of one asset or of one governance object."""

    __tablename__ = "risk_analysis"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), index=True
    )
    governance_object_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_object.id"), index=True
    )
    analysed_on: Mapped[dt.date] = mapped_column(Date)
    matrix_size: Mapped[int] = mapped_column(Integer, default=4)
    responsible: Mapped[str | None] = mapped_column(String(200))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)

    risks: Mapped[list[Risk]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan"
    )


class Risk(Base):
    __tablename__ = "risk"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    risk_analysis_id: Mapped[int] = mapped_column(
        ForeignKey("risk_analysis.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)
    consequence: Mapped[int] = mapped_column(Integer)
    treatment: Mapped[str] = mapped_column(String(20))  # reduce | accept | transfer | avoid
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)

    analysis: Mapped[RiskAnalysis] = relationship(back_populates="risks")


class GapAnalysis(Base):
    """A current-state analysis (nulägesanalys) of an administration or a governance object."""

    __tablename__ = "gap_analysis"

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int | None] = mapped_column(
        ForeignKey("administration.id"), index=True
    )
    governance_object_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_object.id"), index=True
    )
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)

    assessments: Mapped[list[GapAssessment]] = relationship(cascade="all, delete-orphan")


class GapAssessment(Base):
    __tablename__ = "gap_assessment"
    __table_args__ = (
        UniqueConstraint("gap_analysis_id", "area_id"),
        CheckConstraint("level BETWEEN 0 AND 5", name="ck_gap_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gap_analysis_id: Mapped[int] = mapped_column(
        ForeignKey("gap_analysis.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("maturity_area.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)


class Action(Base):
    """An action (åtgärd) from a risk or a gap area, owned by a unit or by the provider."""

    __tablename__ = "action"
    __table_args__ = (
        Index("ix_action_status_due", "status", "due_on"),
        Index("ix_action_owner_status", "owner_unit_id", "status"),
        # Performance (migration 0004): the "risk has a live / an overdue action" EXISTS probes
        # read only this index, and the per-unit action counts never touch the table.
        Index("ix_action_risk_status_due", "risk_id", "status", "due_on"),
        Index(
            "ix_action_owner_facts",
            "owner_unit_id",
            "governance_object_id",
            "status",
            "due_on",
            "completed_on",
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(Text)
    # Indexed by ix_action_risk_status_due (risk_id first), see __table_args__.
    risk_id: Mapped[int | None] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"))
    gap_analysis_id: Mapped[int | None] = mapped_column(
        ForeignKey("gap_analysis.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("maturity_area.id"))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    # Set for actions of a shared object's workbook: provider actions count for each participant.
    governance_object_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_object.id"), index=True
    )
    responsible: Mapped[str | None] = mapped_column(String(200), index=True)
    responsible_email: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # not_started | in_progress | done | cancelled
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)


class FollowUpReport(Base):
    """A unit's follow-up report (uppföljning) for one period, e.g. "2026-Q3"."""

    __tablename__ = "follow_up_report"
    __table_args__ = (UniqueConstraint("unit_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    training_completion_pct: Mapped[float | None] = mapped_column(Float)
    last_access_review_on: Mapped[dt.date | None] = mapped_column(Date)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)


# --------------------------------------------------------------------------- coverage gaps


class CoverageGap(Base):
    """How many assets of a municipality have one of Täckning's gaps as of a date the KPI mart
    holds (or, for ``shared_owner``, how many owners of its shared assets did not take part in
    the latest classification): counted with the säkerhetsskydd assets (``rows_all``, what the
    protection officer sees) and without them (``rows_unprotected``, everyone else). Built with
    the mart and valid at the store version of its ``kpi_mart_date`` (etl/kpi/coverage_gaps.py).
    """

    __tablename__ = "coverage_gap"
    __table_args__ = (
        UniqueConstraint("as_of", "municipality_code", "gap", name="uq_coverage_gap_row"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    municipality_code: Mapped[str] = mapped_column(String(60))
    gap: Mapped[str] = mapped_column(String(30))
    rows_all: Mapped[int] = mapped_column(Integer)
    rows_unprotected: Mapped[int] = mapped_column(Integer)


class PageAggregate(Base):
    """The Risker and Åtgärder pages' counts for one part of the country as of a date of the KPI
    mart, so that a view of several municipalities sums them (etl/kpi/page_aggregates.py).

    The parts are disjoint: a municipality holds the risks of its units' assets and its units'
    own actions; a governance object holds its object-level risks and its provider actions
    (shared rows, counted once for the country). Built with the mart, tagged by kpi_mart_date.
    ``aggregate`` names what a row counts:

    - ``risks``: risks per (likelihood, consequence, treatment, protected);
    - ``high_risks``: high risks without a live action, per protected;
    - ``high_risk_pick``: one of the part's first high risks without action in list order
      (``risk_id``, ``risk_code``, likelihood and consequence: the list's order), per protected:
      the first rows of a view of several parts are the first of its parts' picks;
    - ``open_actions``: actions not completed at the end of ``month`` (the trend estimate).
    - ``action_list``: the actions the part's Åtgärder list shows, per protected (on a risk of
      a säkerhetsskydd asset or not): the list's row count;
    - ``action_list_built``: one row per date a full build counted ``action_list`` for (a date
      built before these counts were kept has none, and its list is counted on demand).
    """

    __tablename__ = "page_aggregate"
    __table_args__ = (
        Index("ix_page_aggregate_date_part", "as_of", "aggregate", "part_type", "part_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    aggregate: Mapped[str] = mapped_column(String(30))
    part_type: Mapped[str] = mapped_column(String(30))
    part_id: Mapped[str] = mapped_column(String(60))
    likelihood: Mapped[int | None] = mapped_column(Integer)
    consequence: Mapped[int | None] = mapped_column(Integer)
    treatment: Mapped[str | None] = mapped_column(String(20))
    protected: Mapped[bool] = mapped_column(Boolean)
    month: Mapped[dt.date | None] = mapped_column(Date)
    risk_id: Mapped[int | None] = mapped_column(Integer)
    risk_code: Mapped[str | None] = mapped_column(String(60))
    count: Mapped[int] = mapped_column(Integer)
