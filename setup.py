"""The one compiled part: ``indexing._rank``, FTS5's bm25 given the phrases' document counts
and an aggregate that hands a search's scored matches to numpy in one piece.

Everything else about the package is in pyproject.toml. The extension is optional: without
a C compiler or SQLite's headers (Debian: gcc, libsqlite3-dev) the install still succeeds
and the SQLite store ranks with FTS5's own bm25(), the same scores at about 1.5-1.7 times
the cost once a phrase is counted (indexing/sqlite_rank.py, bench/README.md).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("indexing._rank", sources=["indexing/_rank.c"], libraries=["sqlite3"], optional=True),
    ]
)
