"""Store adapters: SQLite (the default) and Elasticsearch, with the query language they share.

Both implement ``core.ports.Store``. ``ElasticsearchStore`` imports the optional
``elasticsearch`` client only when first used. ``Searcher`` adds semantic and hybrid
search and "more like this" over either; ``SavedSearchBook`` keeps analysts' searches;
``export`` and ``start_export`` write a result set as CSV or JSONL.
"""

from indexing.elasticsearch import ElasticsearchStore
from indexing.export import ExportStream, export, start_export
from indexing.hybrid import Searcher, reciprocal_rank_fusion
from indexing.records import item_to_record, record_to_item
from indexing.saved import SavedSearchBook, matching_since
from indexing.sqlite import SqliteStore

__all__ = [
    "ElasticsearchStore",
    "ExportStream",
    "SavedSearchBook",
    "Searcher",
    "SqliteStore",
    "export",
    "item_to_record",
    "matching_since",
    "reciprocal_rank_fusion",
    "record_to_item",
    "start_export",
]
