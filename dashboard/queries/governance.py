"""The Förvaltningsobjekt page: each shared object with its participants and provider, its numbers
from compute_kpis (scope governance_object) and the actions of the provider and each participant.

An object's actions are those of its workbook (Action.governance_object_id), as in the KPI layer,
so the open and overdue counts per party add up to compute_kpis' numbers for the object. The
provider's actions have no owner unit; a participant's are owned by one of its units. Actions on
risks of säkerhetsskydd assets are left out unless the viewer may see such assets.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session, aliased

from dashboard.queries.actions import (
    detail_condition,
    status_label_expression,
    visible_objects,
)
from dashboard.queries.viewer import (
    ADMINISTRATION_ROLES,
    SYSTEM,
    UNIT_ROLES,
    Viewer,
    governance_object_scope_condition,
    object_aggregate_condition,
    unit_scope_condition,
)
from etl.kpi import rules
from etl.kpi.compute import compute_kpis
from etl.models import (
    Action,
    Administration,
    Asset,
    GovernanceObject,
    GovernanceParticipant,
    Municipality,
    Provider,
    Risk,
    RiskAnalysis,
    Unit,
)
from etl.visibility import shown_asset

OBJECT_METRICS = (
    "assets",
    "classification_coverage",
    "shared_owner_participation",
    "risk_analysis_coverage",
    "actions_open",
    "actions_overdue",
)
MAX_OBJECTS = 30
ACTIONS_PER_OBJECT = 10
PROVIDER_WORD = {"sv": "leverantör", "en": "provider"}
# The object an action belongs to: the one whose workbook it came from (as in the KPIs).
OBJECT_OF_ACTION = Action.governance_object_id


def visible_object_list(
    session: Session,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
    limit: int = MAX_OBJECTS,
) -> tuple[pd.DataFrame, int]:
    """(objects whose numbers the viewer may see that take part in the filter, by name; how many
    in all). ``detail``: whether the viewer may also see the object's actions (an object of its
    scope rather than one it only takes part in)."""
    # Objects whose numbers the viewer may see (object_aggregate_condition: its scope's and those
    # its administrations take part in), taking part in the filter as in the action lists.
    ids = select(GovernanceObject.id)
    condition = object_aggregate_condition(viewer)
    if condition is not None:
        ids = ids.where(condition)
    if municipality or administration:
        ids = ids.where(
            GovernanceObject.id.in_(visible_objects(SYSTEM, municipality, administration))
        )
    detail_scope = governance_object_scope_condition(viewer)
    detail = literal(True) if detail_scope is None else detail_scope
    query = (
        select(
            GovernanceObject.id.label("id"),
            GovernanceObject.code.label("code"),
            GovernanceObject.name.label("name"),
            Provider.name.label("provider_name"),
            GovernanceObject.description.label("description"),
            case((detail, True), else_=False).label("detail"),
        )
        .outerjoin(Provider, GovernanceObject.provider_id == Provider.id)
        .where(GovernanceObject.id.in_(ids))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    result = session.execute(
        query.order_by(GovernanceObject.name, GovernanceObject.id).limit(limit)
    )
    frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    frame["detail"] = frame["detail"].astype(bool)
    return frame, int(total)


def object_participants(session: Session, object_ids: list[int]) -> pd.DataFrame:
    """Columns object_id, municipality_code, municipality_name, administration_name."""
    columns = ["object_id", "municipality_code", "municipality_name", "administration_name"]
    if not object_ids:
        return pd.DataFrame(columns=columns)
    result = session.execute(
        select(
            GovernanceParticipant.governance_object_id.label("object_id"),
            Municipality.code.label("municipality_code"),
            Municipality.name.label("municipality_name"),
            Administration.name.label("administration_name"),
        )
        .join(Municipality, GovernanceParticipant.municipality_id == Municipality.id)
        .outerjoin(Administration, GovernanceParticipant.administration_id == Administration.id)
        .where(GovernanceParticipant.governance_object_id.in_(object_ids))
        .order_by(Municipality.name, Administration.name)
    )
    return pd.DataFrame(result.all(), columns=columns)


def object_kpis(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    metrics: tuple[str, ...] = OBJECT_METRICS,
    **where: str | None,
) -> pd.DataFrame:
    """compute_kpis rows of scope governance_object for ``metrics``, narrowed like the page to
    the objects that take part in the filter: an object's numbers are the same whatever the
    narrowing, and one municipality no longer computes every object of the country."""
    return compute_kpis(
        session, as_of, viewer, scope_types=["governance_object"], metrics=list(metrics), **where
    )


def shown_object_kpis(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    objects: pd.DataFrame,
    *,
    metrics: tuple[str, ...] = OBJECT_METRICS,
    **where: str | None,
) -> pd.DataFrame:
    """object_kpis for the rows of ``objects`` (visible_object_list's): the viewer's own for
    the objects of its scope, and for those it only takes part in the same numbers read without
    its narrowing (an object's numbers do not depend on who reads them); only the listed
    objects, which object_aggregate_condition allowed, are kept."""
    kpis = object_kpis(session, as_of, viewer, metrics=metrics, **where)
    codes = set(objects["code"]) if not objects.empty else set()
    missing = codes - (set(kpis["scope_id"]) if not kpis.empty else set())
    # First narrowed to the viewer's own administrations (the objects they take part in are
    # those build_scope keeps for an administration), then to one participant municipality at a
    # time, so that a participant's objects do not cost the whole country.
    for narrowing in _narrowings(session, viewer, missing):
        if not missing:
            break
        found = object_kpis(session, as_of, SYSTEM, metrics=metrics, **narrowing)
        found = found[found["scope_id"].isin(missing)]
        kpis = pd.concat([kpis, found], ignore_index=True) if not kpis.empty else found
        missing -= set(found["scope_id"])
    if kpis.empty:
        return kpis
    return kpis[kpis["scope_id"].isin(codes)].reset_index(drop=True)


def _narrowings(session: Session, viewer: Viewer, missing: set[str]):
    """Filters that find the objects ``missing`` (shown_object_kpis), read lazily: the
    administrations of the viewer's units (a security officer's, head's or manager's, at most a
    few), then the municipalities of the objects' participants."""
    if not missing:
        return
    if viewer.role in ADMINISTRATION_ROLES | UNIT_ROLES:
        ids = select(Unit.administration_id)
        units = unit_scope_condition(viewer)
        if units is not None:
            ids = ids.where(units)
        query = select(Administration.code).where(Administration.id.in_(ids))
        for code in session.scalars(query.order_by(Administration.code)).all():
            yield {"administration": code}
    if not missing:
        return
    participant_municipalities = (
        select(Municipality.code)
        .join(GovernanceParticipant, GovernanceParticipant.municipality_id == Municipality.id)
        .join(GovernanceObject, GovernanceParticipant.governance_object_id == GovernanceObject.id)
        .where(GovernanceObject.code.in_(sorted(missing)))
        .distinct()
        .order_by(Municipality.code)
    )
    for code in session.scalars(participant_municipalities).all():
        yield {"municipality": code}


def _object_actions_base(viewer: Viewer, object_ids, lang: str):
    """The objects' actions the viewer may see, with the party each belongs to: the provider
    (no owner unit) or the owner unit's municipality and administration."""
    owner_admin = aliased(Administration, name="owner_administration")
    owner_mun = aliased(Municipality, name="owner_municipality")
    provider_word = PROVIDER_WORD.get(lang, PROVIDER_WORD["sv"])
    is_provider = Action.owner_unit_id.is_(None)
    party = case(
        (is_provider, func.coalesce(Provider.name, literal("?")) + literal(f" ({provider_word})")),
        else_=owner_mun.name + literal(" – ") + owner_admin.name,
    )
    query = (
        select()
        .select_from(Action)
        .outerjoin(Risk, Action.risk_id == Risk.id)
        .outerjoin(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, RiskAnalysis.asset_id == Asset.id)
        .outerjoin(Unit, Action.owner_unit_id == Unit.id)
        .outerjoin(owner_admin, Unit.administration_id == owner_admin.id)
        .outerjoin(owner_mun, owner_admin.municipality_id == owner_mun.id)
        .outerjoin(Provider, Action.provider_id == Provider.id)
        .where(OBJECT_OF_ACTION.in_(object_ids))
    )
    shown = shown_asset(viewer.role)
    return (query if shown is None else query.where(shown)), party, is_provider


def party_summary(
    session: Session,
    as_of: dt.date,
    object_ids: list[int],
    viewer: Viewer = SYSTEM,
    *,
    lang: str = "sv",
) -> pd.DataFrame:
    """Per object and party (provider or participant administration): open and overdue actions.

    Columns object_id, party, is_provider, open, overdue; the provider first, then by name."""
    columns = ["object_id", "party", "is_provider", "open", "overdue"]
    if not object_ids:
        return pd.DataFrame(columns=columns)
    base, party, is_provider = _object_actions_base(viewer, object_ids, lang)
    open_, overdue = rules.action_open_sql(seek=True), rules.action_overdue_sql(as_of, seek=True)
    query = base.add_columns(
        OBJECT_OF_ACTION.label("object_id"),
        party.label("party"),
        is_provider.label("is_provider"),
        func.coalesce(func.sum(case((open_, 1), else_=0)), 0).label("open"),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0).label("overdue"),
    ).group_by(OBJECT_OF_ACTION, party, is_provider)
    frame = pd.DataFrame(session.execute(query).all(), columns=columns)
    if frame.empty:
        return frame
    frame["is_provider"] = frame["is_provider"].astype(bool)
    frame[["open", "overdue"]] = frame[["open", "overdue"]].astype(int)
    return frame.sort_values(
        ["object_id", "is_provider", "party"], ascending=[True, False, True]
    ).reset_index(drop=True)


