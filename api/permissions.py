"""Who may do what: one permission per kind of action, and the roles that hold each.

Kept as data so the role matrix in the tests, the docs and the code are the same table.
"""

from __future__ import annotations

from enum import StrEnum

from api.accounts import Role


class Permission(StrEnum):
    """A kind of action a route performs."""

    SEARCH = "search"  # search coverage, open items
    EXPORT = "export"  # export result sets
    LABEL = "label"  # correct labels, work the review queue
    SAVED_SEARCHES = "saved_searches"  # keep searches, turn them into alerts
    ALERTS_ALL = "alerts_all"  # see and answer every unit's alerts
    ALERTS_OWN_UNIT = "alerts_own_unit"  # see and answer the account's own unit's alerts
    REPORTS = "reports"  # dashboard and reports
    AUDIT = "audit"  # read the audit log
    SOURCES = "sources"  # see source health
    FACTCHECKS = "factchecks"  # enter fact-checks and official corrections
    ADMIN = "admin"  # sources, units and accounts


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.ANALYST: frozenset(
        {
            Permission.SEARCH,
            Permission.EXPORT,
            Permission.LABEL,
            Permission.SAVED_SEARCHES,
            Permission.ALERTS_ALL,
            Permission.REPORTS,
            Permission.SOURCES,
            Permission.FACTCHECKS,
        }
    ),
    Role.RESPONDER: frozenset({Permission.ALERTS_OWN_UNIT}),
    Role.LEADER: frozenset({Permission.REPORTS, Permission.AUDIT, Permission.ALERTS_ALL}),
}


def allows(role: Role, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission``."""
    return permission in ROLE_PERMISSIONS[role]
