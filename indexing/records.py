"""Items as JSON records: the form both stores keep an ``Item`` in.

The codec walks the dataclasses' type hints instead of naming every field, so a field
added to ``core.item`` is stored without touching this module. Reading is lenient:
keys a newer or older writer left out take the dataclass default, unknown keys are
ignored, so a store written by another pressdesk version still loads.

The embedding is not part of the record: each store keeps it beside the row in its
own vector form (a float32 BLOB, a ``dense_vector`` field).

Writing goes through orjson, which serialises enums, dates, tuples and strings in C and
calls back into Python only for the dataclasses: a bulk load writes a million records,
and walking each one in Python cost more than indexing its text.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import orjson

from core.errors import StoreError
from core.item import Item, Vector

_NOT_STORED = frozenset({"embedding"})
# Enums become their values and dates ISO 8601 strings with their offset, as
# ``datetime.isoformat`` writes them; numpy scalars (a model's confidences) become numbers.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS

_T = TypeVar("_T")
_HINTS: dict[type, dict[str, Any]] = {}
_STORED: dict[type, tuple[str, ...]] = {}


def item_to_json(item: Item) -> str:
    """Return ``item`` as a compact JSON object, without its embedding (the form a store writes)."""
    return orjson.dumps(item, default=_dataclass_fields, option=_OPTIONS).decode("utf-8")


def item_to_record(item: Item) -> dict[str, Any]:
    """Return ``item`` as a JSON-serialisable dict, without its embedding."""
    return typing.cast(dict[str, Any], orjson.loads(item_to_json(item)))


def record_to_item(record: dict[str, Any], embedding: Vector | None = None) -> Item:
    """Rebuild the ``Item`` written by ``item_to_record``, attaching ``embedding``.

    Raises:
        StoreError: the record does not describe an item (a damaged or foreign row).
    """
    try:
        item = _decode_dataclass(Item, record)
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"a stored item record cannot be read ({exc!r}); the store may be damaged") from exc
    return dataclasses.replace(item, embedding=embedding) if embedding is not None else item


def _dataclass_fields(value: object) -> dict[str, object]:
    """orjson's fallback: a dataclass as a dict of its stored fields, which orjson then serialises."""
    cls = type(value)
    names = _STORED.get(cls)
    if names is None:
        if not dataclasses.is_dataclass(value):
            raise TypeError(f"{cls.__name__} has no record form")
        names = _STORED[cls] = tuple(f.name for f in dataclasses.fields(value) if f.name not in _NOT_STORED)
    return {name: getattr(value, name) for name in names}


def _hints(cls: type) -> dict[str, Any]:
    # Resolving the annotations is slow; the dataclasses are few and never change.
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _decode_dataclass(cls: type[_T], raw: object) -> _T:
    if not isinstance(raw, dict):
        raise TypeError(f"{cls.__name__} record must be an object, got {type(raw).__name__}")
    hints = _hints(cls)
    kwargs = {
        f.name: _decode(hints[f.name], raw[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name in raw and f.name not in _NOT_STORED
    }
    return cls(**kwargs)


def _decode(hint: Any, raw: object) -> object:
    origin = typing.get_origin(hint)
    if origin is not None:
        return _decode_generic(hint, origin, raw)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_dataclass(hint, raw)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if hint is datetime:
        if not isinstance(raw, str):
            raise TypeError(f"expected an ISO date-time, got {raw!r}")
        return datetime.fromisoformat(raw)
    if hint is float and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if hint in (str, int, float, bool) and not isinstance(raw, hint):
        raise TypeError(f"expected {hint.__name__}, got {raw!r}")
    return raw


def _decode_generic(hint: Any, origin: Any, raw: object) -> object:
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if raw is None:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(inner, raw)
    if origin is tuple:
        if not isinstance(raw, list):
            raise TypeError(f"expected a list, got {type(raw).__name__}")
        return tuple(_decode(args[0], v) for v in raw)
    if origin is dict:
        if not isinstance(raw, dict):
            raise TypeError(f"expected an object, got {type(raw).__name__}")
        return {k: _decode(args[1], v) for k, v in raw.items()}
    raise TypeError(f"no record form for {hint!r}")
