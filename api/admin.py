"""Pages of the admin and source-health pages: sources, units, fact-checks."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(default_response_class=HTMLResponse)
