/*
 * open.c - creating and opening a library: the folder, hearth.db and its
 * schema as numbered migrations, how a command waits for another hearth
 * that is writing, read-only opening, and the handle's accessors. It sits
 * on top of db.c (statements and transactions) and settings.c (the default
 * hearth.yaml a new library gets).
 */
#include "libraryInt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a command waits for another hearth that is writing, in all. */
#define BUSY_LIMIT_MS 60000
/* How long it waits before it says so. */
#define BUSY_TELL_MS 1000

/*
 * The schema, one migration per version. Migration i brings a catalogue
 * from user_version i to i + 1 and ends by setting user_version itself.
 * Never edit a migration that has shipped; add a new one. Columns marked
 * PRIVATE never leave the library except in a private export.
 */
static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE people (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT, -- PRIVATE unless attribution is 'name'\n"
	"  pseudonym TEXT,\n"
	"  attribution TEXT NOT NULL DEFAULT 'anonymous'\n"
	"    CHECK (attribution IN ('name', 'pseudonym', 'anonymous')),\n"
	"  contact TEXT -- PRIVATE\n"
	");\n"
	"CREATE TABLE stories (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  slug TEXT NOT NULL UNIQUE,\n"
	"  guid TEXT NOT NULL UNIQUE,\n"
	"  title TEXT NOT NULL,\n"
	"  summary TEXT,\n"
	"  body TEXT NOT NULL DEFAULT '',\n"
	"  status TEXT NOT NULL DEFAULT 'submitted'\n"
	"    CHECK (status IN ('submitted', 'in_review', 'changes_requested',\n"
	"                      'approved', 'published', 'withdrawn', 'rejected')),\n"
	"  published_at INTEGER,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,\n"
	"  language TEXT NOT NULL DEFAULT 'en',\n"
	"  license TEXT,\n"
	"  season INTEGER,\n"
	"  episode INTEGER,\n"
	"  source_hash TEXT,\n"
	"  review_note TEXT -- PRIVATE\n"
	");\n"
	"CREATE INDEX stories_status ON stories (status, published_at);\n"
	"CREATE TABLE consent (\n"
	"  story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,\n"
	"  site INTEGER NOT NULL DEFAULT 0 CHECK (site IN (0, 1)),\n"
	"  podcast INTEGER NOT NULL DEFAULT 0 CHECK (podcast IN (0, 1)),\n"
	"  given_at INTEGER,\n"
	"  recorded_by TEXT, -- PRIVATE\n"
	"  note TEXT, -- PRIVATE\n"
	"  withdrawn_at INTEGER\n"
	");\n"
	"CREATE TABLE assets (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,\n"
	"  role TEXT NOT NULL CHECK (role IN ('audio', 'music', 'art', 'transcript')),\n"
	"  position INTEGER NOT NULL,\n"
	"  sha256 TEXT NOT NULL,\n"
	"  mime TEXT,\n"
	"  filename TEXT, -- PRIVATE\n"
	"  alt TEXT,\n"
	"  size INTEGER NOT NULL DEFAULT 0,\n"
	"  duration REAL NOT NULL DEFAULT 0,\n"
	"  width INTEGER NOT NULL DEFAULT 0,\n"
	"  height INTEGER NOT NULL DEFAULT 0,\n"
	"  codec TEXT,\n"
	"  sample_rate INTEGER NOT NULL DEFAULT 0,\n"
	"  channels INTEGER NOT NULL DEFAULT 0,\n"
	"  UNIQUE (story_id, role, position)\n"
	");\n"
	"CREATE TABLE story_terms (\n"
	"  story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('warning', 'theme', 'tag')),\n"
	"  position INTEGER NOT NULL,\n"
	"  value TEXT NOT NULL,\n"
	"  PRIMARY KEY (story_id, kind, position)\n"
	");\n"
	"CREATE TABLE collections (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  slug TEXT NOT NULL UNIQUE,\n"
	"  title TEXT NOT NULL,\n"
	"  description TEXT,\n"
	"  podcast INTEGER NOT NULL DEFAULT 0 CHECK (podcast IN (0, 1))\n"
	");\n"
	"CREATE TABLE collection_items (\n"
	"  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,\n"
	"  story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,\n"
	"  position INTEGER NOT NULL,\n"
	"  PRIMARY KEY (collection_id, story_id)\n"
	");\n"
	"CREATE INDEX collection_items_order ON collection_items (collection_id, position);\n"
	"CREATE TABLE audit (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL,\n"
	"  at INTEGER NOT NULL,\n"
	"  actor TEXT NOT NULL,\n"
	"  action TEXT NOT NULL,\n"
	"  detail TEXT -- PRIVATE\n"
	");\n"
	"CREATE INDEX audit_story ON audit (story_id);\n"
	"CREATE TABLE settings (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	");\n"
	"PRAGMA user_version = 1;\n",

	/* 2: chapters of a story's sound, from its front matter or its file */
	"CREATE TABLE chapters (\n"
	"  story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,\n"
	"  position INTEGER NOT NULL,\n"
	"  start REAL NOT NULL CHECK (start >= 0),\n"
	"  title TEXT NOT NULL,\n"
	"  PRIMARY KEY (story_id, position)\n"
	");\n"
	"PRAGMA user_version = 2;\n",

	/*
	 * 3: a podcast GUID made from the placeholder base_url that init writes
	 * (https://example.org, so uuid5 of "example.org/feed.xml") was shared
	 * by every library set up that way. Forget it: the next build with
	 * episodes makes it from the real address (settings.c).
	 */
	"INSERT INTO audit (at, actor, action, detail)\n"
	"  SELECT CAST(strftime('%s', 'now') AS INTEGER), 'hearth', 'settings',\n"
	"         'podcast guid ' || value || ' forgotten: it was made from the placeholder "
	"base_url; the next podcast build makes it from base_url'\n"
	"  FROM settings WHERE key = 'podcast_guid'\n"
	"    AND value = 'bab2ba12-9757-5da6-a770-0e70e6bcf214';\n"
	"DELETE FROM settings WHERE key = 'podcast_guid'\n"
	"  AND value = 'bab2ba12-9757-5da6-a770-0e70e6bcf214';\n"
	"PRAGMA user_version = 3;\n",

	/*
	 * 4: invitations to submit (hearth invite). Only a hash of each token
	 * is kept: the link is shown once and cannot be recovered. uses_left
	 * NULL means unlimited; expires_at NULL means never.
	 */
	"CREATE TABLE invites (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),\n"
	"  note TEXT, -- PRIVATE\n"
	"  created_at INTEGER NOT NULL,\n"
	"  created_by TEXT NOT NULL,\n"
	"  expires_at INTEGER,\n"
	"  uses_left INTEGER CHECK (uses_left IS NULL OR uses_left >= 0),\n"
	"  revoked_at INTEGER\n"
	");\n"
	"PRAGMA user_version = 4;\n",

	/*
	 * 5: peers and editors on the web (hearth serve). A story keeps the
	 * hash of its receipt code, its version (raised by every change of
	 * content), the version an editor approved and the one the peer
	 * confirmed, whether publishing waits for that confirmation, how it
	 * came in and when the peer asked for erasure. Messages for the peer
	 * are apart from the private review notes. A published story may hold
	 * one pending revision (content and files) until an editor decides.
	 * Feedback, editors (Argon2id hashes) and their sessions (hashed
	 * tokens) have tables of their own.
	 */
	"ALTER TABLE stories ADD COLUMN receipt_hash TEXT\n"
	"  CHECK (receipt_hash IS NULL OR length(receipt_hash) = 64);\n"
	"ALTER TABLE stories ADD COLUMN version INTEGER NOT NULL DEFAULT 1\n"
	"  CHECK (version >= 1);\n"
	"ALTER TABLE stories ADD COLUMN approved_version INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE stories ADD COLUMN confirmed_version INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE stories ADD COLUMN peer_confirms INTEGER NOT NULL DEFAULT 0\n"
	"  CHECK (peer_confirms IN (0, 1));\n"
	"ALTER TABLE stories ADD COLUMN via TEXT NOT NULL DEFAULT 'import';\n"
	"ALTER TABLE stories ADD COLUMN erasure_requested_at INTEGER;\n"
	"UPDATE stories SET via = 'hearth submit' WHERE id IN\n"
	"  (SELECT story_id FROM audit WHERE action = 'submit');\n"
	"UPDATE stories SET approved_version = 1 WHERE status IN ('approved', 'published');\n"
	"CREATE UNIQUE INDEX stories_receipt ON stories (receipt_hash)\n"
	"  WHERE receipt_hash IS NOT NULL;\n"
	"CREATE TABLE messages (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,\n"
	"  at INTEGER NOT NULL,\n"
	"  from_peer INTEGER NOT NULL CHECK (from_peer IN (0, 1)),\n"
	"  author TEXT, -- PRIVATE: the editor who wrote it\n"
	"  body TEXT NOT NULL -- PRIVATE\n"
	");\n"
	"CREATE INDEX messages_story ON messages (story_id, id);\n"
	"CREATE TABLE revisions (\n"
	"  story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,\n"
	"  at INTEGER NOT NULL,\n"
	"  title TEXT NOT NULL,\n"
	"  summary TEXT,\n"
	"  body TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE TABLE revision_terms (\n"
	"  story_id INTEGER NOT NULL REFERENCES revisions(story_id) ON DELETE CASCADE,\n"
	"  position INTEGER NOT NULL,\n"
	"  value TEXT NOT NULL, -- content warnings\n"
	"  PRIMARY KEY (story_id, position)\n"
	");\n"
	"CREATE TABLE revision_assets (\n"
	"  story_id INTEGER NOT NULL REFERENCES revisions(story_id) ON DELETE CASCADE,\n"
	"  role TEXT NOT NULL CHECK (role IN ('audio', 'music', 'art', 'transcript')),\n"
	"  position INTEGER NOT NULL,\n"
	"  sha256 TEXT NOT NULL,\n"
	"  mime TEXT,\n"
	"  filename TEXT, -- PRIVATE\n"
	"  alt TEXT,\n"
	"  size INTEGER NOT NULL DEFAULT 0,\n"
	"  duration REAL NOT NULL DEFAULT 0,\n"
	"  width INTEGER NOT NULL DEFAULT 0,\n"
	"  height INTEGER NOT NULL DEFAULT 0,\n"
	"  codec TEXT,\n"
	"  sample_rate INTEGER NOT NULL DEFAULT 0,\n"
	"  channels INTEGER NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY (story_id, role, position)\n"
	");\n"
	"CREATE TABLE feedback (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  at INTEGER NOT NULL,\n"
	"  page TEXT,\n"
	"  body TEXT NOT NULL,\n"
	"  contact TEXT -- PRIVATE\n"
	");\n"
	"CREATE TABLE editors (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  password_hash TEXT NOT NULL, -- PRIVATE: Argon2id\n"
	"  created_at INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE sessions (\n"
	"  token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),\n"
	"  editor_id INTEGER NOT NULL REFERENCES editors(id) ON DELETE CASCADE,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  expires_at INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX sessions_editor ON sessions (editor_id);\n"
	"PRAGMA user_version = 5;\n",
	/*
	 * 6: what an import saw of each bundle (its files' size, times and
	 * inode), so that an unchanged bundle is not read again; and the
	 * columns `hearth list` shows, in order, without the stories' bodies
	 */
	"CREATE TABLE bundles_seen (\n"
	"  dir TEXT PRIMARY KEY, -- the bundle folder, as a full path\n"
	"  story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,\n"
	"  source_hash TEXT NOT NULL, -- the story's source_hash when it was seen\n"
	"  files TEXT NOT NULL -- a line per file: size, mtime, ctime, inode, device, name\n"
	");\n"
	"CREATE INDEX bundles_seen_story ON bundles_seen (story_id);\n"
	"CREATE INDEX stories_list ON stories (published_at, slug, status, title);\n"
	"PRAGMA user_version = 6;\n",
	/* 7: a collection's show is heard in order (serial) or in any order */
	"ALTER TABLE collections ADD COLUMN type TEXT NOT NULL DEFAULT 'episodic'\n"
	"  CHECK (type IN ('episodic', 'serial'));\n"
	"PRAGMA user_version = 7;\n",
	/*
	 * 8: a story's slug and source hash without its row (which holds the
	 * body): an import asks for both of every bundle it skips
	 */
	"CREATE INDEX IF NOT EXISTS stories_source ON stories (slug, source_hash);\n"
	"PRAGMA user_version = 8;\n",
	/*
	 * 9: the SHA-256 of a story's body, stored by the import that writes
	 * the body, so that a build keys every body without reading and
	 * hashing it; any other write of the body clears it (the trigger),
	 * and a body without it is hashed when the public view is read
	 */
	"ALTER TABLE stories ADD COLUMN body_sha256 TEXT;\n"
	"CREATE TRIGGER stories_body_changed AFTER UPDATE OF body ON stories\n"
	"  WHEN NEW.body IS NOT OLD.body AND NEW.body_sha256 IS OLD.body_sha256\n"
	"BEGIN UPDATE stories SET body_sha256 = NULL WHERE id = NEW.id; END;\n"
	"PRAGMA user_version = 9;\n",
	/*
	 * 10: every column of a story the public view reads, apart from the
	 * row that holds the body: the view of 10,000 stories read each
	 * body's pages only to pass over them (a row of a few kilobytes spills
	 * onto pages of its own), twice as long with stories of 4 kB as with
	 * stories of a few lines. Ordered by status, then id, as the view is.
	 */
	"CREATE INDEX stories_view ON stories (status, id, published_at, person_id, slug, guid,\n"
	"  title, summary, updated_at, language, license, season, episode, body_sha256);\n"
	"PRAGMA user_version = 10;\n",
};
#define N_MIGRATIONS ((int64_t)(sizeof migrations / sizeof migrations[0]))

