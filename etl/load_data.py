"""An administration's or governance object's rows into the store (inside the file's transaction).

``replace_source_rows`` deletes what the source's earlier file put in the store and inserts the
parsed workbook's rows. New ids are numbered up front (``etl.bulk``), so parents and children go
in without reading anything back; organisation ids come from ``OrgIds``, which the loader keeps
for the whole run (they change only when an organisation workbook loads).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from etl import models, vocab
from etl.bulk import Batch, insert_tables, reserve_id_blocks
from etl.validate import ParsedWorkbook


@dataclass
class OrgIds:
    """code -> id of the organisation entities that owners' rows refer to."""

    units: dict[str, int] = field(default_factory=dict)
    objects: dict[str, int] = field(default_factory=dict)
    providers: dict[str, int] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)
    administrations: dict[str, int] = field(default_factory=dict)


def read_org_ids(connection: Connection) -> OrgIds:
    def ids(model) -> dict[str, int]:
        return dict(connection.execute(select(model.code, model.id)).all())  # type: ignore[arg-type]

    return OrgIds(
        ids(models.Unit), ids(models.GovernanceObject), ids(models.Provider),
        ids(models.MaturityArea), ids(models.Administration),
    )  # fmt: skip


# Children first; ``{s}`` is the source id (an int, never user text).
_DELETES = [
    "DELETE FROM action WHERE source_id = {s}",
    "DELETE FROM follow_up_report WHERE source_id = {s}",
    "DELETE FROM gap_assessment WHERE gap_analysis_id IN "
    "(SELECT id FROM gap_analysis WHERE source_id = {s})",
    "DELETE FROM gap_analysis WHERE source_id = {s}",
    "DELETE FROM risk WHERE source_id = {s}",
    "DELETE FROM risk_analysis WHERE source_id = {s}",
    "DELETE FROM classification_participant WHERE classification_id IN "
    "(SELECT id FROM classification WHERE source_id = {s})",
    "DELETE FROM classification WHERE source_id = {s}",
    "DELETE FROM asset_owner WHERE asset_id IN (SELECT id FROM asset WHERE source_id = {s})",
    "DELETE FROM asset WHERE source_id = {s}",
]


def delete_source_rows(connection: Connection, source_id: int) -> None:
    """Remove everything a source's earlier file put in the store (children first)."""
    s = int(source_id)
    for statement in _DELETES:
        connection.exec_driver_sql(statement.format(s=s))


def _table(model):
    return model.__table__


def replace_source_rows(connection: Connection, parsed: ParsedWorkbook, source_id: int,
                        administration_id: int | None, org: OrgIds, matrix_size: int,
                        replacing: bool = True) -> None:  # fmt: skip
    """Delete the source's old rows (when ``replacing``) and insert ``parsed``'s rows."""
    if replacing:
        delete_source_rows(connection, source_id)
    ids = reserve_id_blocks(connection, id_counts(parsed))
    insert_tables(connection, source_batches(parsed, source_id, administration_id, org,
                                             matrix_size, ids))  # fmt: skip


def id_counts(parsed: ParsedWorkbook) -> dict:
    """How many ids of each table ``source_batches`` numbers itself for ``parsed``."""
    return {
        _table(models.Asset): len(parsed.rows("assets")),
        _table(models.Classification): len(parsed.rows("classifications")),
        _table(models.RiskAnalysis): len(parsed.rows("risk_analyses")),
        _table(models.Risk): len(parsed.rows("risks")),
        _table(models.GapAnalysis): len({r["assessed_on"] for r in parsed.rows("gap_analysis")}),
    }  # fmt: skip