def object_actions(
    session: Session,
    as_of: dt.date,
    object_ids: list[int],
    viewer: Viewer = SYSTEM,
    *,
    lang: str = "sv",
    per_object: int = ACTIONS_PER_OBJECT,
) -> pd.DataFrame:
    """The first ``per_object`` actions of each object, overdue first (oldest due date first),
    then open, then the rest by due date.

    Columns object_id, code, title, party, responsible, due_on, status, days_overdue."""
    columns = ["object_id", "code", "title", "party", "responsible", "due_on", "status",
               "days_overdue"]  # fmt: skip
    if not object_ids or detail_condition(viewer) is not None:  # committee: counts only
        return pd.DataFrame(columns=columns)
    base, party, _ = _object_actions_base(viewer, object_ids, lang)
    detail_scope = governance_object_scope_condition(viewer)
    if detail_scope is not None:
        # Rows only of the objects of the viewer's scope: a participant sees an object's numbers,
        # not its actions (visible_object_list's ``detail``).
        base = base.where(OBJECT_OF_ACTION.in_(select(GovernanceObject.id).where(detail_scope)))
    status = status_label_expression(lang)
    rank = rules.action_sort_rank_sql(as_of)
    overdue_days = rules.days_overdue_sql(as_of)
    ordered = func.row_number().over(
        partition_by=OBJECT_OF_ACTION, order_by=(rank, Action.due_on, Action.id)
    )
    inner = base.add_columns(
        OBJECT_OF_ACTION.label("object_id"),
        Action.code.label("code"),
        Action.title.label("title"),
        party.label("party"),
        Action.responsible.label("responsible"),
        Action.due_on.label("due_on"),
        status.label("status"),
        overdue_days.label("days_overdue"),
        rank.label("rank"),
        ordered.label("position"),
    ).subquery("object_actions")
    query = (
        select(*[inner.c[name] for name in columns])
        .where(inner.c.position <= per_object)
        .order_by(inner.c.object_id, inner.c.position)
    )
    return pd.DataFrame(session.execute(query).all(), columns=columns)
