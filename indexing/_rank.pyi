"""Types of the compiled ``indexing._rank`` (indexing/_rank.c)."""

def register() -> None:
    """Register ``pd_rank`` on every SQLite connection opened from now on (idempotent)."""

def library_version() -> str:
    """The version of the libsqlite3 the module is linked to."""
