"""Frozen committee reports (issue 5): the numbers and lineage of one report, kept unchanged.

A snapshot stores the whole report content as JSON (``content_json``): every number the report
shows plus where the data came from. Later loads replace owners' rows but never touch snapshots,
so a frozen report can be re-rendered (and compared) exactly as it was frozen. Created by
migration 0003. Times are naive UTC, like every timestamp in the store.

What a snapshot holds depends on who froze it (a CISO's report has shared-object numbers that a
security officer's has not), so it records that too (migration 0006): the scope types of its
content, the org codes its maker could see, and the maker's role. Who may receive it is decided
from these in dashboard/queries/report_snapshots.py.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from etl.models import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ReportSnapshot(Base):
    __tablename__ = "report_snapshot"
    __table_args__ = (Index("ix_report_snapshot_period_scope", "period", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(20))  # e.g. "2026-Q3"
    # Municipality or administration code; "" = every municipality (only for viewers seeing all).
    scope: Mapped[str] = mapped_column(String(60), default="")
    as_of: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    content_json: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Comma-separated scope types whose rows the content holds; NULL = unknown (frozen before
    # 0006: only viewers who see everything get it).
    content_types: Mapped[str | None] = mapped_column(String(200))
    # JSON list of the org codes whose data the maker could see; ["*"] = everything.
    audience: Mapped[str | None] = mapped_column(Text)
    made_for_role: Mapped[str | None] = mapped_column(String(30))