/* ---- opening ----------------------------------------------------------- */

/*
 * The schema version, read without taking the write lock, so that opening
 * a library does not wait for another hearth that is writing.
 */
static int schema_version(hearth_lib *lib, int64_t *v, struct hearth_err *err)
{
	int rc = lib_db_int(lib, err, v, "PRAGMA user_version", "");
	if (rc < 0)
		return rc;
	if (*v > N_MIGRATIONS)
		return herr(err, HEARTH_EDB,
			    "catalogue: hearth.db has schema version %lld but this hearth "
			    "knows only up to %lld; use a newer hearth",
			    (long long)*v, (long long)N_MIGRATIONS);
	return 0;
}

/* Brings the schema to the newest version, all steps in one transaction. */
static int migrate(hearth_lib *lib, struct hearth_err *err)
{
	int64_t v = 0;
	int rc = schema_version(lib, &v, err);
	if (rc || v == N_MIGRATIONS)
		return rc;
	if ((rc = lib_begin(lib, err)))
		return rc;
	for (;;) {
		if ((rc = schema_version(lib, &v, err)))
			goto end;
		if (v == N_MIGRATIONS)
			break;
		if (sqlite3_exec(lib->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
			rc = lib_db_fail(lib, err, "cannot migrate the schema");
			goto end;
		}
		int64_t after = 0;
		if ((rc = lib_db_int(lib, err, &after, "PRAGMA user_version", "")) < 0)
			goto end;
		if (after != v + 1) {
			rc = herr(err, HEARTH_EDB, "catalogue: migration %lld did not set its version",
				  (long long)v + 1);
			goto end;
		}
	}
	rc = 0;
end:
	if (rc) {
		lib_rollback(lib);
		return rc;
	}
	return lib_commit(lib, err);
}

static char *default_actor(void)
{
	const char *s = getenv("HEARTH_USER");
	if (!s || !*s)
		s = getenv("USER");
	if (!s || !*s)
		s = "editor";
	return xstrdup(s);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * SQLite calls this while another connection holds the lock it needs:
 * sleep a little longer each time, tell the caller once that we are
 * waiting, and give up after BUSY_LIMIT_MS (the statement then fails with
 * "the catalogue is busy").
 */
static int on_busy(void *arg, int count)
{
	hearth_lib *lib = arg;
	int64_t now = now_ms();

	if (count == 0)
		lib->busy_since = now;
	int64_t waited = now - lib->busy_since;
	if (waited >= BUSY_LIMIT_MS)
		return 0;
	if (waited >= BUSY_TELL_MS && !lib->told_waiting && lib->waiting) {
		lib->told_waiting = true;
		lib->waiting(lib->waiting_arg);
	}
	int ms = count < 10 ? 1 + count * 2 : 50;
	struct timespec ts = {0, (long)ms * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return 1;
}

void lib_db_checkpoint(hearth_lib *lib)
{
	/* no waiting: a reader of an older snapshot keeps what it needs */
	sqlite3_busy_handler(lib->db, NULL, NULL);
	(void)sqlite3_wal_checkpoint_v2(lib->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_handler(lib->db, on_busy, lib);
}

/*
 * A file: URI for path, for the immutable fallback: '%', '?' and '#' (and
 * anything not printable) are escaped. New allocation.
 */
static char *file_uri(const char *path)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p <= 0x20 || *p >= 0x7f) {
			char hex[4];
			snprintf(hex, sizeof hex, "%%%02X", *p);
			buf_puts(&b, hex);
		} else {
			buf_putc(&b, (char)*p);
		}
	}
	buf_puts(&b, "?immutable=1");
	char *s = xstrdup(buf_cstr(&b));
	buf_release(&b);
	return s;
}

/*
 * Connects lib->db to path read-only. A WAL catalogue needs its -shm file;
 * when the folder cannot be written and the file is missing, nobody can be
 * writing either, so the catalogue is opened as immutable instead.
 */
static int connect_read_only(hearth_lib *lib, const char *path, struct hearth_err *err)
{
	int64_t v;
	if (sqlite3_open_v2(path, &lib->db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		struct hearth_err ignored;
		sqlite3_busy_handler(lib->db, on_busy, lib);
		if (lib_db_int(lib, &ignored, &v, "PRAGMA user_version", "") >= 0)
			return 0;
		int code = sqlite3_errcode(lib->db);
		if (code == SQLITE_BUSY)
			return lib_db_fail(lib, err, "cannot read the catalogue");
	}
	lib_db_cache_free(lib);
	sqlite3_close(lib->db);
	lib->db = NULL;
	char *uri = file_uri(path);
	int rc = 0;
	if (sqlite3_open_v2(uri, &lib->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) !=
	    SQLITE_OK)
		rc = herr(err, HEARTH_EDB, "cannot open '%s': %s", path,
			  lib->db ? sqlite3_errmsg(lib->db) : "out of memory");
	free(uri);
	return rc;
}

/*
 * SQLite's settings for the whole process, before its first connection:
 * no count of the memory it holds. Hearth never asks for it, and keeping
 * it takes a lock of the whole process around every allocation SQLite
 * makes or frees, from every thread (an import of 10,000 stories spent a
 * tenth of its processor time in that lock).
 */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void lib_db_setup(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
}

/*
 * Opens (or with create, makes) dir/hearth.db and brings it up to date.
 * With read_only it never writes; a catalogue whose schema is older than
 * this hearth is then reported as *stale (and not opened), so the caller
 * can open it for writing once to migrate it.
 */
static int open_db(const char *dir, bool create, const struct lib_open_opts *o,
		   bool *stale, hearth_lib **out, struct hearth_err *err)
{
	hearth_lib *lib = xcalloc(1, sizeof *lib);
	char *path = path_join(dir, "hearth.db");
	sqlite3_stmt *st = NULL;
	bool ro = o && o->read_only;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	int rc;

	lib_db_setup();
	lib->dir = xstrdup(dir);
	lib->actor = default_actor();
	lib->read_only = ro;
	if (o) {
		lib->waiting = o->waiting;
		lib->waiting_arg = o->arg;
	}
	if (ro) {
		if ((rc = connect_read_only(lib, path, err)))
			goto end;
	} else if (sqlite3_open_v2(path, &lib->db, flags, NULL) != SQLITE_OK) {
		rc = herr(err, HEARTH_EDB, "cannot open '%s': %s", path,
			  lib->db ? sqlite3_errmsg(lib->db) : "out of memory");
		goto end;
	}
	sqlite3_extended_result_codes(lib->db, 1);
	sqlite3_busy_handler(lib->db, on_busy, lib);
	if ((rc = lib_db_exec(lib, err, "PRAGMA foreign_keys = ON", "")))
		goto end;
	if ((rc = lib_db_exec(lib, err, "PRAGMA temp_store = MEMORY", "")))
		goto end;
	if (ro) {
		int64_t v = 0;
		if ((rc = schema_version(lib, &v, err)))
			goto end;
		if (v < N_MIGRATIONS) {
			if (stale)
				*stale = true;
			rc = herr(err, HEARTH_EDB,
				  "catalogue: hearth.db has schema version %lld and must be "
				  "brought up to %lld by a hearth that can write it",
				  (long long)v, (long long)N_MIGRATIONS);
		}
		goto end;
	}
	if ((rc = lib_db_prepare(lib, err, &st, "PRAGMA journal_mode = WAL", "")))
		goto end;
	if ((rc = lib_db_step(lib, st, err)) < 0)
		goto end;
	const unsigned char *mode = rc == 1 ? sqlite3_column_text(st, 0) : NULL;
	if (!mode || strcmp((const char *)mode, "wal")) {
		rc = herr(err, HEARTH_EDB, "cannot open '%s': the catalogue cannot use WAL mode",
			  path);
		goto end;
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = migrate(lib, err);
end:
	sqlite3_finalize(st);
	free(path);
	if (rc) {
		lib_close(&lib);
		return rc;
	}
	*out = lib;
	return 0;
}

/*
 * hearth.db (with its -wal and -shm), store/ and cache/ hold personal data:
 * only the library's owner may read them, whatever the umask. SQLite gives
 * -wal and -shm the mode of hearth.db. Files inside store/ and cache/ are
 * out of reach through their folders' modes. public/ is not touched.
 */
/*
 * Takes group and other permissions off path (mode & ~077), adding none:
 * a file the owner made read-only stays read-only. ENOENT is not an error.
 */
static int strip_others(const char *path, struct hearth_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0
				       : herr(err, HEARTH_EIO, "cannot make '%s' private: %s", path,
					      strerror(errno));
	if ((st.st_mode & 077) && chmod(path, st.st_mode & 07700) != 0)
		return herr(err, HEARTH_EIO, "cannot make '%s' private: %s", path,
			    strerror(errno));
	return 0;
}

static int make_private(const char *dir, struct hearth_err *err)
{
	static const char *const dirs[] = {"store", "cache"};
	static const char *const files[] = {"hearth.db", "hearth.db-wal", "hearth.db-shm"};
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof dirs / sizeof dirs[0]; i++) {
		char *p = path_join(dir, dirs[i]);
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			rc = herr(err, HEARTH_EIO, "cannot make '%s': %s", p, strerror(errno));
		else
			rc = strip_others(p, err);
		free(p);
	}
	for (size_t i = 0; !rc && i < sizeof files / sizeof files[0]; i++) {
		char *p = path_join(dir, files[i]);
		rc = strip_others(p, err);
		free(p);
	}
	return rc;
}

/* An empty hearth.db, private from its first byte; SQLite makes it a catalogue. */
static int create_db_file(const char *path, struct hearth_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return herr(err, HEARTH_EIO, "cannot create '%s': %s", path, strerror(errno));
	int rc = fchmod(fd, 0600) != 0
		? herr(err, HEARTH_EIO, "cannot make '%s' private: %s", path, strerror(errno))
		: 0;
	close(fd);
	return rc;
}

int lib_init(const char *dir, struct hearth_err *err)
{
	char *db = path_join(dir, "hearth.db");
	char *yaml = path_join(dir, "hearth.yaml");
	hearth_lib *lib = NULL;
	bool made_db = false, made_yaml = false;
	int rc;

	if ((rc = mkdir_p(dir, err)))
		goto end;
	if (path_exists(db)) {
		rc = herr(err, HEARTH_EEXIST, "'%s' already holds a library (hearth.db exists)",
			  dir);
		goto end;
	}
	if ((rc = make_private(dir, err)))
		goto end;
	/* a hearth.yaml already there is the user's own: keep it */
	if (!path_exists(yaml)) {
		if ((rc = lib_settings_write_default(yaml, err)))
			goto end;
		made_yaml = true;
	}
	made_db = true;
	if ((rc = create_db_file(db, err)))
		goto end;
	if (!(rc = open_db(dir, true, NULL, NULL, &lib, err)))
		rc = make_private(dir, err);
end:
	lib_close(&lib);
	if (rc && made_db) {
		/* nothing half-made remains */
		char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
		unlink(db);
		unlink(wal);
		unlink(shm);
		free(wal);
		free(shm);
		if (made_yaml)
			unlink(yaml);
	}
	free(db);
	free(yaml);
	return rc;
}

int lib_open(const char *dir, hearth_lib **out, struct hearth_err *err)
{
	return lib_open_with(dir, NULL, out, err);
}

int lib_open_with(const char *dir, const struct lib_open_opts *o, hearth_lib **out,
		  struct hearth_err *err)
{
	char *db = path_join(dir, "hearth.db");
	bool stale = false;
	int rc;

	*out = NULL;
	if (!path_is_file(db)) {
		rc = herr(err, HEARTH_ENOENT,
			  "'%s' is not a Hearth library: hearth.db is missing (run 'hearth init')",
			  dir);
	} else {
		rc = open_db(dir, false, o, &stale, out, err);
		if (rc && stale) {
			/* an older schema: migrate it once, then read as asked */
			struct lib_open_opts rw = *o;
			rw.read_only = false;
			hearth_lib *w = NULL;
			if ((rc = open_db(dir, false, &rw, NULL, &w, err)) == 0) {
				lib_close(&w);
				rc = open_db(dir, false, o, NULL, out, err);
			}
		}
	}
	if (!rc) {
		/* libraries made before their files were private become so */
		struct hearth_err ignored;
		make_private(dir, &ignored);
	}
	free(db);
	return rc;
}

void lib_close(hearth_lib **plib)
{
	hearth_lib *lib = plib ? *plib : NULL;
	if (!lib)
		return;
	while (lib->depth > 0)
		lib_rollback(lib);
	lib_db_cache_free(lib);
	sqlite3_close(lib->db);
	free(lib->dir);
	free(lib->actor);
	free(lib);
	*plib = NULL;
}

const char *lib_dir(const hearth_lib *lib)
{
	return lib->dir;
}

void lib_set_actor(hearth_lib *lib, const char *who)
{
	free(lib->actor);
	lib->actor = (who && *who) ? xstrdup(who) : default_actor();
}
