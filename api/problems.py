"""Errors as RFC 9457 problem details (``application/problem+json``), so clients get one shape."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from core.errors import EmbeddingError, QueryError, StoreError, StoreUnavailable

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, detail: str, instance: str = "", headers: Mapping[str, str] | None = None, **extra: object
) -> JSONResponse:
    """A problem+json response with the standard title for ``status``."""
    body: dict[str, object] = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def install(app: FastAPI) -> None:
    """Turn HTTP errors, invalid parameters and ``core.errors`` into problem responses."""

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else ""
        return problem(exc.status_code, detail, request.url.path, headers=exc.headers)

    async def invalid_parameters(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        reasons = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        return problem(422, "; ".join(reasons), request.url.path)

    async def invalid_query(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, QueryError)
        return problem(400, str(exc), request.url.path, position=exc.position)

    async def no_embeddings(request: Request, exc: Exception) -> JSONResponse:
        log.warning("semantic search unavailable for %s: %s", request.url.path, exc)
        return problem(503, str(exc), request.url.path)

    async def store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("store unavailable for %s: %s", request.url.path, exc)
        return problem(503, str(exc), request.url.path, headers={"Retry-After": "30"})

    async def store_failed(request: Request, exc: Exception) -> JSONResponse:
        log.error("store failed for %s: %s", request.url.path, exc)
        return problem(500, "the store failed; see the server log", request.url.path)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_parameters)
    app.add_exception_handler(QueryError, invalid_query)
    app.add_exception_handler(EmbeddingError, no_embeddings)
    app.add_exception_handler(StoreUnavailable, store_unavailable)
    app.add_exception_handler(StoreError, store_failed)
