"""Store adapters: SQLite (the default) and Elasticsearch, with the query language they share.

Both implement ``core.ports.Store``. ``ElasticsearchStore`` imports the optional
``elasticsearch`` client only when first used.
"""

from indexing.elasticsearch import ElasticsearchStore
from indexing.records import item_to_record, record_to_item
from indexing.sqlite import SqliteStore

__all__ = ["ElasticsearchStore", "SqliteStore", "item_to_record", "record_to_item"]
