"""Items as JSON records: the form both stores keep an ``Item`` in.

The codec walks the dataclasses' type hints instead of naming every field, so a field
added to ``core.item`` is stored without touching this module. Reading is lenient:
keys a newer or older writer left out take the dataclass default, unknown keys are
ignored, so a store written by another pressdesk version still loads.

The embedding is not part of the record: each store keeps it beside the row in its
own vector form (a float32 BLOB, a ``dense_vector`` field).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from core.errors import StoreError
from core.item import Item, Vector

_NOT_STORED = frozenset({"embedding"})

_T = TypeVar("_T")
_HINTS: dict[type, dict[str, Any]] = {}


def item_to_record(item: Item) -> dict[str, Any]:
    """Return ``item`` as a JSON-serialisable dict, without its embedding."""
    return typing.cast(dict[str, Any], _encode(item))


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


def _encode(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name not in _NOT_STORED}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


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
