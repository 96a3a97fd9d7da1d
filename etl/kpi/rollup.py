"""Roll the per-(unit, object) fact rows up to every scope, and the organisation check."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import or_, select

from etl.kpi.frames import query_frame
from etl.kpi.scope import Org, Scope, int_ids
from etl.models import Administration, Municipality, RoleAssignment

KEY_COLUMNS = ("unit_id", "object_id", "shared")


def sums_by_key(keys: np.ndarray, rows: np.ndarray, values: list[str], name: str) -> pd.DataFrame:
    """Column sums of ``rows`` (no NaN: callers give 0) per distinct key: one stable sort and
    one reduceat over all columns (a national request sums some 200 columns of 14 000 rows)."""
    if len(keys) == 0:
        return pd.DataFrame(columns=values, dtype="float64", index=pd.Index([], name=name))
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sums = np.add.reduceat(rows[order], starts, axis=0) if values else np.zeros((len(starts), 0))
    return pd.DataFrame(sums, index=pd.Index(sorted_keys[starts], name=name), columns=values)


def _fan_out(
    object_ids: np.ndarray, pairs: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """(index of the fact row, participant id) once per participant of each row's object;
    ``pairs``: Org.pairs."""
    pair_objects, pair_targets = pairs
    left = np.searchsorted(pair_objects, object_ids, side="left")
    counts = np.searchsorted(pair_objects, object_ids, side="right") - left
    total = int(counts.sum())
    fact_index = np.repeat(np.arange(len(object_ids)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    pair_index = np.repeat(left, counts) + (np.arange(total) - starts)
    return fact_index, pair_targets[pair_index]


def distribute(
    facts: pd.DataFrame, org: Org, *, share_municipalities: bool, share_administrations: bool
) -> dict[str, pd.DataFrame]:
    """Sums of ``facts`` per entity id of each scope type, in numpy (pandas merges and
    group-bys cost tens of milliseconds per call in overhead alone).

    Unit-keyed rows go to their unit, its administration and municipality (only units the scope
    loaded); object-keyed rows to their object; shared rows also to each participating
    municipality (and each explicitly participating administration), once per participant."""
    values = [c for c in facts.columns if c not in KEY_COLUMNS]
    rows = np.nan_to_num(facts[values].to_numpy(dtype="float64")).reshape(len(facts), len(values))
    unit, obj = int_ids(facts["unit_id"]), int_ids(facts["object_id"])
    unit_index, unit_administration, unit_municipality = org.unit_arrays
    position = unit_index.get_indexer(unit)
    owned = position >= 0
    shared = facts["shared"].fillna(False).astype(bool).to_numpy() & (obj >= 0)
    sums = {"unit": sums_by_key(unit[owned], rows[owned], values, "unit_id")}
    for target, per_unit, share in (
        ("administration", unit_administration, share_administrations),
        ("municipality", unit_municipality, share_municipalities),
    ):
        keys, parts = [per_unit[position[owned]]], [rows[owned]]
        if share and shared.any():
            index, targets = _fan_out(obj[shared], org.pairs(f"{target}_id"))
            keys.append(targets)
            parts.append(rows[shared][index])
        sums[target] = sums_by_key(
            np.concatenate(keys), np.concatenate(parts), values, f"{target}_id"
        )
    has_object = obj >= 0
    sums["governance_object"] = sums_by_key(obj[has_object], rows[has_object], values, "object_id")
    return sums


def distribute_units(per_unit: dict[str, np.ndarray], org: Org) -> dict[str, pd.DataFrame]:
    """Sums of per-unit values (arrays in the order of ``org.units``, no NaN) per unit,
    administration and municipality."""
    unit_index, unit_administration, unit_municipality = org.unit_arrays
    values = list(per_unit)
    rows = (
        np.column_stack([per_unit[v] for v in values]) if values else np.zeros((len(org.units), 0))
    )
    unit = pd.DataFrame(rows, index=pd.Index(unit_index, name="id"), columns=values)
    return {
        "unit": unit,
        "administration": sums_by_key(unit_administration, rows, values, "administration_id"),
        "municipality": sums_by_key(unit_municipality, rows, values, "municipality_id"),
    }


# --------------------------------------------------------------------------- organisation check

CHECKED_ROLES = ("ciso", "security_officer", "dpo", "protection_officer")


def role_assignments(conn, scope: Scope) -> pd.DataFrame:
    """Checked roles on the municipalities of the visible administrations and municipalities."""
    stmt = (
        select(
            RoleAssignment.role,
            RoleAssignment.municipality_id,
            RoleAssignment.administration_id,
            Administration.municipality_id.label("administration_municipality_id"),
            Administration.is_central,
        )
        .outerjoin(Administration, Administration.id == RoleAssignment.administration_id)
        .where(RoleAssignment.role.in_(CHECKED_ROLES))
    )
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
    return query_frame(conn, stmt)


def _role_ids(roles: pd.DataFrame):
    """ids(role, column, central_only=False): the set of ``column`` ids on rows of ``role``."""
    role = roles["role"].to_numpy(dtype=object)
    central = roles["is_central"].fillna(False).astype(bool).to_numpy()
    columns = {
        c: int_ids(roles[c])
        for c in ("municipality_id", "administration_id", "administration_municipality_id")
    }

    def ids(name: str, column: str, *, central_only: bool = False) -> np.ndarray:
        chosen = (role == name) & (columns[column] >= 0)
        if central_only:
            chosen &= central
        return np.unique(columns[column][chosen])

    return ids


def _per(keys: np.ndarray, ids: pd.Index, weights: np.ndarray | None = None) -> np.ndarray:
    """Count (or sum of ``weights``) of ``keys`` per id of ``ids``; keys outside ``ids`` ignored."""
    position = ids.get_indexer(keys)
    inside = position >= 0
    chosen = None if weights is None else weights[inside]
    return np.bincount(position[inside], weights=chosen, minlength=len(ids)).astype(float)


def _failed_checks(frame: dict[str, np.ndarray]) -> np.ndarray:
    return (
        (frame["org_ciso"] == 0).astype(int)
        + ((frame["so_den"] > 0) & (frame["so_num"] < frame["so_den"])).astype(int)
        + (frame["org_dpo"] == 0).astype(int)
        + (frame["org_protection_officer"] == 0).astype(int)
        + ((frame["um_den"] > 0) & (frame["um_num"] < frame["um_den"])).astype(int)
    ).astype(float)


def organisation_check(roles: pd.DataFrame, org: Org) -> dict[str, pd.DataFrame]:
    """Per municipality and administration: numerator/denominator of every org_* check."""
    ids = _role_ids(roles)
    ciso = np.union1d(
        ids("ciso", "municipality_id"),
        ids("ciso", "administration_municipality_id", central_only=True),
    )
    officers = ids("security_officer", "administration_id")
    _, unit_administration, unit_municipality = org.unit_arrays
    has_manager = org.units["has_manager"].to_numpy(dtype=float)
    admin_ids = pd.Index(int_ids(org.administrations["id"]), name="id")
    admin_municipality = int_ids(org.administrations["municipality_id"])
    admin = admin_ids.to_numpy()
    mun_ids = pd.Index(int_ids(org.municipalities["id"]), name="id")
    mun = mun_ids.to_numpy()
    has_officer = np.isin(admin, officers).astype(float)
    adm = {
        "org_ciso": np.isin(admin_municipality, ciso).astype(float),
        "so_num": has_officer,
        "so_den": np.ones(len(admin)),
    }
    muns = {
        "org_ciso": np.isin(mun, ciso).astype(float),
        "so_num": _per(admin_municipality, mun_ids, has_officer),
        "so_den": _per(admin_municipality, mun_ids),
    }
    # A DPO or protection officer on the municipality counts for its administrations; one on an
    # administration for the administration and for its municipality.
    for check, role in (("org_dpo", "dpo"), ("org_protection_officer", "protection_officer")):
        on_municipality = ids(role, "municipality_id")
        on_administration = ids(role, "administration_id")
        adm[check] = (
            np.isin(admin, on_administration) | np.isin(admin_municipality, on_municipality)
        ).astype(float)
        either = np.union1d(on_municipality, ids(role, "administration_municipality_id"))
        muns[check] = np.isin(mun, either).astype(float)
    for frame, unit_keys, keys in ((adm, unit_administration, admin_ids),
                                   (muns, unit_municipality, mun_ids)):  # fmt: skip
        frame["um_num"] = _per(unit_keys, keys, has_manager)
        frame["um_den"] = _per(unit_keys, keys)
        frame["org_checks_failed"] = _failed_checks(frame)
    return {
        "administration": pd.DataFrame(adm, index=admin_ids),
        "municipality": pd.DataFrame(muns, index=mun_ids),
    }
