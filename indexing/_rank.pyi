"""Types of the compiled ``indexing._rank`` (indexing/_rank.c)."""

def register() -> None:
    """Register ``pd_rank`` on every SQLite connection opened from now on (idempotent)."""

def library_version() -> str:
    """The version of the libsqlite3 the module is linked to."""

def lengths(key: int, array: object, /) -> None:
    """Register ``array`` (numpy int32 by rowid, -1 unknown) as the row lengths ``pd_rank`` reads under ``key``.

    ``None`` forgets the key's array.
    """
