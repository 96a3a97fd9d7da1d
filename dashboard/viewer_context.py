"""Who is looking. Until login exists (issue "Access control") every visitor is the system viewer;
pages must always ask here and pass the viewer to the query layer, so scoping is in one place."""

from __future__ import annotations

from dashboard.queries.viewer import SYSTEM, Viewer


def current_viewer() -> Viewer:
    return SYSTEM
