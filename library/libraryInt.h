/*
 * libraryInt.h - what the files of library/ share among themselves and
 * nobody else includes: the handle, the SQLite helpers (prepare and bind
 * in one call, step, errors), the audit writer and the story loader.
 *
 * Calls between the files go one way, from the top of this list down;
 * a file calls only files listed below it (and core/):
 *
 *   open.c        creating and opening a library, migrations
 *   backup.c      a consistent copy of the catalogue (SQLite's online backup)
 *   export.c      the catalogue as JSON
 *   invite.c      invitations to submit (tokens stored hashed)
 *   import.c      the import's one write transaction
 *   peer.c        peers on the web: receipts, messages, revisions,
 *                 withdrawal by channel, erasure requests; feedback
 *   settings.c    hearth.yaml: reading, importing, the podcast GUID
 *   bundle.c      reading story bundles and collection files
 *   public.c      the public view
 *   cache.c       dropping cached renditions by their original's hash
 *   erase.c       erasing a story; a story's objects in the store
 *   workflow.c    review moves, publishing, consent, the peer's
 *                 confirmation; reading the audit log
 *   collection.c  collections
 *   story.c       loading, importing and submitting stories
 *   store.c       the store of originals
 *   editor.c      editors (Argon2id) and their sessions
 *   db.c          statements, transactions, the audit writer
 *   status.c      the tables: statuses, attribution and byline, roles
 *   lock.c        the build lock
 *
 * (lib_clock, a formatter for messages, is the one exception: story.c
 * borrows it from bundle.c until it has a home in core/.)
 *
 * Binding uses a small type string, one letter per parameter:
 *   s  const char *  (NULL binds NULL)
 *   i  int
 *   I  int64_t
 *   z  int64_t, where 0 binds NULL (an unset time)
 *   d  double
 *   b  bool (passed as int)
 */
#ifndef HEARTH_LIBRARY_INT_H
#define HEARTH_LIBRARY_INT_H

#include "library.h"

#include <sqlite3.h>

struct hearth_lib {
	sqlite3 *db;
	char *dir;
	char *actor;
	int depth; /* open transactions: 0 none, 1 BEGIN, >1 SAVEPOINTs */
	bool writing;             /* the outermost transaction is a write */
	int64_t changes_at_begin; /* sqlite3_total_changes64 when it began */
	bool read_only;           /* opened with lib_open_opts.read_only */
	void (*waiting)(void *);  /* told once when a lock makes us wait */
	void *waiting_arg;
	bool told_waiting;
	int64_t busy_since;       /* ms, when the current wait began */
	/*
	 * lib_db_exec's and lib_db_int's statements, kept prepared for the
	 * life of the handle (an import runs the same few for every story);
	 * found by their SQL text. lib_db_cache_free finalizes them.
	 */
	struct lib_cached_stmt {
		char *sql; /* a copy of the statement's text */
		sqlite3_stmt *st;
	} cache[48];
	size_t n_cache;
};

/* The namespace of story item GUIDs: uuid5(this, "story:" + slug). */
#define LIB_STORY_NS "d6d024d8-e448-4f80-8b1e-9c0d5ef293e4"
/* The Podcasting 2.0 namespace for podcast GUIDs. */
#define LIB_PODCAST_NS "ead4c236-bf58-58c6-a2c6-a6b28d128cb6"

/* ---- open.c ------------------------------------------------------------ */

/* SQLite's settings for the whole process; called before any connection is made. */
void lib_db_setup(void);

/* ---- db.c: statements, transactions, the audit writer ------------------ */

/* Fills err with what SQLite said about the last call; returns HEARTH_EDB. */
int lib_db_fail(hearth_lib *lib, struct hearth_err *err, const char *what);

/* Prepares sql and binds the parameters described by types; *st is new, finalize it. */
int lib_db_prepare(hearth_lib *lib, struct hearth_err *err, sqlite3_stmt **st,
		   const char *sql, const char *types, ...);

/* Finalizes the statements lib_db_exec and lib_db_int keep; before closing. */
void lib_db_cache_free(hearth_lib *lib);

/* 1 for a row, 0 when done, or a negative HEARTH_EDB. */
int lib_db_step(hearth_lib *lib, sqlite3_stmt *st, struct hearth_err *err);

/* Runs one statement that returns no rows. */
int lib_db_exec(hearth_lib *lib, struct hearth_err *err, const char *sql,
		const char *types, ...);

/*
 * Runs a query for one integer: 1 and *out set when a row came back, 0 when
 * none did, or a negative code.
 */
int lib_db_int(hearth_lib *lib, struct hearth_err *err, int64_t *out,
	       const char *sql, const char *types, ...);

/*
 * Like lib_db_prepare, but the statement is kept prepared on the handle,
 * as lib_db_exec's are (a query an import runs for every story): borrowed,
 * valid until lib_db_done(lib, *st), which every success must be paired
 * with before the next use of the same SQL.
 */
int lib_db_query(hearth_lib *lib, struct hearth_err *err, sqlite3_stmt **st,
		 const char *sql, const char *types, ...);
/* Resets (or, when it was not kept, finalizes) a statement of lib_db_query. */
void lib_db_done(hearth_lib *lib, sqlite3_stmt *st);

/*
 * Around one pass over many pages, each read once (a listing, the import's
 * look at every bundle's record): SQLite keeps a few pages instead of its
 * default 2,000 KiB, so the pass reuses their memory. New memory is what
 * such a pass cost most: a page of it is dearer than reading a page.
 * lib_db_scan_end gives the default back.
 */