def source_batches(parsed: ParsedWorkbook, source_id: int, administration_id: int | None,
                   org: OrgIds, matrix_size: int, ids: dict[str, list[int]]) -> list[Batch]:  # fmt: skip
    """``parsed``'s rows for every table, parents first, numbered with ``ids`` (table name ->
    the ids ``id_counts`` asked for, in order)."""
    sid = source_id
    units, objects, providers, areas = org.units, org.objects, org.providers, org.areas
    is_object = parsed.kind == "object"
    own_object = objects.get(parsed.code) if is_object else None
    administration_id = administration_id if not is_object else None

    batches: list[Batch] = []  # every table's rows, parents first, sent together at the end

    def add(model, columns: list[str], rows: list[tuple]) -> None:
        batches.append((_table(model), columns, rows))

    asset_rows = parsed.rows("assets")
    class_rows = parsed.rows("classifications")
    analysis_rows = parsed.rows("risk_analyses")
    risk_rows = parsed.rows("risks")
    gap_rows = parsed.rows("gap_analysis")
    gap_dates = sorted({r["assessed_on"] for r in gap_rows})  # type: ignore[type-var]
    asset_ids = ids["asset"]
    assets = {r["code"]: i for r, i in zip(asset_rows, asset_ids, strict=True)}
    add(models.Asset, ["id", "code", "name", "carrier_name", "carrier_type",
                       "governance_object_id", "personal_data", "register_ref",
                       "security_protection", "primary_unit_id", "source_id"], [
        (i, r["code"], r["name"], r["carrier_name"], r["carrier_type"],
         objects[r["governance_object"]] if r["governance_object"] else own_object,
         r["personal_data"], r["register_ref"], bool(r["security_protection"]),
         units[r["owners"][0]], sid)  # type: ignore[index]
        for r, i in zip(asset_rows, asset_ids, strict=True)
    ])  # fmt: skip
    add(models.AssetOwner, ["asset_id", "unit_id", "is_primary"], [
        (i, units[unit], index == 0)
        for r, i in zip(asset_rows, asset_ids, strict=True)
        for index, unit in enumerate(r["owners"])  # type: ignore[arg-type]
    ])  # fmt: skip

    class_ids = ids["classification"]
    add(models.Classification, ["id", "asset_id", "classified_on", "next_review_on",
                                "confidentiality", "integrity", "availability", "traceability",
                                "label_set", "model_version", "source_id"], [
        (i, assets[r["asset"]], r["classified_on"], r["next_review_on"], r["confidentiality"],
         r["integrity"], r["availability"], r["traceability"],
         r["label_set"] or vocab.DEFAULT_LABEL_SET, r["model_version"], sid)
        for r, i in zip(class_rows, class_ids, strict=True)
    ])  # fmt: skip
    add(models.ClassificationParticipant, ["classification_id", "unit_id"], [
        (i, units[unit])
        for r, i in zip(class_rows, class_ids, strict=True)
        for unit in r["participants"] or []  # type: ignore[attr-defined]
    ])  # fmt: skip

    analysis_ids = ids["risk_analysis"]
    analyses = {r["code"]: i for r, i in zip(analysis_rows, analysis_ids, strict=True)}
    add(models.RiskAnalysis, ["id", "code", "asset_id", "governance_object_id", "analysed_on",
                              "matrix_size", "responsible", "source_id"], [
        (i, r["code"], assets[r["asset"]] if r["asset"] else None,
         own_object if not r["asset"] else None, r["analysed_on"], matrix_size,
         r["responsible"], sid)
        for r, i in zip(analysis_rows, analysis_ids, strict=True)
    ])  # fmt: skip
    risk_ids = ids["risk"]
    risks = {r["code"]: i for r, i in zip(risk_rows, risk_ids, strict=True)}
    add(models.Risk, ["id", "code", "risk_analysis_id", "description", "likelihood",
                      "consequence", "treatment", "source_id"], [
        (i, r["code"], analyses[r["analysis"]], r["description"], r["likelihood"],
         r["consequence"], r["treatment"], sid)
        for r, i in zip(risk_rows, risk_ids, strict=True)
    ])  # fmt: skip

    gap_ids = ids["gap_analysis"]
    gaps = dict(zip(gap_dates, gap_ids, strict=True))
    add(models.GapAnalysis, ["id", "administration_id", "governance_object_id", "assessed_on",
                             "source_id"], [
        (i, administration_id, own_object, day, sid) for day, i in gaps.items()
    ])  # fmt: skip
    add(models.GapAssessment, ["gap_analysis_id", "area_id", "level", "comment"], [
        (gaps[r["assessed_on"]], areas[r["area_code"]], r["level"], r["comment"])
        for r in gap_rows
    ])  # fmt: skip
    # An action from a gap area points at the latest analysis of the file that assessed it.
    latest_gap: dict[str, int] = {}
    for r in sorted(gap_rows, key=lambda r: r["assessed_on"]):  # type: ignore[arg-type, return-value]
        latest_gap[r["area_code"]] = gaps[r["assessed_on"]]  # type: ignore[index]

    add(models.Action, ["code", "title", "risk_id", "gap_analysis_id", "area_id",
                        "owner_unit_id", "provider_id", "governance_object_id", "responsible",
                        "responsible_email", "due_on", "status", "completed_on", "source_id"], [
        (r["code"], r["title"], risks[r["risk"]] if r["risk"] else None,
         latest_gap.get(r["area_code"]) if r["area_code"] else None,  # type: ignore[arg-type]
         areas[r["area_code"]] if r["area_code"] else None,
         units[r["owner_unit"]] if r["owner_unit"] else None,
         providers[r["provider"]] if r["provider"] else None,
         own_object, r["responsible"], r["responsible_email"], r["due_on"], r["status"],
         r["completed_on"], sid)
        for r in parsed.rows("actions")
    ])  # fmt: skip
    add(models.FollowUpReport, ["unit_id", "period", "submitted", "submitted_on",
                                "training_completion_pct", "last_access_review_on",
                                "source_id"], [
        (units[r["unit"]], r["period"], bool(r["submitted"]), r["submitted_on"],
         r["training_completion_pct"], r["last_access_review_on"], sid)
        for r in parsed.rows("follow_ups")
    ])  # fmt: skip
    return batches
