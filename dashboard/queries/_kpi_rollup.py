"""Roll the per-(unit, object) fact rows up to every scope, and the organisation check."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import or_, select

from dashboard.queries._kpi_scope import Org, Scope
from etl.models import Administration, Municipality, RoleAssignment

KEY_COLUMNS = ("unit_id", "object_id", "shared")


def normalise_keys(facts: pd.DataFrame) -> pd.DataFrame:
    """Nullable integer ids and a real boolean ``shared`` whatever the back end returned."""
    facts = facts.copy()
    for column in ("unit_id", "object_id"):
        facts[column] = pd.array(facts[column].tolist(), dtype="Int64")
    facts["shared"] = facts["shared"].fillna(False).astype(bool)
    return facts


def _sum_by(frame: pd.DataFrame, key: str, values: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=values, dtype="float64")
    return frame.groupby(key)[values].sum()


def distribute(
    facts: pd.DataFrame,
    org: Org,
    *,
    share_municipalities: bool,
    share_administrations: bool,
) -> dict[str, pd.DataFrame]:
    """Sums of ``facts`` per entity id of each scope type.

    Unit-keyed rows go to their unit, its administration and municipality (only units the scope
    loaded); object-keyed rows to their object; shared rows also to each participating
    municipality (and each explicitly participating administration), once per participant.
    """
    facts = normalise_keys(facts)
    values = [c for c in facts.columns if c not in KEY_COLUMNS]
    facts[values] = facts[values].astype("float64")
    owned = facts[facts["unit_id"].notna()].merge(
        org.units[["id", "administration_id", "municipality_id"]],
        left_on="unit_id",
        right_on="id",
        how="inner",
    )
    administration = [_sum_by(owned, "administration_id", values)]
    municipality = [_sum_by(owned, "municipality_id", values)]
    shared = facts[facts["shared"] & facts["object_id"].notna()]
    participants = org.participants
    if share_administrations and not shared.empty:
        pairs = participants.dropna(subset=["administration_id"])[
            ["governance_object_id", "administration_id"]
        ].drop_duplicates()
        pairs["governance_object_id"] = pairs["governance_object_id"].astype("Int64")
        joined = shared.merge(pairs, left_on="object_id", right_on="governance_object_id")
        administration.append(_sum_by(joined, "administration_id", values))
    if share_municipalities and not shared.empty:
        pairs = participants[["governance_object_id", "municipality_id"]].drop_duplicates()
        pairs["governance_object_id"] = pairs["governance_object_id"].astype("Int64")
        joined = shared.merge(pairs, left_on="object_id", right_on="governance_object_id")
        municipality.append(_sum_by(joined, "municipality_id", values))
    return {
        "unit": _sum_by(owned, "unit_id", values),
        "administration": pd.concat(administration).groupby(level=0).sum(),
        "municipality": pd.concat(municipality).groupby(level=0).sum(),
        "governance_object": _sum_by(facts[facts["object_id"].notna()], "object_id", values),
    }


def distribute_units(per_unit: pd.DataFrame, org: Org) -> dict[str, pd.DataFrame]:
    """Sums of a per-unit frame (indexed by unit id) per unit, administration and municipality."""
    values = list(per_unit.columns)
    owned = org.units[["id", "administration_id", "municipality_id"]].merge(
        per_unit, left_on="id", right_index=True, how="left"
    )
    owned[values] = owned[values].astype("float64")
    return {
        "unit": owned.set_index("id")[values].fillna(0),
        "administration": owned.groupby("administration_id")[values].sum(min_count=0),
        "municipality": owned.groupby("municipality_id")[values].sum(min_count=0),
    }


# --------------------------------------------------------------------------- organisation check

CHECKED_ROLES = ("ciso", "security_officer", "dpo", "protection_officer")


def role_assignments(conn, scope: Scope) -> pd.DataFrame:
    """Checked roles on the municipalities of the visible administrations and municipalities."""
    stmt = select(
        RoleAssignment.role,
        RoleAssignment.municipality_id,
        RoleAssignment.administration_id,
        Administration.municipality_id.label("administration_municipality_id"),
        Administration.is_central,
    ).outerjoin(Administration, Administration.id == RoleAssignment.administration_id)
    stmt = stmt.where(RoleAssignment.role.in_(CHECKED_ROLES))
    if scope.administration is not None and scope.municipality is not None:
        municipality_ids = (
            select(Administration.municipality_id)
            .where(scope.administration)
            .union(select(Municipality.id).where(scope.municipality))
        )
        stmt = stmt.where(
            or_(
                RoleAssignment.municipality_id.in_(municipality_ids),
                Administration.municipality_id.in_(municipality_ids),
            )
        )
    return pd.DataFrame(
        conn.execute(stmt).all(),
        columns=[
            "role",
            "municipality_id",
            "administration_id",
            "administration_municipality_id",
            "is_central",
        ],
    )


def organisation_check(roles: pd.DataFrame, org: Org) -> dict[str, pd.DataFrame]:
    """Per municipality and administration: numerator/denominator of every org_* check."""

    def ids(role: str, column: str, *, central_only: bool = False) -> set[int]:
        rows = roles[roles["role"] == role]
        if central_only:
            rows = rows[rows["is_central"].fillna(False).astype(bool)]
        return {int(v) for v in rows[column].dropna()}

    ciso_munis = ids("ciso", "municipality_id") | ids(
        "ciso", "administration_municipality_id", central_only=True
    )
    so_admins = ids("security_officer", "administration_id")
    dpo_munis, dpo_admins = ids("dpo", "municipality_id"), ids("dpo", "administration_id")
    dpo_any = dpo_munis | ids("dpo", "administration_municipality_id")
    po_munis = ids("protection_officer", "municipality_id")
    po_admins = ids("protection_officer", "administration_id")
    po_any = po_munis | ids("protection_officer", "administration_municipality_id")

    units = org.units
    managers_by_admin = units.groupby("administration_id")["has_manager"].agg(["sum", "count"])
    managers_by_mun = units.groupby("municipality_id")["has_manager"].agg(["sum", "count"])

    admins = org.administrations.set_index("id")
    adm = pd.DataFrame(index=admins.index)
    adm["org_ciso"] = admins["municipality_id"].isin(ciso_munis).astype(float)
    adm["so_num"] = admins.index.isin(so_admins).astype(float)
    adm["so_den"] = 1.0
    adm["org_dpo"] = (
        admins.index.isin(dpo_admins) | admins["municipality_id"].isin(dpo_munis)
    ).astype(float)
    adm["org_protection_officer"] = (
        admins.index.isin(po_admins) | admins["municipality_id"].isin(po_munis)
    ).astype(float)
    adm["um_num"] = managers_by_admin["sum"].reindex(adm.index).fillna(0).astype(float)
    adm["um_den"] = managers_by_admin["count"].reindex(adm.index).fillna(0).astype(float)

    muns = org.municipalities.set_index("id")
    so_by_mun = (
        org.administrations.assign(has=org.administrations["id"].isin(so_admins))
        .groupby("municipality_id")["has"]
        .agg(["sum", "count"])
    )
    mun = pd.DataFrame(index=muns.index)
    mun["org_ciso"] = mun.index.isin(ciso_munis).astype(float)
    mun["so_num"] = so_by_mun["sum"].reindex(mun.index).fillna(0).astype(float)
    mun["so_den"] = so_by_mun["count"].reindex(mun.index).fillna(0).astype(float)
    mun["org_dpo"] = mun.index.isin(dpo_any).astype(float)
    mun["org_protection_officer"] = mun.index.isin(po_any).astype(float)
    mun["um_num"] = managers_by_mun["sum"].reindex(mun.index).fillna(0).astype(float)
    mun["um_den"] = managers_by_mun["count"].reindex(mun.index).fillna(0).astype(float)
    for frame in (adm, mun):
        failed = (
            (frame["org_ciso"] == 0).astype(int)
            + ((frame["so_den"] > 0) & (frame["so_num"] < frame["so_den"])).astype(int)
            + (frame["org_dpo"] == 0).astype(int)
            + (frame["org_protection_officer"] == 0).astype(int)
            + ((frame["um_den"] > 0) & (frame["um_num"] < frame["um_den"])).astype(int)
        )
        frame["org_checks_failed"] = failed.astype(float)
    return {"administration": adm, "municipality": mun}
