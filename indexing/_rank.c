/*
 * pd_rank: FTS5's bm25, given each phrase's document count instead of counting it.
 *
 * FTS5's own bm25() finds how many rows hold each phrase of the query by running that
 * phrase over the whole table (xQueryPhrase), on every query, before it scores a single
 * row. At a million items that is a third of a boolean search's time. The store keeps
 * those counts between writes (indexing/sqlite_rank.py) and passes them in:
 *
 *     pd_rank(items_fts, weight_0, ..., weight_{columns-1}, count_0, ..., count_{phrases-1})
 *
 * Everything else is bm25() as SQLite 3.40's fts5_aux.c computes it, in the same order of
 * floating-point operations, so the scores are the same numbers: k1 1.2, b 0.75, the
 * inverse document frequency log((N - n + 0.5) / (n + 0.5)) floored at 1e-6, a row's
 * length and the average length over all columns, and the result negated (smaller is
 * better, as bm25() returns it).
 *
 * A row's length is read from the table's docsize record, one SQL lookup per row: at a
 * million items that was four fifths of pd_rank's own time. The store keeps every row's
 * length in memory instead (indexing/sqlite_lengths.py, read with pd_length below) and
 * registers the array under a key with lengths(); the SQL names the key first:
 *
 *     pd_rank(items_fts, key, weight_0, ..., count_0, ...)
 *
 * A row the array does not cover (or marks -1), or a key with no array, is looked up as
 * bm25() does, so a stale or missing array costs time, never a different score.
 *
 * The function is registered on every SQLite connection the process opens afterwards
 * through sqlite3_auto_extension. That reaches Python's sqlite3 module only when both use
 * the same libsqlite3 (the shared system library); indexing/sqlite_rank.py checks on a
 * real connection and falls back to bm25() otherwise. pd_pairs, below, registers with it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

/*
 * Row lengths registered by the store: key -> a buffer of native ints indexed by rowid.
 * The store replaces a key's buffer only under its own lock, which every search that
 * names the key also holds, so a buffer a running query has picked up stays alive.
 */
#define MAX_LENGTHS 256 /* stores open at once in one process; past that, lengths are looked up */
typedef struct {
  long long key;
  int used;
  Py_buffer view;
} Lengths;
static Lengths registered[MAX_LENGTHS];

static void find_lengths(long long key, const int **out, sqlite3_int64 *count) {
  sqlite3_mutex *mutex = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_APP1);
  *out = 0;
  *count = 0;
  sqlite3_mutex_enter(mutex);
  for (int i = 0; i < MAX_LENGTHS; i++) {
    if (registered[i].used && registered[i].key == key) {
      *out = (const int *)registered[i].view.buf;
      *count = (sqlite3_int64)(registered[i].view.len / (Py_ssize_t)sizeof(int));
      break;
    }
  }
  sqlite3_mutex_leave(mutex);
}

typedef struct {
  int nPhrase;
  const int *aLen; /* each row's length by rowid (from lengths()), or NULL */
  sqlite3_int64 nLen;
  double avgdl;
  double *aIDF;  /* nPhrase values */
  double *aFreq; /* nPhrase values, reset for each row */
} RankData;

