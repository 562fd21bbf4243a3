/*
 * db.c - the bottom of library/: statements and transactions. The
 * prepare-and-bind helpers every other file uses, nested transactions (and
 * lib_end, the one way to close one), the catalogue's generation and the
 * audit writer. Everything above it speaks through lib_db_* and never
 * builds SQL from strings. Opening a catalogue and its schema are open.c's.
 */
#include "libraryInt.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ----------------------------------------------------------- */

int lib_db_fail(hearth_lib *lib, struct hearth_err *err, const char *what)
{
	return herr(err, HEARTH_EDB, "catalogue: %s: %s", what,
		    lib && lib->db ? sqlite3_errmsg(lib->db) : "no database");
}

static int bind_args(sqlite3_stmt *st, const char *types, va_list ap)
{
	int rc = SQLITE_OK;
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		int k = i + 1;
		switch (types[i]) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, k, s, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, k);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int(st, k, va_arg(ap, int));
			break;
		case 'b':
			rc = sqlite3_bind_int(st, k, va_arg(ap, int) ? 1 : 0);
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, k, va_arg(ap, int64_t));
			break;
		case 'z': {
			int64_t v = va_arg(ap, int64_t);
			rc = v ? sqlite3_bind_int64(st, k, v) : sqlite3_bind_null(st, k);
			break;
		}
		case 'd':
			rc = sqlite3_bind_double(st, k, va_arg(ap, double));
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	return rc;
}

static int prepare_v(hearth_lib *lib, struct hearth_err *err, sqlite3_stmt **st,
		     const char *sql, const char *types, va_list ap)
{
	*st = NULL;
	if (sqlite3_prepare_v2(lib->db, sql, -1, st, NULL) != SQLITE_OK)
		return lib_db_fail(lib, err, "cannot prepare a statement");
	if (bind_args(*st, types, ap) != SQLITE_OK) {
		int rc = lib_db_fail(lib, err, "cannot bind a value");
		sqlite3_finalize(*st);
		*st = NULL;
		return rc;
	}
	return 0;
}

int lib_db_prepare(hearth_lib *lib, struct hearth_err *err, sqlite3_stmt **st,
		   const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	int rc = prepare_v(lib, err, st, sql, types, ap);
	va_end(ap);
	return rc;
}

int lib_db_step(hearth_lib *lib, sqlite3_stmt *st, struct hearth_err *err)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return lib_db_fail(lib, err, "the catalogue is busy (another hearth is writing)");
	return lib_db_fail(lib, err, "cannot run a statement");
}

/*
 * A statement of lib_db_exec or lib_db_int, prepared once per handle and
 * reset after each use (a reset statement holds no lock). The cache is
 * searched by SQL text; when full, statements are prepared each time.
 * *owned tells the caller to finalize st itself.
 */
static int cached_v(hearth_lib *lib, struct hearth_err *err, sqlite3_stmt **st, bool *owned,
		    const char *sql, const char *types, va_list ap)
{
	size_t i;

	*owned = false;
	for (i = 0; i < lib->n_cache; i++)
		if (!strcmp(lib->cache[i].sql, sql))
			break;
	if (i == lib->n_cache) {
		if (i == sizeof lib->cache / sizeof lib->cache[0]) {
			*owned = true;
			return prepare_v(lib, err, st, sql, types, ap);
		}
		if (sqlite3_prepare_v3(lib->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				       &lib->cache[i].st, NULL) != SQLITE_OK)
			return lib_db_fail(lib, err, "cannot prepare a statement");
		lib->cache[i].sql = xstrdup(sql);
		lib->n_cache++;
	}
	*st = lib->cache[i].st;
	if (bind_args(*st, types, ap) != SQLITE_OK) {
		int rc = lib_db_fail(lib, err, "cannot bind a value");
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return rc;
	}
	return 0;
}

