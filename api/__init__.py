"""The HTTP side: app factory, JSON API, server-rendered search UI and the audit log."""

from api.app import create_app
from api.audit import AuditEntry, AuditLog

__all__ = ["AuditEntry", "AuditLog", "create_app"]
