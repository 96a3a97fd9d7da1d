"""Säkerhetsskydd (DESIGN §5): the one rule on who may see a protected asset, and the SQL
conditions that apply it to every kind of row that can name, describe or link to one.

Only the protection officer (and the system itself, which computes numbers and knows no reader)
may see a säkerhetsskydd asset, its classifications, owners, risk analyses, risks and the actions
on those risks. Everyone else sees them only inside counts, unnamed. Gap analyses and their
actions belong to an administration or a governance object, never to an asset, so they cannot
link to one.

This module is the single place of that rule. It lives in etl so that both the dashboard (lists,
exports, reports, through ``dashboard.queries.viewer``) and the reminders (``etl.reminders``)
import it without etl importing the dashboard. Each ``shown_*`` function returns ``None`` when
the role may see protected assets (no condition), otherwise a condition that keeps only the rows
that do not link to one; rows without an asset (object-level analyses, gap actions) stay.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import aliased

from etl.models import Action, Asset, Risk, RiskAnalysis

# The roles that may see säkerhetsskydd assets ("system" is the software itself, never a person).
PROTECTED_ROLES = frozenset({"system", "protection_officer"})


def may_see_protected(role: str) -> bool:
    """Whether ``role`` may see anything that names or links to a säkerhetsskydd asset."""
    return role in PROTECTED_ROLES


def protected_asset_ids() -> Select:
    """The ids of the säkerhetsskydd assets (few: a NOT IN over them is cheap)."""
    return select(Asset.id).where(Asset.security_protection.is_(True))


def protected_risk_ids() -> Select:
    """The ids of the risks of analyses of säkerhetsskydd assets."""
    return (
        select(Risk.id)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .where(RiskAnalysis.asset_id.in_(protected_asset_ids()))
    )


def protected_action_ids() -> Select:
    """The ids of the actions on risks of säkerhetsskydd assets (found through the action index
    that starts with risk_id; uncorrelated, whatever the enclosing query reads)."""
    action = aliased(Action, name="protected_action")
    return select(action.id).where(action.risk_id.in_(protected_risk_ids())).correlate(None)


def shown_asset(role: str, asset=Asset) -> ColumnElement[bool] | None:
    """Rows of ``asset`` (the Asset entity or an alias, possibly outer-joined: no asset is
    shown) that ``role`` may see."""
    if may_see_protected(role):
        return None
    return or_(asset.id.is_(None), asset.security_protection.is_(False))


def shown_asset_id(role: str, asset_id: ColumnElement) -> ColumnElement[bool] | None:
    """Rows whose ``asset_id`` column (nullable) is not a säkerhetsskydd asset's, for ``role``."""
    if may_see_protected(role):
        return None
    return or_(asset_id.is_(None), asset_id.notin_(protected_asset_ids()))


def shown_risk_id(role: str, risk_id: ColumnElement) -> ColumnElement[bool] | None:
    """Rows whose ``risk_id`` column (nullable) is not a risk of a säkerhetsskydd asset."""
    if may_see_protected(role):
        return None
    return or_(risk_id.is_(None), risk_id.notin_(protected_risk_ids()))


def shown_action(role: str, action=Action) -> ColumnElement[bool] | None:
    """Actions ``role`` may see: not on a risk of a säkerhetsskydd asset.

    Tested on the action's id, not its risk_id: every index of the action table holds the id,
    so a list read from an index needs no row fetch per action (on risk_id the national actions
    grid took 450 ms instead of 95 for its first block on SQLite)."""
    if may_see_protected(role):
        return None
    return action.id.notin_(protected_action_ids())


__all__ = [
    "PROTECTED_ROLES",
    "may_see_protected",
    "protected_action_ids",
    "protected_asset_ids",
    "protected_risk_ids",
    "shown_action",
    "shown_asset",
    "shown_asset_id",
    "shown_risk_id",
]