static int rank_data(const Fts5ExtensionApi *api, Fts5Context *fts, int nVal, sqlite3_value **apVal, RankData **out) {
  RankData *p = (RankData *)api->xGetAuxdata(fts, 0);
  if (p) {
    *out = p;
    return SQLITE_OK;
  }
  int nCol = api->xColumnCount(fts);
  int nPhrase = api->xPhraseCount(fts);
  if (nVal != 1 + nCol + nPhrase) return SQLITE_ERROR;
  p = (RankData *)sqlite3_malloc64(sizeof(RankData) + sizeof(double) * 2 * (sqlite3_int64)nPhrase);
  if (!p) return SQLITE_NOMEM;
  memset(p, 0, sizeof(RankData) + sizeof(double) * 2 * (sqlite3_int64)nPhrase);
  p->nPhrase = nPhrase;
  p->aIDF = (double *)&p[1];
  p->aFreq = &p->aIDF[nPhrase];
  find_lengths(sqlite3_value_int64(apVal[0]), &p->aLen, &p->nLen);
  sqlite3_int64 nRow = 0, nToken = 0;
  int rc = api->xRowCount(fts, &nRow);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &nToken);
  if (rc == SQLITE_OK && nRow > 0) p->avgdl = (double)nToken / (double)nRow;
  for (int i = 0; rc == SQLITE_OK && i < nPhrase; i++) {
    sqlite3_int64 nHit = sqlite3_value_int64(apVal[1 + nCol + i]);
    double idf = log((nRow - nHit + 0.5) / (nHit + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    p->aIDF[i] = idf;
  }
  if (rc == SQLITE_OK) rc = api->xSetAuxdata(fts, p, sqlite3_free);
  if (rc != SQLITE_OK) {
    sqlite3_free(p);
    return rc;
  }
  *out = p;
  return SQLITE_OK;
}

static void pd_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nVal, sqlite3_value **apVal) {
  const double k1 = 1.2;
  const double b = 0.75;
  RankData *p = 0;
  int rc = rank_data(api, fts, nVal, apVal, &p);
  if (rc == SQLITE_ERROR) {
    sqlite3_result_error(ctx, "pd_rank: give the lengths key, one weight per column, then one document count per phrase", -1);
    return;
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  memset(p->aFreq, 0, sizeof(double) * p->nPhrase);
  int nInst = 0;
  rc = api->xInstCount(fts, &nInst);
  for (int i = 0; rc == SQLITE_OK && i < nInst; i++) {
    int ip, ic, io;
    rc = api->xInst(fts, i, &ip, &ic, &io);
    if (rc == SQLITE_OK) p->aFreq[ip] += sqlite3_value_double(apVal[1 + ic]);
  }
  double D = 0.0;
  if (rc == SQLITE_OK) {
    sqlite3_int64 row = api->xRowid(fts);
    int nTok = (row >= 0 && row < p->nLen) ? p->aLen[row] : -1;
    if (nTok < 0) rc = api->xColumnSize(fts, -1, &nTok);
    D = (double)nTok;
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  double score = 0.0;
  for (int i = 0; i < p->nPhrase; i++) {
    score += p->aIDF[i] * ((p->aFreq[i] * (k1 + 1.0)) / (p->aFreq[i] + k1 * (1 - b + b * D / p->avgdl)));
  }
  sqlite3_result_double(ctx, -1.0 * score);
}

/*
 * pd_pairs(doc, score): an aggregate that packs every (doc, score) pair it is given into
 * one BLOB of native doubles, doc first. Handing 250,000 matches to Python as a tuple
 * each cost about 0.45 us a row, a fifth of a broad search; numpy reads the BLOB as it
 * is. doc numbers are far below 2**53, so they pass through a double exactly.
 */
typedef struct {
  double *aPair;
  sqlite3_int64 nUsed;
  sqlite3_int64 nAlloc;
} Pairs;

static void pairs_step(sqlite3_context *ctx, int nArg, sqlite3_value **apArg) {
  (void)nArg;
  Pairs *p = (Pairs *)sqlite3_aggregate_context(ctx, sizeof(Pairs));
  if (!p) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (p->nUsed + 2 > p->nAlloc) {
    sqlite3_int64 nNew = p->nAlloc ? p->nAlloc * 2 : 8192;
    double *aNew = (double *)sqlite3_realloc64(p->aPair, sizeof(double) * (sqlite3_uint64)nNew);
    if (!aNew) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    p->aPair = aNew;
    p->nAlloc = nNew;
  }
  p->aPair[p->nUsed++] = sqlite3_value_double(apArg[0]);
  p->aPair[p->nUsed++] = sqlite3_value_double(apArg[1]);
}

static void pairs_final(sqlite3_context *ctx) {
  Pairs *p = (Pairs *)sqlite3_aggregate_context(ctx, 0);
  if (!p || p->nUsed == 0) {
    if (p) sqlite3_free(p->aPair);
    sqlite3_result_zeroblob(ctx, 0);
    return;
  }
  /* SQLite takes the buffer and frees it when the value is gone. */
  sqlite3_result_blob64(ctx, p->aPair, sizeof(double) * (sqlite3_uint64)p->nUsed, sqlite3_free);
  p->aPair = 0;
}

/*
 * pd_length(sz): the sum of the varints in an FTS5 docsize record, one per column: the
 * row length pd_rank would otherwise look up (xColumnSize(-1)). NULL or a malformed
 * record gives -1 (the row is then looked up).
 */
static void pd_length(sqlite3_context *ctx, int nArg, sqlite3_value **apArg) {
  (void)nArg;
  const unsigned char *a = (const unsigned char *)sqlite3_value_blob(apArg[0]);
  int n = sqlite3_value_bytes(apArg[0]);
  if (!a) {
    sqlite3_result_int(ctx, -1);
    return;
  }
  sqlite3_int64 total = 0;
  int i = 0;
  while (i < n) {
    sqlite3_uint64 v = 0;
    int j = 0;
    for (; j < 9 && i < n; j++) {
      unsigned char c = a[i++];
      if (j == 8) {
        v = (v << 8) | c;
        break;
      }
      v = (v << 7) | (c & 0x7f);
      if (!(c & 0x80)) break;
    }
    if (j == 9 || (i == n && j < 8 && (a[i - 1] & 0x80))) {
      sqlite3_result_int(ctx, -1);
      return;
    }
    total += (sqlite3_int64)v;
  }
  sqlite3_result_int64(ctx, total > 0x7fffffff ? -1 : total);
}

/*
 * pd_word_pairs(text): every two neighbouring words of text as one token, space-separated,
 * the two joined by U+E000: what indexing/sqlite_fts.py's word_pairs() makes in Python,
 * character for character. A word is a run of characters Python's re counts as [^\W_]
 * (Py_UNICODE_ISALNUM: a table lookup, no interpreter state, safe without the GIL).
 * Computed here the pairs never cross into Python and back as JSON: on 100,000 bench
 * items that round trip cost more than the pairs' own indexing (bench/README.md).
 */
static int next_code_point(const unsigned char *a, int n, int *i, Py_UCS4 *out) {
  unsigned char c = a[*i];
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || *i + len > n) {
    *i += 1;
    *out = 0xfffd; /* not a letter: SQLite text from Python is valid UTF-8, this is never reached */
    return 0;
  }
  Py_UCS4 cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (int k = 1; k < len; k++) cp = (cp << 6) | (a[*i + k] & 0x3f);
  *i += len;
  *out = cp;
  return 1;
}

static void pd_word_pairs(sqlite3_context *ctx, int nArg, sqlite3_value **apArg) {
  (void)nArg;
  const unsigned char *a = sqlite3_value_text(apArg[0]);
  int n = sqlite3_value_bytes(apArg[0]);
  if (!a) {
    sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
    return;
  }
  /* Each word is copied at most twice, plus a 3-byte joiner and a space per pair. */
  char *out = (char *)sqlite3_malloc64((sqlite3_uint64)n * 2 + 16 + (sqlite3_uint64)n * 4);
  if (!out) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_int64 used = 0;
  int prev_start = -1, prev_end = -1, i = 0;
  while (i < n) {
    int start = i;
    Py_UCS4 cp;
    next_code_point(a, n, &i, &cp);
    if (cp == '_' || !Py_UNICODE_ISALNUM(cp)) continue;
    int end = i;
    while (i < n) {
      int at = i;
      next_code_point(a, n, &i, &cp);
      if (cp == '_' || !Py_UNICODE_ISALNUM(cp)) {
        i = at;
        break;
      }
      end = i;
    }
    if (prev_start >= 0) {
      if (used) out[used++] = ' ';
      memcpy(out + used, a + prev_start, (size_t)(prev_end - prev_start));
      used += prev_end - prev_start;
      memcpy(out + used, "\xee\x80\x80", 3); /* U+E000 */
      used += 3;
      memcpy(out + used, a + start, (size_t)(end - start));
      used += end - start;
    }
    prev_start = start;
    prev_end = end;
  }
  sqlite3_result_text64(ctx, out, (sqlite3_uint64)used, sqlite3_free, SQLITE_UTF8);
}

static int on_open(sqlite3 *db, char **error, const void *thunk) {
  (void)error;
  (void)thunk;
  fts5_api *api = 0;
  sqlite3_stmt *statement = 0;
  /* A library built without FTS5 has no fts5() function: nothing to register. */
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, 0) != SQLITE_OK) return SQLITE_OK;
  sqlite3_bind_pointer(statement, 1, (void *)&api, "fts5_api_ptr", 0);
  sqlite3_step(statement);
  sqlite3_finalize(statement);
  if (api && api->iVersion >= 2) api->xCreateFunction(api, "pd_rank", 0, pd_rank, 0);
  sqlite3_create_function_v2(db, "pd_pairs", 2, SQLITE_UTF8, 0, 0, pairs_step, pairs_final, 0);
  sqlite3_create_function_v2(db, "pd_word_pairs", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, 0, pd_word_pairs, 0, 0, 0);
  sqlite3_create_function_v2(db, "pd_length", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, 0, pd_length, 0, 0, 0);
  return SQLITE_OK;
}

