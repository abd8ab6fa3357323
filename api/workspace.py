"""Pages of the analysts' and units' workspace pages: dashboard, review queue, unit inbox, item corrections."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(default_response_class=HTMLResponse)