static void done_with(sqlite3_stmt *st, bool owned)
{
	if (owned) {
		sqlite3_finalize(st);
	} else {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

void lib_db_cache_free(hearth_lib *lib)
{
	for (size_t i = 0; lib && i < lib->n_cache; i++) {
		sqlite3_finalize(lib->cache[i].st);
		free(lib->cache[i].sql);
	}
	if (lib)
		lib->n_cache = 0;
}

int lib_db_exec(hearth_lib *lib, struct hearth_err *err, const char *sql,
		const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	bool owned;
	va_list ap;
	va_start(ap, types);
	int rc = cached_v(lib, err, &st, &owned, sql, types, ap);
	va_end(ap);
	if (rc)
		return rc;
	while ((rc = lib_db_step(lib, st, err)) == 1)
		;
	done_with(st, owned);
	return rc;
}

int lib_db_int(hearth_lib *lib, struct hearth_err *err, int64_t *out,
	       const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	bool owned;
	va_list ap;
	va_start(ap, types);
	int rc = cached_v(lib, err, &st, &owned, sql, types, ap);
	va_end(ap);
	if (rc)
		return rc;
	rc = lib_db_step(lib, st, err);
	if (rc == 1)
		*out = sqlite3_column_int64(st, 0);
	done_with(st, owned);
	return rc;
}

int lib_db_query(hearth_lib *lib, struct hearth_err *err, sqlite3_stmt **st,
		 const char *sql, const char *types, ...)
{
	bool owned;
	va_list ap;
	va_start(ap, types);
	int rc = cached_v(lib, err, st, &owned, sql, types, ap);
	va_end(ap);
	return rc;
}

void lib_db_done(hearth_lib *lib, sqlite3_stmt *st)
{
	bool kept = false;
	for (size_t i = 0; i < lib->n_cache && !kept; i++)
		kept = lib->cache[i].st == st;
	done_with(st, !kept);
}

int lib_db_scan_begin(hearth_lib *lib, struct hearth_err *err)
{
	return lib_db_exec(lib, err, "PRAGMA cache_size = 32", "");
}

int lib_db_scan_end(hearth_lib *lib, struct hearth_err *err)
{
	return lib_db_exec(lib, err, "PRAGMA cache_size = -2000", ""); /* SQLite's default */
}

char *lib_col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

/* ---- transactions ------------------------------------------------------ */

/*
 * The outermost level is a real transaction (BEGIN IMMEDIATE for writers,
 * so that a second writer waits at the start instead of failing halfway);
 * inner levels are savepoints, so an inner failure can be undone alone.
 */
static int txn_begin(hearth_lib *lib, bool immediate, struct hearth_err *err)
{
	const char *sql = lib->depth > 0 ? "SAVEPOINT hearth"
			  : immediate    ? "BEGIN IMMEDIATE"
					 : "BEGIN";
	if (immediate && lib->read_only)
		return herr(err, HEARTH_EDB,
			    "catalogue: '%s' is open read-only (the library or hearth.db "
			    "cannot be written)",
			    lib->dir);
	if (lib->depth > 0) { /* prepared once: an import opens one per story */
		if (lib_db_exec(lib, err, sql, ""))
			return herr_prefix(err, "cannot start a transaction");
	} else if (sqlite3_exec(lib->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return lib_db_fail(lib, err, "cannot start a transaction");
	if (lib->depth == 0) {
		lib->writing = immediate;
		lib->changes_at_begin = sqlite3_total_changes64(lib->db);
	}
	lib->depth++;
	return 0;
}

/*
 * The generation counts the write transactions that changed something, so
 * a build can tell whether the catalogue moved under it. It is bumped as
 * the last statement of the outermost write transaction, so it commits
 * with the change it counts or not at all.
 */
static int bump_generation(hearth_lib *lib, struct hearth_err *err)
{
	if (!lib->writing || sqlite3_total_changes64(lib->db) == lib->changes_at_begin)
		return 0;
	return lib_db_exec(lib, err,
			   "INSERT INTO settings (key, value) VALUES ('generation', 1) "
			   "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
			   "");
}

void lib_db_not_a_change(hearth_lib *lib)
{
	if (lib->depth == 1 && lib->writing)
		lib->changes_at_begin = sqlite3_total_changes64(lib->db);
}

int lib_generation(hearth_lib *lib, int64_t *gen, struct hearth_err *err)
{
	int64_t v = 0;
	int rc = lib_db_int(lib, err, &v, "SELECT value FROM settings WHERE key = 'generation'",
			    "");
	if (rc < 0)
		return rc;
	*gen = rc == 1 ? v : 0;
	return 0;
}

int lib_begin(hearth_lib *lib, struct hearth_err *err)
{
	return txn_begin(lib, true, err);
}

int lib_begin_read(hearth_lib *lib, struct hearth_err *err)
{
	return txn_begin(lib, false, err);
}

int lib_commit(hearth_lib *lib, struct hearth_err *err)
{
	if (lib->depth <= 0)
		return herr(err, HEARTH_EDB, "catalogue: commit without a transaction");
	if (lib->depth > 1) {
		if (lib_db_exec(lib, err, "RELEASE hearth", "")) {
			int rc = herr_prefix(err, "cannot commit");
			lib_rollback(lib);
			return rc;
		}
		lib->depth--;
		return 0;
	}
	int brc = bump_generation(lib, err);
	if (brc) {
		lib_rollback(lib);
		return brc;
	}
	if (sqlite3_exec(lib->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = lib_db_fail(lib, err, "cannot commit");
		lib_rollback(lib);
		return rc;
	}
	lib->depth = 0;
	return 0;
}

void lib_rollback(hearth_lib *lib)
{
	if (!lib || lib->depth <= 0)
		return;
	if (lib->depth == 1)
		sqlite3_exec(lib->db, "ROLLBACK", NULL, NULL, NULL);
	else
		sqlite3_exec(lib->db, "ROLLBACK TO hearth; RELEASE hearth", NULL, NULL, NULL);
	lib->depth--;
}

int lib_end(hearth_lib *lib, int rc, struct hearth_err *err)
{
	if (rc) {
		lib_rollback(lib);
		return rc;
	}
	return lib_commit(lib, err);
}

/* ---- libsodium --------------------------------------------------------- */

int lib_crypto_ready(struct hearth_err *err)
{
	/* 0 the first time, 1 when already done, -1 when it cannot start */
	if (sodium_init() < 0)
		return herr(err, HEARTH_EIO, "cannot initialise libsodium (no source of randomness?)");
	return 0;
}

void lib_token_hash(const char *token, size_t n, char hex[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, n, NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof h);
	sodium_memzero(h, sizeof h);
}

char *lib_token_new(size_t bytes)
{
	unsigned char *raw = xmalloc(bytes);
	size_t len = sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *tok = xmalloc(len);
	randombytes_buf(raw, bytes);
	sodium_bin2base64(tok, len, raw, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, bytes);
	free(raw);
	return tok;
}

/* ---- audit log --------------------------------------------------------- */

int lib_audit_add(hearth_lib *lib, int64_t story_id, const char *action,
		  const char *detail, struct hearth_err *err)
{
	return lib_db_exec(lib, err,
			   "INSERT INTO audit (story_id, at, actor, action, detail) "
			   "VALUES (?1, ?2, ?3, ?4, ?5)",
			   "zIsss", story_id, hearth_now(), lib->actor, action, detail);
}