static PyObject *register_rank(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  int rc = sqlite3_auto_extension((void (*)(void))on_open);
  if (rc != SQLITE_OK) {
    PyErr_Format(PyExc_RuntimeError, "sqlite3_auto_extension failed (%d)", rc);
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyObject *set_lengths(PyObject *self, PyObject *args) {
  (void)self;
  long long key;
  PyObject *array;
  if (!PyArg_ParseTuple(args, "LO:lengths", &key, &array)) return NULL;
  Py_buffer view = {0};
  int have = 0;
  if (array != Py_None) {
    if (PyObject_GetBuffer(array, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return NULL;
    have = 1;
    if (view.itemsize != (Py_ssize_t)sizeof(int) || !view.format || (strcmp(view.format, "i") && strcmp(view.format, "=i") &&
                                                                      strcmp(view.format, "@i"))) {
      PyBuffer_Release(&view);
      PyErr_SetString(PyExc_ValueError, "lengths: give a C-contiguous array of native int32 (numpy.int32)");
      return NULL;
    }
  }
  Py_buffer old = {0};
  int had = 0, stored = !have;
  sqlite3_mutex *mutex = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_APP1);
  sqlite3_mutex_enter(mutex);
  for (int i = 0; i < MAX_LENGTHS; i++) {
    if (registered[i].used && registered[i].key == key) {
      old = registered[i].view;
      had = 1;
      if (have) {
        registered[i].view = view;
        stored = 1;
      } else {
        registered[i].used = 0;
      }
      break;
    }
  }
  for (int i = 0; !stored && i < MAX_LENGTHS; i++) {
    if (!registered[i].used) {
      registered[i].key = key;
      registered[i].view = view;
      registered[i].used = 1;
      stored = 1;
    }
  }
  sqlite3_mutex_leave(mutex);
  if (had) PyBuffer_Release(&old);
  if (!stored) {
    PyBuffer_Release(&view);
    PyErr_SetString(PyExc_RuntimeError, "lengths: every slot is taken; forget a key (lengths(key, None)) first");
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyObject *library_version(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  return PyUnicode_FromString(sqlite3_libversion());
}

static PyMethodDef methods[] = {
    {"register", register_rank, METH_NOARGS,
     "Register pd_rank on every SQLite connection opened from now on (idempotent)."},
    {"library_version", library_version, METH_NOARGS, "The version of the libsqlite3 this module is linked to."},
    {"lengths", set_lengths, METH_VARARGS,
     "lengths(key, array): the row lengths pd_rank uses for key (a numpy int32 array by rowid, -1 unknown); None forgets."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "indexing._rank",
                                    "bm25 for FTS5 with the phrases' document counts given (see _rank.c).", -1,
                                    methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__rank(void) { return PyModule_Create(&module); }