int lib_db_scan_begin(hearth_lib *lib, struct hearth_err *err);
int lib_db_scan_end(hearth_lib *lib, struct hearth_err *err);

/*
 * Copies the write-ahead log back into hearth.db and empties it, as far
 * as it can without waiting: pages a reader of an older snapshot still
 * needs stay in the log until a later checkpoint.
 */
void lib_db_checkpoint(hearth_lib *lib);

/*
 * The query of the view's stories (public.c), here for the test that
 * keeps it on its index: it takes ?1, the time now.
 */
extern const char lib_view_stories_sql[];

/* A copy of column i, NULL when it is NULL; new allocation. */
char *lib_col_str(sqlite3_stmt *st, int i);


/*
 * In the outermost write transaction, says that what it has written so far
 * does not change the catalogue's generation (bookkeeping a build does
 * for itself); later writes in it still do.
 */
void lib_db_not_a_change(hearth_lib *lib);

/*
 * Makes sure libsodium is initialised (sodium_init, once per process; safe
 * to call again) before any of its calls.
 */
int lib_crypto_ready(struct hearth_err *err);

/*
 * The hex BLAKE2b-256 of a secret token (n bytes), as the catalogue keeps
 * receipts and sessions. Call lib_crypto_ready first.
 */
void lib_token_hash(const char *token, size_t n, char hex[65]);

/*
 * A new random token of `bytes` random bytes in URL-safe base64 without
 * padding; new allocation. Call lib_crypto_ready first.
 */
char *lib_token_new(size_t bytes);

/* Appends a row to the audit log, by the current actor at hearth_now(). */
int lib_audit_add(hearth_lib *lib, int64_t story_id, const char *action,
		  const char *detail, struct hearth_err *err);

/* ---- settings.c -------------------------------------------------------- */

/* Writes the commented default hearth.yaml to path (atomically). */
int lib_settings_write_default(const char *path, struct hearth_err *err);
/*
 * The settings in text (n bytes, named name in messages) into *out, the
 * defaults for what it leaves out; no podcast GUID. On failure *out holds
 * nothing to release. (The reader of hearth.yaml; the fuzz target
 * tests/fuzz/fuzz_settings.c calls it on any bytes.)
 */
int lib_settings_parse(const char *text, size_t n, const char *name,
		       struct lib_settings *out, struct hearth_err *err);

/* ---- bundle.c ---------------------------------------------------------- */

/*
 * Resolves rel (a field's file, already checked with path_is_safe_rel)
 * inside dir: it must exist, be a regular file and, after links are
 * followed, still lie inside dir. Returns the joined path (new allocation)
 * in *out. Messages start with "<where>: <field>: ".
 */
int lib_file_inside(const char *dir, const char *rel, const char *where,
		    const char *field, char **out, struct hearth_err *err);

/* ---- workflow.c -------------------------------------------------------- */

/*
 * Adds a message on story id (nothing when body is NULL or empty), inside
 * the caller's transaction; checked against LIB_MAX_MESSAGE_CHARS.
 */
int lib_message_write(hearth_lib *lib, int64_t id, bool from_peer, const char *body,
		      struct hearth_err *err);

/* ---- story.c ----------------------------------------------------------- */

/*
 * A receipt code as it is hashed: the 32 base32 letters in upper case,
 * with spaces and dashes dropped, into out. False when code is not one.
 */
bool lib_receipt_normalize(const char *code, char out[33]);

/*
 * Writes in's assets as the story's (table assets) or as its pending
 * revision's (revision_assets, pending set), replacing what was there.
 */
int lib_story_write_assets(hearth_lib *lib, int64_t id, const struct lib_story *in,
			   bool pending, struct hearth_err *err);

/*
 * Looks a story up by slug: its id and status. HEARTH_ENOENT names the
 * slug when there is none.
 */
int lib_story_find(hearth_lib *lib, const char *slug, int64_t *id,
		   enum lib_status *status, struct hearth_err *err);

/*
 * Loads every story that stmt selects. stmt must select LIB_STORY_COLS
 * first; it is stepped to the end but not finalized. Returns a new array
 * in *out, free with lib_story_list_free.
 */
int lib_story_load_all(hearth_lib *lib, sqlite3_stmt *stmt, struct lib_story ***out,
		       size_t *n, struct hearth_err *err);

/*
 * The columns lib_story_load_all reads, and the joins they need.
 * LIB_STORY_COLS_WITH(body) reads the expression body in the body's place
 * ("NULL": a story loaded without its body).
 */
#define LIB_STORY_COLS LIB_STORY_COLS_WITH("s.body")
#define LIB_STORY_COLS_WITH(body)                                               \
	"s.id, s.slug, s.guid, s.title, s.summary, " body ", s.status, "        \
	"s.published_at, s.created_at, s.updated_at, p.name, p.pseudonym, "     \
	"p.attribution, p.contact, c.site, c.podcast, c.given_at, "             \
	"c.recorded_by, c.note, c.withdrawn_at, s.review_note, s.language, "    \
	"s.license, s.season, s.episode, s.source_hash "
#define LIB_STORY_FROM                                                          \
	"FROM stories s LEFT JOIN people p ON p.id = s.person_id "             \
	"LEFT JOIN consent c ON c.story_id = s.id "

/* story.c: a story's title (present, not too long), summary (not too
 * long), terms (LIB_MAX_TERMS of each kind at most, each within
 * LIB_MAX_TERM_CHARS) and pieces of art (LIB_MAX_ART at most), whoever
 * sends them; messages name slug. */
int lib_check_words(const struct lib_story *in, const char *slug, struct hearth_err *err);

#endif
