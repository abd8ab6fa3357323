"""The one compiled part: ``indexing._rank``, FTS5's bm25 given the phrases' document counts
and the rows' lengths, an aggregate that hands a search's scored matches to numpy in one
piece, and the word pairs of a text, made inside SQLite while it indexes.

Everything else about the package is in pyproject.toml. The extension is optional: without
a C compiler or SQLite's headers (Debian: gcc, libsqlite3-dev) the install still succeeds,
the SQLite store ranks with FTS5's own bm25() (the same scores, at several times the cost
on a large store) and makes the word pairs in Python, character for character the same
(indexing/sqlite_rank.py, indexing/sqlite_fts.py, bench/README.md).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("indexing._rank", sources=["indexing/_rank.c"], libraries=["sqlite3"], optional=True),
    ]
)
