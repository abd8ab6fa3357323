"""Pages of the analysts' and units' workspace: dashboard, review queue, unit inbox, item corrections.

Each page lives in its own small module (``api.workspace_*``); this router gathers them so
the app factory registers the workspace with one line.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api import workspace_dashboard, workspace_inbox, workspace_review

router = APIRouter(default_response_class=HTMLResponse)
router.include_router(workspace_dashboard.router)
router.include_router(workspace_review.router)
router.include_router(workspace_inbox.router)
