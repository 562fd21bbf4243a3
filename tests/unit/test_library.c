/*
 * test_library.c - the catalogue: creating and migrating a library,
 * settings, reading bundles and collection files, imports, submissions,
 * the review workflow and consent, the audit log, collections, the public
 * view (and that nothing private ever reaches it) and the JSON export.
 */
#define _GNU_SOURCE
#include "../../library/library.h"
#include "../../library/libraryInt.h"
#include "t.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>

/* ---- helpers ----------------------------------------------------------- */

/* Fails the test unless rc is code and err's message holds sub. */
#define CHECK_FAILS(rc, code, err, sub)                                         \
	do {                                                                    \
		int r2_ = (rc);                                                 \
		if (r2_ != (code) || !strstr((err)->msg, (sub))) {              \
			printf("FAIL %s: %s:%d: %s gave %d \"%s\", expected %d with \"%s\"\n", \
			       t_name_, __FILE__, __LINE__, #rc, r2_, (err)->msg, \
			       (code), (sub));                                  \
			t_failed_ = 1;                                          \
			return;                                                 \
		}                                                               \
	} while (0)

/* What migration 10 added, taken away again: a catalogue as schema 9 had it. */
#define UNDO_10 "DROP INDEX stories_view; "

/* What migrations 9 and 10 added, taken away again: a catalogue as schema 8 had it. */
#define UNDO_9                                                                  \
	UNDO_10 "DROP TRIGGER stories_body_changed; "                            \
		"ALTER TABLE stories DROP COLUMN body_sha256; "

/* What migrations 7 to 10 added, taken away again: a catalogue as schema 6 had it. */
#define UNDO_7 UNDO_9 "DROP INDEX stories_source; ALTER TABLE collections DROP COLUMN type; "

/* What migrations 6 to 10 added, taken away again: a catalogue as schema 5 had it. */
#define UNDO_6 UNDO_7 "DROP TABLE bundles_seen; DROP INDEX stories_list; "

/* What migrations 5 to 10 added, taken away again: a catalogue as schema 4 had it. */
#define UNDO_5                                                                  \
	UNDO_6                                                                  \
	"DROP INDEX stories_receipt; ALTER TABLE stories DROP COLUMN receipt_hash; " \
	"ALTER TABLE stories DROP COLUMN version; "                              \
	"ALTER TABLE stories DROP COLUMN approved_version; "                     \
	"ALTER TABLE stories DROP COLUMN confirmed_version; "                    \
	"ALTER TABLE stories DROP COLUMN peer_confirms; "                        \
	"ALTER TABLE stories DROP COLUMN via; "                                  \
	"ALTER TABLE stories DROP COLUMN erasure_requested_at; "                 \
	"DROP TABLE messages; DROP TABLE revision_assets; DROP TABLE revision_terms; " \
	"DROP TABLE revisions; DROP TABLE feedback; DROP TABLE sessions; "       \
	"DROP TABLE editors; "

static char *tpath(const char *name)
{
	return path_join(t_tmpdir(), name);
}

static void put(const char *path, const char *text)
{
	struct hearth_err err;
	if (file_write_atomic(path, text, strlen(text), &err)) {
		printf("cannot write %s: %s\n", path, err.msg);
		exit(1);
	}
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	struct hearth_err err;
	if (file_read(path, &b, &err))
		return NULL;
	return buf_detach(&b);
}

/* A fresh library in the scratch folder; open, with the actor "tester". */
static hearth_lib *fresh_lib(const char *name)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	char *dir = tpath(name);
	if (lib_init(dir, &err) || lib_open(dir, &lib, &err)) {
		printf("cannot make library %s: %s\n", dir, err.msg);
		exit(1);
	}
	free(dir);
	lib_set_actor(lib, "tester");
	return lib;
}

/* Writes <tmp>/bundles/<slug>/story.md from front matter and body. */
static char *make_bundle(const char *slug, const char *front, const char *body)
{
	char *dir = xasprintf("%s/bundles/%s", t_tmpdir(), slug);
	char *md = path_join(dir, "story.md");
	char *text = xasprintf("---\n%s---\n%s", front, body);
	put(md, text);
	free(md);
	free(text);
	return dir;
}

static void bundle_file(const char *dir, const char *name, const char *content)
{
	char *p = path_join(dir, name);
	put(p, content);
	free(p);
}

/* Reads a bundle, stores its files and imports it; report as lib_story_import's. */
static int import_dir_report(hearth_lib *lib, const char *dir, bool *changed,
			     struct buf *report, struct hearth_err *err)
{
	struct lib_story *s = NULL;
	int rc = lib_bundle_read(dir, NULL, &s, err);
	for (size_t i = 0; !rc && i < s->n_assets; i++) {
		char sha[65];
		char *p = path_join(dir, s->assets[i].filename);
		rc = lib_store_add(lib, p, sha, err);
		free(p);
		free(s->assets[i].sha256);
		s->assets[i].sha256 = xstrdup(sha);
		s->assets[i].mime = xstrdup("application/octet-stream");
		s->assets[i].size = 4;
	}
	if (!rc)
		rc = lib_story_import(lib, s, changed, report, err);
	lib_story_free(&s);
	return rc;
}

static int import_dir(hearth_lib *lib, const char *dir, bool *changed,
		      struct hearth_err *err)
{
	return import_dir_report(lib, dir, changed, NULL, err);
}

/* An in-memory story for import or submission; free with lib_story_free. */
static struct lib_story *story_new(const char *slug, const char *title)
{
	struct lib_story *s = xcalloc(1, sizeof *s);
	s->slug = xstrdup(slug);
	s->title = xstrdup(title);
	s->body = xstrdup("Some words.\n");
	s->language = xstrdup("en");
	s->attribution = ATTR_ANONYMOUS;
	return s;
}

/* Imports a story straight into a given state with the given consent. */
static int put_story(hearth_lib *lib, const char *slug, enum lib_status st, bool site,
		     bool podcast, int64_t published_at, struct hearth_err *err)
{
	struct lib_story *s = story_new(slug, slug);
	bool changed;
	s->status = st;
	s->consent_site = site;
	s->consent_podcast = podcast;
	s->published_at = published_at;
	int rc = lib_story_import(lib, s, &changed, NULL, err);
	lib_story_free(&s);
	return rc;
}

static enum lib_status status_of(hearth_lib *lib, const char *slug)
{
	struct hearth_err err;
	struct lib_story *s = NULL;
	enum lib_status st = ST_COUNT;
	if (!lib_story_get(lib, slug, &s, &err))
		st = s->status;
	lib_story_free(&s);
	return st;
}

static size_t audit_count(hearth_lib *lib)
{
	struct hearth_err err;
	struct lib_audit *a = NULL;
	size_t n = 0;
	lib_audit_list(lib, NULL, &a, &n, &err);
	lib_audit_free(a, n);
	return n;
}

static char *export_of(hearth_lib *lib, bool with_private)
{
	struct hearth_err err;
	struct buf b = BUF_INIT;
	if (lib_export_json(lib, with_private, &b, &err))
		return NULL;
	return buf_detach(&b);
}

/* ---- opening and schema ------------------------------------------------ */

static void init_open_and_refuse_twice(void)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	char *dir = tpath("init/deep/lib");
	char *p;

	CHECK_OK(lib_init(dir, &err), &err);
	p = path_join(dir, "hearth.yaml");
	CHECK(path_is_file(p));
	free(p);
	p = path_join(dir, "store");
	CHECK(path_is_dir(p));
	free(p);
	CHECK_FAILS(lib_init(dir, &err), HEARTH_EEXIST, &err, "already holds a library");
	CHECK_OK(lib_open(dir, &lib, &err), &err);
	CHECK_STR(lib_dir(lib), dir);
	lib_close(&lib);
	CHECK(lib == NULL);
	lib_close(&lib); /* idempotent */
	free(dir);

	dir = tpath("init/not-a-library");
	CHECK_OK(mkdir_p(dir, &err), &err);
	CHECK_FAILS(lib_open(dir, &lib, &err), HEARTH_ENOENT, &err, "hearth.db is missing");
	free(dir);
}

static void schema_wal_and_private_marks(void)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	char *dir = tpath("schema");
	char *db = path_join(dir, "hearth.db");
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	CHECK_OK(lib_init(dir, &err), &err);
	CHECK_OK(lib_open(dir, &lib, &err), &err); /* keeps WAL files around */
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	CHECK(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK(sqlite3_column_int(st, 0) >= 1);
	sqlite3_finalize(st);
	static const char *const tables[] = {"stories", "people", "consent", "assets",
					     "story_terms", "collections", "collection_items",
					     "audit", "settings", "chapters", "invites",
					     "messages", "revisions", "revision_assets",
					     "revision_terms", "feedback", "editors", "sessions"};
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		CHECK(sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_master WHERE name = ?1", -1,
					 &st, NULL) == SQLITE_OK);
		sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		const char *sql = (const char *)sqlite3_column_text(st, 0);
		bool private_table = !strcmp(tables[i], "people") || !strcmp(tables[i], "consent") ||
				     !strcmp(tables[i], "assets") || !strcmp(tables[i], "audit") ||
				     !strcmp(tables[i], "stories") || !strcmp(tables[i], "invites");
		if (private_table)
			CHECK(strstr(sql, "-- PRIVATE") != NULL);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	lib_close(&lib);
	free(db);
	free(dir);
}

static void migrates_old_and_refuses_newer(void)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	char *dir = tpath("migrate");
	char *db = path_join(dir, "hearth.db");
	sqlite3 *h = NULL;

	/* an empty catalogue at version 0 is brought up to date */
	CHECK_OK(mkdir_p(dir, &err), &err);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, "PRAGMA user_version = 0", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(h);
	CHECK_OK(lib_open(dir, &lib, &err), &err);
	char *slug = NULL;
	struct lib_story *s = story_new("x", "A title");
	CHECK_OK(lib_story_submit(lib, s, NULL, &slug, &err), &err);
	lib_story_free(&s);
	free(slug);
	lib_close(&lib);

	/* a catalogue from a newer hearth is refused */
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, "PRAGMA user_version = 999", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(h);
	CHECK_FAILS(lib_open(dir, &lib, &err), HEARTH_EDB, &err, "newer hearth");
	free(db);
	free(dir);
}

static void transactions_nest(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("txn");
	struct lib_story *a = story_new("a", "A"), *b = story_new("b", "B");
	char *slug = NULL;

	CHECK_OK(lib_begin(lib, &err), &err);
	CHECK_OK(lib_story_submit(lib, a, NULL, &slug, &err), &err);
	free(slug);
	CHECK_OK(lib_begin(lib, &err), &err);
	CHECK_OK(lib_story_submit(lib, b, NULL, &slug, &err), &err);
	free(slug);
	lib_rollback(lib); /* the inner level only */
	CHECK_OK(lib_commit(lib, &err), &err);
	CHECK(status_of(lib, "a") == ST_SUBMITTED);
	CHECK(status_of(lib, "b") == ST_COUNT);

	CHECK_OK(lib_begin(lib, &err), &err);
	CHECK_OK(lib_story_submit(lib, b, NULL, &slug, &err), &err);
	free(slug);
	lib_rollback(lib);
	CHECK(status_of(lib, "b") == ST_COUNT);
	CHECK(lib_commit(lib, &err) == HEARTH_EDB); /* nothing open */
	lib_story_free(&a);
	lib_story_free(&b);
	lib_close(&lib);
}

static void store_once_and_read_only(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("store");
	char *src = tpath("store-src.bin");
	char sha[65], sha2[65];
	struct stat st;

	put(src, "hello");
	CHECK_OK(lib_store_add(lib, src, sha, &err), &err);
	CHECK_STR(sha, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	char *obj = lib_store_path(lib, sha);
	CHECK(str_ends(obj, "/store/2c/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
	/* read-only, and for the owner only: originals hold personal data */
	CHECK(stat(obj, &st) == 0 && (st.st_mode & 0777) == 0400);
	CHECK_OK(lib_store_add(lib, src, sha2, &err), &err);
	CHECK_STR(sha2, sha);
	char *missing = tpath("no-such-file");
	CHECK_FAILS(lib_store_add(lib, missing, sha, &err), HEARTH_ENOENT, &err, "no-such-file");
	free(missing);
	free(obj);
	free(src);
	lib_close(&lib);
}

/*
 * A bundle's file is hashed once, by the bundle reader, which keeps the
 * file's identity with the hash; storing it checks that identity and does
 * not hash again. A file changed after the bundle was read (other bytes,
 * or only its time touched) is refused and nothing is stored; the file as
 * read is stored under its hash.
 */
static void store_known_refuses_a_changed_file(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("store-known");
	char *dir = make_bundle("changed-after-read", "title: Changed\naudio: voice.flac\n", "");
	char *p = path_join(dir, "voice.flac");
	struct timespec old[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
	struct lib_story *s = NULL;
	struct stat st;
	char want[65];

	/* other bytes, same size, written in place after the read */
	bundle_file(dir, "voice.flac", "FLAC");
	CHECK(utimensat(AT_FDCWD, p, old, 0) == 0);
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK(s->n_assets == 1 && s->assets[0].seen.size == 4);
	CHECK(stat(p, &st) == 0 && s->assets[0].seen.ino == (uint64_t)st.st_ino);
	char *obj = lib_store_path(lib, s->assets[0].sha256);
	FILE *f = fopen(p, "r+");
	CHECK(f && fputs("flac", f) >= 0 && fclose(f) == 0);
	CHECK_FAILS(lib_store_add_known(lib, p, s->assets[0].sha256, &s->assets[0].seen, &err),
		    HEARTH_EINVAL, &err, "changed while it was being imported; import again");
	CHECK(!path_exists(obj));
	free(obj);
	lib_story_free(&s);

	/* the same bytes, only the time touched */
	bundle_file(dir, "voice.flac", "FLAC");
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	obj = lib_store_path(lib, s->assets[0].sha256);
	CHECK(utimensat(AT_FDCWD, p, old, 0) == 0);
	CHECK_FAILS(lib_store_add_known(lib, p, s->assets[0].sha256, &s->assets[0].seen, &err),
		    HEARTH_EINVAL, &err, "voice.flac");
	CHECK(!path_exists(obj));

	/* read again, unchanged: stored under its hash, read-only */
	lib_story_free(&s);
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	sha256_hex("FLAC", 4, want);
	CHECK_STR(s->assets[0].sha256, want);
	CHECK_OK(lib_store_add_known(lib, p, s->assets[0].sha256, &s->assets[0].seen, &err),
		 &err);
	CHECK(stat(obj, &st) == 0 && (st.st_mode & 0777) == 0400 && st.st_size == 4);
	struct buf got = BUF_INIT;
	CHECK_OK(file_read(obj, &got, &err), &err);
	CHECK(got.len == 4 && !memcmp(got.data, "FLAC", 4));
	buf_release(&got);

	/* stored already: the file is not opened, so a change no longer matters */
	CHECK(utimensat(AT_FDCWD, p, old, 0) == 0);
	CHECK_OK(lib_store_add_known(lib, p, s->assets[0].sha256, &s->assets[0].seen, &err),
		 &err);
	free(obj);
	free(p);
	free(dir);
	lib_story_free(&s);
	lib_close(&lib);
}

/* ---- settings ---------------------------------------------------------- */

static void settings_defaults_and_stable_podcast_guid(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("settings");
	struct lib_settings s;
	char expect[37];

	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK_STR(s.title, "My Hearth library");
	CHECK_STR(s.base_url, "https://example.org");
	CHECK_STR(s.language, "en");
	CHECK_STR(s.category, "Health & Fitness");
	CHECK_STR(s.subcategory, "Mental Health");
	CHECK_STR(s.license, "CC-BY-NC-ND-4.0");
	CHECK(!s.explicit_ && s.image == NULL);
	CHECK(s.max_file_size == 500000000 && s.max_duration == 14400 &&
	      s.max_pixels == 50000000);
	CHECK(s.loudness == -16 && s.true_peak == -1 && s.speech_kbps == 96 &&
	      s.music_kbps == 160);
	CHECK(s.max_story_size == 2000000 && s.max_collection_size == 256000);
	/* reading the settings stores no GUID, and the placeholder never makes one */
	CHECK(s.podcast_guid == NULL);
	char guid[37], again[37];
	CHECK_FAILS(lib_podcast_guid(lib, s.base_url, true, guid, &err), HEARTH_EINVAL, &err,
		    "base_url: is still the placeholder");
	lib_settings_release(&s);

	/* a feed from the placeholder without storing gets none at all */
	CHECK_OK(lib_podcast_guid(lib, "https://example.org/", false, guid, &err), &err);
	CHECK_STR(guid, "");

	/* a preview makes one from its address and stores nothing */
	CHECK_OK(lib_podcast_guid(lib, "http://localhost:8000", false, guid, &err), &err);
	uuid5("ead4c236-bf58-58c6-a2c6-a6b28d128cb6", "localhost:8000/feed.xml", expect);
	CHECK_STR(guid, expect);
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK(s.podcast_guid == NULL);
	lib_settings_release(&s);

	/* the first real podcast build stores it from the real feed URL */
	CHECK_OK(lib_podcast_guid(lib, "https://stories.example.net", true, guid, &err), &err);
	uuid5("ead4c236-bf58-58c6-a2c6-a6b28d128cb6", "stories.example.net/feed.xml", expect);
	CHECK_STR(guid, expect);
	CHECK_OK(lib_podcast_guid(lib, "https://elsewhere.example.net", true, again, &err), &err);
	CHECK_STR(again, expect);

	/* base_url changes: the trailing slash goes, the podcast GUID stays */
	char *path = path_join(lib_dir(lib), "hearth.yaml");
	put(path, "title: Other\nbase_url: https://stories.example.net/\n"
		  "podcast:\n  explicit: yes\n  image: art/cover.jpg\n"
		  "limits:\n  max_file_size: 1000\n  max_duration: 60.5\n"
		  "  max_story_size: 5000\n  max_collection_size: 600\n"
		  "audio:\n  loudness: -19\n  speech_bitrate: 64\n");
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK_STR(s.base_url, "https://stories.example.net");
	CHECK_STR(s.podcast_guid, expect);
	CHECK(s.max_story_size == 5000 && s.max_collection_size == 600);
	CHECK(s.explicit_ && s.max_file_size == 1000 && s.max_duration == 60.5);
	CHECK(s.loudness == -19 && s.speech_kbps == 64);
	CHECK_STR(s.image, "art/cover.jpg");
	lib_settings_release(&s);
	free(path);
	lib_close(&lib);
}

static void settings_errors(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("settings-bad");
	struct lib_settings s;
	char *path = path_join(lib_dir(lib), "hearth.yaml");

	put(path, "title: T\ncolour: blue\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err,
		    "hearth.yaml: line 2: unknown key 'colour'");
	put(path, "title: T\npodcast:\n  category: Arts\n  colour: blue\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err,
		    "line 4: unknown key 'podcast.colour'");
	put(path, "base_url: ftp://example.org\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "base_url");
	put(path, "base_url: example.org\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "http://");
	/* base_url is read as a URL, with the same check as --base-url */
	put(path, "base_url: \"https://\"\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "no host");
	put(path, "base_url: \"http://[::1\"\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "not closed");
	put(path, "base_url: \"https://user:pass@example.net\"\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "password");
	put(path, "base_url: \"https://exa mple.net\"\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "base_url");
	put(path, "base_url: \"https://example.net/\\\"x\"\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "quote");
	put(path, "limits:\n  max_story_size: 0\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err,
		    "limits.max_story_size");
	put(path, "podcast:\n  explicit: maybe\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "podcast.explicit");
	put(path, "limits:\n  max_pixels: -5\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "limits.max_pixels");
	put(path, "podcast:\n  image: ../cover.jpg\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "podcast.image");
	put(path, "title: [unclosed\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "malformed YAML");
	put(path, "title: \"\"\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "title");
	free(path);
	lib_close(&lib);
}

/* The feed settings: defaults, every kind of value, errors naming the setting. */
static void settings_feeds(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("settings-feeds");
	struct lib_settings s;
	char *path = path_join(lib_dir(lib), "hearth.yaml");
	char *origin = NULL;

	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK(s.locked && !s.complete && s.archive_after == 300 && s.notify_podcastindex &&
	      !s.notify_after_build);
	CHECK(!s.owner_name && !s.owner_email && s.n_people == 0 && !s.notify_hubs &&
	      !s.media_origin);
	CHECK_STR(s.social_interact, "disabled");
	CHECK_STR(s.notify_podcastindex_url, LIB_PODCASTINDEX_URL);
	lib_settings_release(&s);

	put(path, "title: T\nbase_url: https://a.example.net\n"
		  "podcast:\n"
		  "  owner: {name: The editors, email: editors@a.example.net}\n"
		  "  locked: no\n"
		  "  people:\n"
		  "    - {name: Sam, role: host, href: \"https://a.example.net/sam\"}\n"
		  "    - {name: Jo, role: editor}\n"
		  "  funding: {url: \"https://a.example.net/give\", label: Give}\n"
		  "  txt: [{purpose: applepodcastsverify, value: abc123}]\n"
		  "  social_interact: none\n"
		  "  update_frequency: {text: Weekly, rrule: \"FREQ=WEEKLY;BYDAY=MO\"}\n"
		  "  complete: yes\n"
		  "  new_feed_url: https://b.example.net/feed.xml\n"
		  "  license_url: https://a.example.net/licence\n"
		  "  media_url: https://media.example.net/\n"
		  "feeds:\n  archive_after: 7\n"
		  "notify:\n  hubs: [\"https://hub.example.net/\"]\n  podcastindex: no\n"
		  "  podcastindex_url: http://127.0.0.1:9/pub\n  after_build: yes\n");
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK_STR(s.owner_name, "The editors");
	CHECK_STR(s.owner_email, "editors@a.example.net");
	CHECK(!s.locked && s.complete && s.archive_after == 7 && !s.notify_podcastindex &&
	      s.notify_after_build && !s.social_interact);
	CHECK(s.n_people == 2 && s.people[1].role && !s.people[1].href);
	CHECK_STR(s.people[0].href, "https://a.example.net/sam");
	CHECK_STR(s.funding_label, "Give");
	CHECK(s.n_txt == 1);
	CHECK_STR(s.txt[0].purpose, "applepodcastsverify");
	CHECK_STR(s.update_rrule, "FREQ=WEEKLY;BYDAY=MO");
	CHECK_STR(s.media_url, "https://media.example.net");
	CHECK(s.notify_hubs && s.notify_hubs[0] && !s.notify_hubs[1]);
	CHECK_STR(s.notify_podcastindex_url, "http://127.0.0.1:9/pub");
	lib_settings_release(&s);

	static const char *const bad[][2] = {
		{"podcast:\n  owner: {email: nope}\n", "podcast.owner.email"},
		{"podcast:\n  owner: {mail: a@b.org}\n", "podcast.owner.mail"},
		{"podcast:\n  owner: a@b.org\n", "podcast.owner"},
		{"podcast:\n  people: [{role: host}]\n", "podcast.people[1].name"},
		{"podcast:\n  people: {name: Sam}\n", "podcast.people"},
		{"podcast:\n  people: [{name: Sam, href: nope}]\n", "podcast.people[1].href"},
		{"podcast:\n  funding: {label: Give}\n", "podcast.funding.url"},
		{"podcast:\n  txt: [{purpose: x}]\n", "podcast.txt[1].value"},
		{"podcast:\n  social_interact: maybe\n", "podcast.social_interact"},
		{"podcast:\n  update_frequency: {rrule: \"FREQ=DAILY\"}\n",
		 "podcast.update_frequency.text"},
		{"podcast:\n  update_frequency: {text: x, rrule: weekly}\n",
		 "podcast.update_frequency.rrule"},
		{"podcast:\n  locked: maybe\n", "podcast.locked"},
		{"podcast:\n  new_feed_url: nope\n", "podcast.new_feed_url"},
		{"podcast:\n  media_url: ftp://x.org\n", "podcast.media_url"},
		{"feeds:\n  archive_after: 0\n", "feeds.archive_after"},
		{"feeds:\n  pages: 3\n", "feeds.pages"},
		{"notify:\n  hubs: [ftp://x.org]\n", "notify.hubs[1]"},
		{"notify:\n  podcastindex_url: nope\n", "notify.podcastindex_url"},
		{"notify:\n  after_build: maybe\n", "notify.after_build"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		put(path, bad[i][0]);
		CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, bad[i][1]);
	}

	/* the media origin: kept from the first podcast build, never from a preview */
	CHECK_OK(lib_media_origin(lib, "https://preview.example.net", false, &origin, &err), &err);
	CHECK_STR(origin, "https://preview.example.net");
	xfree(&origin);
	CHECK_FAILS(lib_media_origin(lib, "https://example.org", true, &origin, &err),
		    HEARTH_EINVAL, &err, "placeholder");
	CHECK_OK(lib_media_origin(lib, "https://a.example.net", true, &origin, &err), &err);
	CHECK_STR(origin, "https://a.example.net");
	xfree(&origin);
	CHECK_OK(lib_media_origin(lib, "https://b.example.net", true, &origin, &err), &err);
	CHECK_STR(origin, "https://a.example.net");
	xfree(&origin);

	/* a collection's show has its own GUID, kept like the show's */
	char g1[37], g2[37], expect[37];
	CHECK_OK(lib_feed_guid(lib, "https://a.example.net", "collections/c/feed.xml", true, g1,
			       &err), &err);
	uuid5("ead4c236-bf58-58c6-a2c6-a6b28d128cb6", "a.example.net/collections/c/feed.xml",
	      expect);
	CHECK_STR(g1, expect);
	CHECK_OK(lib_feed_guid(lib, "https://b.example.net", "collections/c/feed.xml", true, g2,
			       &err), &err);
	CHECK_STR(g2, expect);
	put(path, "title: T\n");
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK_STR(s.media_origin, "https://a.example.net");
	CHECK(s.podcast_guid == NULL); /* the show's own is not stored yet */
	lib_settings_release(&s);
	free(path);
	lib_close(&lib);
}

static void settings_import_with_image(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("settings-import");
	char *src = tpath("content-settings/hearth.yaml");
	char *img = tpath("content-settings/art/cover.jpg");
	const char *text = "title: Imported\nbase_url: https://hearth.example/\n"
			   "podcast:\n  image: art/cover.jpg\n";

	put(src, text);
	put(img, "JPEGDATA");
	CHECK_OK(lib_settings_import(lib, src, &err), &err);
	char *dst = path_join(lib_dir(lib), "hearth.yaml");
	char *got = slurp(dst);
	CHECK_STR(got, text);
	free(got);
	free(dst);
	dst = path_join(lib_dir(lib), "art/cover.jpg");
	got = slurp(dst);
	CHECK_STR(got, "JPEGDATA");
	free(got);
	free(dst);
	struct lib_settings s;
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK_STR(s.title, "Imported");
	lib_settings_release(&s);

	/* a missing image, an image that would land on the catalogue, bad YAML */
	put(src, "podcast:\n  image: art/none.jpg\n");
	CHECK_FAILS(lib_settings_import(lib, src, &err), HEARTH_ENOENT, &err, "does not exist");
	put(src, "podcast:\n  image: hearth.db\n");
	CHECK_FAILS(lib_settings_import(lib, src, &err), HEARTH_EINVAL, &err, "overwrite");
	put(src, "podcast:\n  image: /etc/passwd\n");
	CHECK_FAILS(lib_settings_import(lib, src, &err), HEARTH_EINVAL, &err, "relative path");
	put(src, "nonsense: 1\n");
	CHECK_FAILS(lib_settings_import(lib, src, &err), HEARTH_EINVAL, &err, "unknown key");
	/* the library's settings are untouched by the failures */
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK_STR(s.title, "Imported");
	lib_settings_release(&s);
	free(src);
	free(img);
	lib_close(&lib);
}

/* ---- bundles ----------------------------------------------------------- */

static const char full_front[] =
	"title: Finding my voice\n"
	"summary: How singing helped.\n"
	"status: published\n"
	"published: 2024-05-10\n"
	"contributor:\n"
	"  name: Jo Real\n"
	"  pseudonym: Robin\n"
	"  contact: jo@example.org\n"
	"consent:\n"
	"  site: yes\n"
	"  podcast: no\n"
	"  given: 2024-05-01\n"
	"  recorded_by: Sam\n"
	"  note: by phone\n"
	"warnings: [self-harm, hospital]\n"
	"themes: recovery\n"
	"tags:\n  - music\n  - hope\n"
	"language: en-GB\n"
	"license: CC-BY-4.0\n"
	"audio: voice.flac\n"
	"music: media/bed.wav\n"
	"art:\n"
	"  - file: a.png\n    alt: A red kite over hills\n"
	"  - file: b.png\n    alt: Hands on a piano\n"
	"transcript: voice.vtt\n"
	"season: 1\n"
	"episode: 3\n";

static char *full_bundle(const char *slug)
{
	char *dir = make_bundle(slug, full_front, "I *sang* again. Ünïcödé.\n");
	bundle_file(dir, "voice.flac", "FLAC");
	bundle_file(dir, "media/bed.wav", "RIFF");
	bundle_file(dir, "a.png", "PNG1");
	bundle_file(dir, "b.png", "PNG2");
	bundle_file(dir, "voice.vtt", "WEBVTT\n");
	return dir;
}

static void bundle_read_happy_path(void)
{
	struct hearth_err err;
	struct lib_story *s = NULL;
	char *dir = full_bundle("finding-my-voice");

	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK_STR(s->slug, "finding-my-voice");
	CHECK_STR(s->title, "Finding my voice");
	CHECK_STR(s->summary, "How singing helped.");
	CHECK_STR(s->body, "I *sang* again. Ünïcödé.\n");
	CHECK(s->status == ST_PUBLISHED && s->published_at == 1715299200);
	CHECK_STR(s->name, "Jo Real");
	CHECK_STR(s->pseudonym, "Robin");
	CHECK(s->attribution == ATTR_PSEUDONYM); /* the default when a pseudonym is given */
	CHECK_STR(s->contact, "jo@example.org");
	CHECK(s->consent_site && !s->consent_podcast && s->consent_given > 0);
	CHECK_STR(s->consent_recorded_by, "Sam");
	CHECK_STR(s->consent_note, "by phone");
	CHECK(strv_len(s->warnings) == 2 && !strcmp(s->warnings[1], "hospital"));
	CHECK(strv_len(s->themes) == 1 && !strcmp(s->themes[0], "recovery"));
	CHECK(strv_len(s->tags) == 2 && !strcmp(s->tags[0], "music"));
	CHECK_STR(s->language, "en-GB");
	CHECK_STR(s->license, "CC-BY-4.0");
	CHECK(s->season == 1 && s->episode == 3);
	CHECK(s->n_assets == 5);
	CHECK(s->assets[0].role == ROLE_AUDIO);
	CHECK_STR(s->assets[0].filename, "voice.flac");
	CHECK(s->assets[1].role == ROLE_MUSIC);
	CHECK_STR(s->assets[1].filename, "media/bed.wav");
	CHECK(s->assets[2].role == ROLE_ART);
	CHECK_STR(s->assets[2].alt, "A red kite over hills");
	CHECK_STR(s->assets[3].filename, "b.png");
	CHECK(s->assets[4].role == ROLE_TRANSCRIPT);
	CHECK(s->source_hash && strlen(s->source_hash) == 64);
	char *hash1 = xstrdup(s->source_hash);
	lib_story_free(&s);

	/* the same bundle hashes the same; changed media change the hash */
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK_STR(s->source_hash, hash1);
	lib_story_free(&s);
	bundle_file(dir, "media/bed.wav", "RIFF2");
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK(strcmp(s->source_hash, hash1) != 0);
	lib_story_free(&s);
	free(hash1);

	/* the smallest bundle: a title; defaults for the rest */
	free(dir);
	dir = make_bundle("tiny", "title: Tiny\n", "");
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK(s->status == ST_SUBMITTED && s->attribution == ATTR_ANONYMOUS);
	CHECK_STR(s->language, "en");
	CHECK(s->n_assets == 0 && !s->consent_site && !s->consent_podcast);
	lib_story_free(&s);
	free(dir);

	/*
	 * a name alone is never published by default: the most private choice
	 * (as submit does); attribution may be given explicitly
	 */
	dir = make_bundle("named", "title: N\ncontributor:\n  name: Al\n", "");
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK(s->attribution == ATTR_ANONYMOUS);
	lib_story_free(&s);
	free(dir);
	dir = make_bundle("anon", "title: N\ncontributor:\n  name: Al\n  pseudonym: P\n"
				  "  attribution: anonymous\n",
			  "");
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK(s->attribution == ATTR_ANONYMOUS);
	lib_story_free(&s);
	free(dir);
}

/* Writes a bundle and expects reading it to fail with code and sub. */
static int bundle_fails(const char *slug, const char *front, const char *body,
			struct hearth_err *err)
{
	struct lib_story *s = NULL;
	char *dir = make_bundle(slug, front, body);
	bundle_file(dir, "voice.flac", "FLAC");
	int rc = lib_bundle_read(dir, NULL, &s, err);
	lib_story_free(&s);
	free(dir);
	return rc;
}

static void bundle_read_refusals(void)
{
	struct hearth_err err;

	CHECK_FAILS(bundle_fails("b1", "summary: no title\n", "", &err), HEARTH_EINVAL, &err,
		    "b1/story.md: title: is missing");
	CHECK_FAILS(bundle_fails("b2", "title: T\ncolour: blue\n", "", &err), HEARTH_EINVAL,
		    &err, "b2/story.md: line 3: unknown key 'colour'");
	CHECK_FAILS(bundle_fails("b3", "title: T\ncontributor:\n  age: 3\n", "", &err),
		    HEARTH_EINVAL, &err, "unknown key 'contributor.age'");
	CHECK_FAILS(bundle_fails("b4", "title: T\naudio: ../b1/voice.flac\n", "", &err),
		    HEARTH_EINVAL, &err, "line 3: audio: '../b1/voice.flac' must be a relative path");
	CHECK_FAILS(bundle_fails("b5", "title: T\naudio: /etc/passwd\n", "", &err),
		    HEARTH_EINVAL, &err, "audio: '/etc/passwd' must be a relative path");
	CHECK_FAILS(bundle_fails("b6", "title: T\n\naudio: narration.flac\n", "", &err),
		    HEARTH_ENOENT, &err,
		    "b6/story.md: line 4: audio: file 'narration.flac' does not exist");
	CHECK_FAILS(bundle_fails("b7", "title: [unclosed\n", "", &err), HEARTH_EINVAL, &err,
		    "malformed YAML");
	CHECK_FAILS(bundle_fails("b8", "title: T\nart:\n  - voice.flac\n", "", &err),
		    HEARTH_EINVAL, &err, "art: 'voice.flac' needs alt text");
	CHECK_FAILS(bundle_fails("b9", "title: T\nart:\n  - file: voice.flac\n", "", &err),
		    HEARTH_EINVAL, &err, "has no alt text");
	CHECK_FAILS(bundle_fails("b10", "title: T\nart:\n  - file: voice.flac\n    alt: \"\"\n",
				 "", &err),
		    HEARTH_EINVAL, &err, "has no alt text");
	CHECK_FAILS(bundle_fails("b11", "title: T\ncontributor:\n  attribution: name\n", "",
				 &err),
		    HEARTH_EINVAL, &err, "contributor.attribution");
	CHECK_FAILS(bundle_fails("b12", "title: T\ncontributor:\n  attribution: pseudonym\n"
					"  name: X\n",
				 "", &err),
		    HEARTH_EINVAL, &err,
		    "contributor.attribution: is 'pseudonym' but no pseudonym is given");
	CHECK_FAILS(bundle_fails("b13", "title: T\nseason: 0\n", "", &err), HEARTH_EINVAL,
		    &err, "season: expected a positive whole number");
	CHECK_FAILS(bundle_fails("b14", "title: T\npublished: 10/05/2024\n", "", &err),
		    HEARTH_EINVAL, &err, "published: expected a date");
	CHECK_FAILS(bundle_fails("b15", "title: T\nstatus: live\n", "", &err), HEARTH_EINVAL,
		    &err, "status");
	CHECK_FAILS(bundle_fails("b16", "title: T\nconsent:\n  site: perhaps\n", "", &err),
		    HEARTH_EINVAL, &err, "consent.site: expected yes or no");
	CHECK_FAILS(bundle_fails("b17", "title: T\n", "bad \xff byte\n", &err), HEARTH_EINVAL,
		    &err, "not valid UTF-8");
	CHECK_FAILS(bundle_fails("Bad_Slug", "title: T\n", "", &err), HEARTH_EINVAL, &err,
		    "not a valid slug");
	CHECK_FAILS(bundle_fails("b19", "title:\n  - a\n", "", &err), HEARTH_EINVAL, &err,
		    "title: expected text");

	/* a link that leads out of the bundle, even to a real file */
	char *outside = tpath("outside-secret.txt");
	put(outside, "secret");
	char *dir = make_bundle("b20", "title: T\ntranscript: t.vtt\n", "");
	char *link = path_join(dir, "t.vtt");
	CHECK(symlink(outside, link) == 0);
	struct lib_story *s = NULL;
	CHECK_FAILS(lib_bundle_read(dir, NULL, &s, &err), HEARTH_EINVAL, &err,
		    "transcript: 't.vtt' is a link that leads outside");
	/* a link inside the bundle is fine */
	bundle_file(dir, "real.vtt", "WEBVTT\n");
	unlink(link);
	CHECK(symlink("real.vtt", link) == 0);
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	lib_story_free(&s);
	free(link);
	free(dir);
	/* a linked folder on the way out, the file itself plain */
	char *out_dir = tpath("outside-folder");
	CHECK_OK(mkdir_p(out_dir, &err), &err);
	char *out_file = path_join(out_dir, "t.vtt");
	put(out_file, "WEBVTT\n");
	dir = make_bundle("b21", "title: T\ntranscript: sub/t.vtt\n", "");
	link = path_join(dir, "sub");
	CHECK(symlink(out_dir, link) == 0);
	CHECK_FAILS(lib_bundle_read(dir, NULL, &s, &err), HEARTH_EINVAL, &err,
		    "transcript: 'sub/t.vtt' is a link that leads outside");
	free(link);
	free(dir);
	free(out_file);
	free(out_dir);
	free(outside);

	/* a folder where a file should be */
	dir = make_bundle("b18", "title: T\naudio: media\n", "");
	link = path_join(dir, "media");
	CHECK_OK(mkdir_p(link, &err), &err);
	CHECK_FAILS(lib_bundle_read(dir, NULL, &s, &err), HEARTH_EINVAL, &err,
		    "audio: 'media' is not a regular file");
	free(link);
	free(dir);

	/* no story.md, no front matter */
	dir = tpath("bundles/empty");
	CHECK_OK(mkdir_p(dir, &err), &err);
	CHECK_FAILS(lib_bundle_read(dir, NULL, &s, &err), HEARTH_ENOENT, &err, "story.md");
	bundle_file(dir, "story.md", "just text\n");
	CHECK_FAILS(lib_bundle_read(dir, NULL, &s, &err), HEARTH_EINVAL, &err, "front matter");
	free(dir);
}

/* ---- chapters ------------------------------------------------------------ */

static void bundle_chapters(void)
{
	struct hearth_err err;
	struct lib_story *s = NULL;
	char *dir = make_bundle("ch1",
				"title: T\n"
				"audio: voice.flac\n"
				"chapters:\n"
				"  - {start: 0, title: Opening}\n"
				"  - {start: \"1:30\", title: \"The kettle\"}\n"
				"  - start: 00:02:05.5\n"
				"    title: '  Tea, at last  '\n"
				"  - {start: 1:02:03, title: Late}\n"
				"  - {start: 4000.25, title: Later}\n",
				"");
	bundle_file(dir, "voice.flac", "FLAC");
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK(s->n_chapters == 5);
	CHECK(s->chapters[0].start == 0 && s->chapters[1].start == 90 &&
	      s->chapters[2].start == 125.5 && s->chapters[3].start == 3723 &&
	      s->chapters[4].start == 4000.25);
	CHECK_STR(s->chapters[0].title, "Opening");
	CHECK_STR(s->chapters[2].title, "Tea, at last");
	lib_story_free(&s);
	free(dir);

	/* music is sound enough; a first chapter after 0 is allowed */
	dir = make_bundle("ch2", "title: T\nmusic: voice.flac\nchapters:\n  - {start: 5, title: A}\n",
			  "");
	bundle_file(dir, "voice.flac", "FLAC");
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK(s->n_chapters == 1 && s->chapters[0].start == 5);
	lib_story_free(&s);
	free(dir);

	static const struct {
		const char *front, *want;
	} bad[] = {
		{"chapters:\n  - {start: 0, title: A, url: x}\n",
		 "story.md: line 5: unknown key 'chapters.url'"},
		{"chapters:\n  - {start: 0}\n",
		 "story.md: line 5: chapters.title: is missing; every chapter needs a title"},
		{"chapters:\n  - {title: A}\n", "story.md: line 5: chapters.start: is missing"},
		{"chapters:\n  - {start: \"1:75\", title: A}\n",
		 "story.md: line 5: chapters.start: expected a time like 1:30, 01:02:03 or 90.5 "
		 "(seconds), not '1:75'"},
		{"chapters:\n  - {start: \"1:5\", title: A}\n", "not '1:5'"},
		{"chapters:\n  - {start: -5, title: A}\n", "not '-5'"},
		{"chapters:\n  - {start: \"90,5\", title: A}\n", "not '90,5'"},
		{"chapters:\n  - {start: 1e3, title: A}\n", "not '1e3'"},
		{"chapters:\n  - {start: [1], title: A}\n", "chapters.start: expected a time"},
		{"chapters:\n  - {start: 0, title: A}\n  - {start: \"2:00\", title: B}\n"
		 "  - {start: \"1:30\", title: C}\n",
		 "story.md: line 7: chapters.start: 1:30 is not after the chapter before it (2:00); "
		 "chapters must start in order"},
		{"chapters:\n  - {start: 10, title: A}\n  - {start: \"0:10\", title: B}\n",
		 "line 6: chapters.start: 0:10 is not after the chapter before it (0:10)"},
		{"chapters: Opening at 0\n", "story.md: line 4: chapters: expected a list of {start, title}"},
		{"chapters:\n  - Opening\n", "line 5: chapters: expected items like"},
		{"chapters:\n  - start: 0\n    title: |\n      two\n      lines\n",
		 "chapters.title: must be one line of text"},
		{"chapters:\n  - {start: 0, title: \"\"}\n", "chapters.title: is missing"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char slug[16], *front = xasprintf("title: T\naudio: voice.flac\n%s", bad[i].front);
		snprintf(slug, sizeof slug, "chb%zu", i);
		int rc = bundle_fails(slug, front, "", &err);
		free(front);
		if (rc != HEARTH_EINVAL || !strstr(err.msg, bad[i].want))
			printf("# %zu: %d \"%s\"\n", i, rc, err.msg);
		CHECK(rc == HEARTH_EINVAL && strstr(err.msg, bad[i].want));
	}
	/* a long title */
	struct buf long_title = BUF_INIT;
	buf_puts(&long_title, "title: T\naudio: voice.flac\nchapters:\n  - {start: 0, title: ");
	for (int i = 0; i < 201; i++)
		buf_puts(&long_title, "\xc3\xa9");
	buf_puts(&long_title, "}\n");
	CHECK_FAILS(bundle_fails("chlong", buf_cstr(&long_title), "", &err), HEARTH_EINVAL, &err,
		    "chapters.title: is longer than 200 characters");
	buf_release(&long_title);
	/* chapters mark a sound */
	CHECK_FAILS(bundle_fails("chnone", "title: T\nchapters:\n  - {start: 0, title: A}\n", "",
				 &err),
		    HEARTH_EINVAL, &err,
		    "chnone/story.md: line 4: chapters: the story has no audio or music for them to "
		    "mark");
}

static void chapters_stored_public_and_exported(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("chapters");
	struct lib_story *s = NULL, *got = NULL;
	struct pub_story **v = NULL;
	struct buf b = BUF_INIT;
	size_t n = 0;
	bool changed;
	char *dir = make_bundle("told",
				"title: Told\nstatus: published\npublished: 2024-05-10\n"
				"consent: {site: yes, podcast: yes}\naudio: voice.flac\n"
				"chapters:\n  - {start: 0, title: Opening}\n"
				"  - {start: \"1:30.25\", title: \"The \\\"kettle\\\"\"}\n",
				"");
	bundle_file(dir, "voice.flac", "FLAC");

	CHECK_OK(import_dir(lib, dir, &changed, &err), &err);
	CHECK_OK(lib_story_get(lib, "told", &got, &err), &err);
	CHECK(got->n_chapters == 2 && got->chapters[1].start == 90.25);
	CHECK_STR(got->chapters[1].title, "The \"kettle\"");
	lib_story_free(&got);

	CHECK_OK(lib_public_view(lib, CH_PODCAST, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 1 && v[0]->n_chapters == 2 && v[0]->chapters[1].start == 90.25);
	CHECK_STR(v[0]->chapters[0].title, "Opening");
	pub_story_list_free(v, n);

	CHECK_OK(lib_export_json(lib, false, &b, &err), &err);
	CHECK(strstr(buf_cstr(&b), "\"chapters\": [\n        {\n          \"start\": 0,\n"
				   "          \"title\": \"Opening\"\n        },\n"
				   "        {\n          \"start\": 90.250,\n"));
	buf_release(&b);

	/* a new bundle replaces them; none leaves none */
	bundle_file(dir, "story.md",
		    "---\ntitle: Told\nstatus: published\npublished: 2024-05-10\n"
		    "consent: {site: yes, podcast: yes}\naudio: voice.flac\n---\n");
	CHECK_OK(import_dir(lib, dir, &changed, &err), &err);
	CHECK(changed);
	CHECK_OK(lib_story_get(lib, "told", &got, &err), &err);
	CHECK(got->n_chapters == 0 && got->chapters == NULL);
	lib_story_free(&got);

	/* the library checks them too: inside the audio, in order, with sound */
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	for (size_t i = 0; i < s->n_assets; i++) {
		char sha[65];
		char *p = path_join(dir, s->assets[i].filename);
		CHECK_OK(lib_store_add(lib, p, sha, &err), &err);
		free(p);
		free(s->assets[i].sha256);
		s->assets[i].sha256 = xstrdup(sha);
		s->assets[i].duration = 120;
	}
	free(s->source_hash);
	s->source_hash = NULL;
	s->chapters = xcalloc(2, sizeof *s->chapters);
	s->n_chapters = 2;
	s->chapters[0].title = xstrdup("A");
	s->chapters[1].title = xstrdup("B");
	s->chapters[1].start = 125;
	CHECK_FAILS(lib_story_import(lib, s, &changed, NULL, &err), HEARTH_EINVAL, &err,
		    "story 'told': chapters: chapter 2 'B' starts at 2:05, after the end of the "
		    "audio (2:00)");
	s->chapters[1].start = 0;
	CHECK_FAILS(lib_story_import(lib, s, &changed, NULL, &err), HEARTH_EINVAL, &err,
		    "chapter 2 (0:00) does not start after the one before it");
	s->chapters[1].start = 119.5;
	CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
	s->assets[0].role = ROLE_ART;
	s->assets[0].alt = xstrdup("a picture");
	CHECK_FAILS(lib_story_import(lib, s, &changed, NULL, &err), HEARTH_EINVAL, &err,
		    "chapters: the story has no audio or music for them to mark");
	lib_story_free(&s);
	free(dir);
	lib_close(&lib);
}

/* A catalogue from before chapters (schema 1) gains the table when opened. */
static void migrates_to_chapters(void)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	char *dir = tpath("migrate-ch");
	char *db = path_join(dir, "hearth.db");
	sqlite3 *h = NULL;
	int64_t v = 0;

	CHECK_OK(lib_init(dir, &err), &err);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, UNDO_5 "DROP TABLE chapters; DROP TABLE invites; "
			   "PRAGMA user_version = 1", NULL, NULL,
			   NULL) == SQLITE_OK);
	sqlite3_close(h);
	CHECK_OK(lib_open(dir, &lib, &err), &err);
	lib_close(&lib);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	sqlite3_stmt *st = NULL;
	CHECK(sqlite3_prepare_v2(h, "SELECT (SELECT user_version FROM pragma_user_version), "
				    "(SELECT count(*) FROM sqlite_master WHERE name = 'chapters'), "
				    "(SELECT count(*) FROM sqlite_master WHERE name = 'invites')",
				 -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	CHECK(v == 10 && sqlite3_column_int(st, 1) == 1 && sqlite3_column_int(st, 2) == 1);
	sqlite3_finalize(st);
	sqlite3_close(h);
	free(db);
	free(dir);
}

/* Schema 3 forgets a podcast GUID made from init's placeholder; any other stays. */
static void migration_forgets_placeholder_guid(void)
{
	static const char *const stored[] = {"bab2ba12-9757-5da6-a770-0e70e6bcf214",
					     "0a6c1c1e-5a2f-5c43-9d34-6d1f7b4a2e11"};
	for (int i = 0; i < 2; i++) {
		struct hearth_err err;
		hearth_lib *lib = NULL;
		char *dir = tpath(i ? "migrate-guid-real" : "migrate-guid");
		char *db = path_join(dir, "hearth.db");
		char *sql = xasprintf("INSERT INTO settings (key, value) VALUES "
				      "('podcast_guid', '%s'); " UNDO_5 "DROP TABLE invites; "
				      "PRAGMA user_version = 2",
				      stored[i]);
		struct lib_settings s;
		sqlite3 *h = NULL;

		CHECK_OK(lib_init(dir, &err), &err);
		CHECK(sqlite3_open(db, &h) == SQLITE_OK);
		CHECK(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(h);
		CHECK_OK(lib_open(dir, &lib, &err), &err);
		CHECK_OK(lib_settings_load(lib, &s, &err), &err);
		if (i == 0)
			CHECK(s.podcast_guid == NULL);
		else
			CHECK_STR(s.podcast_guid, stored[i]);
		lib_settings_release(&s);
		lib_close(&lib);
		free(sql);
		free(db);
		free(dir);
	}
}

/* ---- import and submission --------------------------------------------- */

static void import_is_idempotent(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("import-idem");
	char *dir = full_bundle("idem");
	bool changed = false;

	CHECK_OK(import_dir(lib, dir, &changed, &err), &err);
	CHECK(changed);
	char *before = export_of(lib, true);
	size_t audits = audit_count(lib);
	CHECK_OK(import_dir(lib, dir, &changed, &err), &err);
	CHECK(!changed);
	char *after = export_of(lib, true);
	CHECK(before && after);
	CHECK_STR(after, before);
	CHECK(audit_count(lib) == audits);

	struct lib_story *s = NULL;
	CHECK_OK(lib_story_get(lib, "idem", &s, &err), &err);
	char guid[37];
	uuid5("d6d024d8-e448-4f80-8b1e-9c0d5ef293e4", "story:idem", guid);
	CHECK_STR(s->guid, guid);
	CHECK(s->status == ST_PUBLISHED && s->published_at == 1715299200);
	CHECK(s->n_assets == 5 && s->assets[0].sha256 && s->assets[2].alt);
	CHECK_STR(s->assets[1].filename, "media/bed.wav");
	CHECK(s->created_at > 0 && s->updated_at >= s->created_at);
	lib_story_free(&s);
	free(before);
	free(after);
	free(dir);
	lib_close(&lib);
}

static void import_updates_and_keeps_identity(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("import-update");
	char *dir = full_bundle("upd");
	struct lib_story *a = NULL, *b = NULL;
	bool changed;

	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	CHECK_OK(import_dir(lib, dir, &changed, &err), &err);
	CHECK_OK(lib_story_get(lib, "upd", &a, &err), &err);
	setenv("SOURCE_DATE_EPOCH", "1700000100", 1);
	/* content changes; status, date, consent and a wider attribution do not */
	bundle_file(dir, "story.md",
		    "---\ntitle: A new title\nstatus: approved\npublished: 2024-06-01\n"
		    "tags: calm\ncontributor:\n  name: Jo\n  pseudonym: Wren\n"
		    "  attribution: name\nconsent: {site: no, podcast: yes}\n"
		    "art:\n  - file: b.png\n    alt: Hands\n---\nNew body\n");
	struct buf report = BUF_INIT;
	CHECK_OK(import_dir_report(lib, dir, &changed, &report, &err), &err);
	CHECK(changed);
	CHECK_OK(lib_story_get(lib, "upd", &b, &err), &err);
	unsetenv("SOURCE_DATE_EPOCH");
	CHECK(b->id == a->id);
	CHECK_STR(b->guid, a->guid);
	CHECK(b->created_at == a->created_at && b->updated_at == 1700000100);
	CHECK_STR(b->title, "A new title");
	CHECK_STR(b->body, "New body\n");
	CHECK(b->status == ST_PUBLISHED && b->published_at == a->published_at);
	CHECK(b->attribution == ATTR_PSEUDONYM && b->contact == NULL);
	CHECK_STR(b->name, "Jo");
	CHECK_STR(b->pseudonym, "Wren");
	CHECK(b->warnings == NULL && strv_len(b->tags) == 1);
	CHECK(b->n_assets == 1 && !strcmp(b->assets[0].alt, "Hands"));
	CHECK(b->consent_site && !b->consent_podcast);
	CHECK(b->consent_given == a->consent_given);
	CHECK_STR(b->consent_recorded_by, "Sam");
	CHECK_STR(b->consent_note, "by phone");
	CHECK_STR(buf_cstr(&report),
		  "upd: updated text, media, warnings, themes, tags, language, licence, "
		  "season and episode and contributor details; kept consent recorded by Sam "
		  "on 2024-05-01 (site yes, podcast no); the bundle's consent block is "
		  "ignored\n"
		  "upd: kept status published; the bundle says approved\n"
		  "upd: kept publication date 2024-05-10; the bundle says 2024-06-01\n"
		  "upd: kept attribution pseudonym; the bundle says name\n");

	struct lib_audit *h = NULL;
	size_t n = 0;
	CHECK_OK(lib_audit_list(lib, "upd", &h, &n, &err), &err);
	CHECK(n == 2);
	CHECK_STR(h[0].action, "import");
	CHECK(strstr(h[0].detail, "new: status published (scheduled for 2024-05-10); consent "
				  "recorded by Sam on 2024-05-01 (site yes, podcast no), from "
				  "the bundle"));
	CHECK_STR(h[1].action, "update");
	CHECK_STR(h[1].actor, "tester");
	CHECK(strstr(h[1].detail, "kept consent recorded by Sam on 2024-05-01"));
	CHECK(strstr(h[1].detail, "; kept status published; the bundle says approved"));
	CHECK(strstr(h[1].detail, "; kept attribution pseudonym; the bundle says name"));
	lib_audit_free(h, n);

	/* the kept attribution needs its pseudonym */
	bundle_file(dir, "story.md",
		    "---\ntitle: A new title\ncontributor:\n  name: Jo\n  attribution: name\n"
		    "---\nNew body\n");
	CHECK_FAILS(import_dir(lib, dir, &changed, &err), HEARTH_EINVAL, &err,
		    "named by pseudonym");
	CHECK(!changed);

	/* a bundle may name the contributor less openly */
	bundle_file(dir, "story.md",
		    "---\ntitle: A new title\ncontributor:\n  name: Jo\n"
		    "  attribution: anonymous\nart:\n  - file: b.png\n    alt: Hands\n"
		    "---\nNew body\n");
	buf_reset(&report);
	CHECK_OK(import_dir_report(lib, dir, &changed, &report, &err), &err);
	CHECK(status_of(lib, "upd") == ST_PUBLISHED);
	CHECK(strstr(buf_cstr(&report), "upd: attribution is now anonymous (was pseudonym)"));
	lib_story_free(&b);
	CHECK_OK(lib_story_get(lib, "upd", &b, &err), &err);
	CHECK(b->attribution == ATTR_ANONYMOUS);
	buf_release(&report);

	/* assets must be in the store before an import */
	b->source_hash[0] = 'x';
	free(b->assets[0].sha256);
	b->assets[0].sha256 = xstrdup("0000000000000000000000000000000000000000000000000000000000000000");
	CHECK_FAILS(lib_story_import(lib, b, &changed, NULL, &err), HEARTH_ENOENT, &err,
		    "missing from the store");
	lib_story_free(&a);
	lib_story_free(&b);
	free(dir);
	lib_close(&lib);
}

static void import_published_needs_consent(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("import-consent");
	CHECK_FAILS(put_story(lib, "nc", ST_PUBLISHED, false, false, 0, &err), HEARTH_ECONSENT,
		    &err, "no consent");
	CHECK(status_of(lib, "nc") == ST_COUNT);
	CHECK_OK(put_story(lib, "ok", ST_PUBLISHED, false, true, 0, &err), &err);
	lib_close(&lib);
}

static void submit_makes_unique_slugs(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("submit");
	struct lib_story *in = story_new("x", "Finding my Voice!");
	char *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *s5 = NULL;

	free(in->slug);
	in->slug = NULL;
	in->status = ST_PUBLISHED; /* ignored: a submission is always submitted */
	CHECK_OK(lib_story_submit(lib, in, NULL, &s1, &err), &err);
	CHECK_OK(lib_story_submit(lib, in, NULL, &s2, &err), &err);
	CHECK_OK(lib_story_submit(lib, in, NULL, &s3, &err), &err);
	CHECK_STR(s1, "finding-my-voice");
	CHECK_STR(s2, "finding-my-voice-2");
	CHECK_STR(s3, "finding-my-voice-3");
	CHECK(status_of(lib, s2) == ST_SUBMITTED);

	in->slug = xstrdup("walk");
	CHECK_OK(lib_story_submit(lib, in, NULL, &s4, &err), &err);
	CHECK_OK(lib_story_submit(lib, in, NULL, &s5, &err), &err);
	CHECK_STR(s4, "walk");
	CHECK_STR(s5, "walk-2");

	struct lib_story *a = NULL, *b = NULL;
	CHECK_OK(lib_story_get(lib, s1, &a, &err), &err);
	CHECK_OK(lib_story_get(lib, s2, &b, &err), &err);
	CHECK(strcmp(a->guid, b->guid) != 0 && strlen(a->guid) == 36);
	lib_story_free(&a);
	lib_story_free(&b);

	/* a long slug stays valid with its suffix */
	free(in->slug);
	in->slug = xstrdup("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	char *l1 = NULL, *l2 = NULL;
	CHECK_OK(lib_story_submit(lib, in, NULL, &l1, &err), &err);
	CHECK_OK(lib_story_submit(lib, in, NULL, &l2, &err), &err);
	CHECK(slug_valid(l2) && str_ends(l2, "-2") && strlen(l2) == 80);
	free(l1);
	free(l2);

	struct lib_audit *h = NULL;
	size_t n = 0;
	CHECK_OK(lib_audit_list(lib, "walk", &h, &n, &err), &err);
	CHECK(n == 1);
	CHECK_STR(h[0].action, "submit");
	lib_audit_free(h, n);

	/* bad input */
	free(in->slug);
	in->slug = xstrdup("Not A Slug");
	char *bad = NULL;
	CHECK_FAILS(lib_story_submit(lib, in, NULL, &bad, &err), HEARTH_EINVAL, &err, "not valid");
	free(in->slug);
	in->slug = NULL;
	free(in->title);
	in->title = NULL;
	CHECK_FAILS(lib_story_submit(lib, in, NULL, &bad, &err), HEARTH_EINVAL, &err, "title");

	lib_story_free(&in);
	free(s1);
	free(s2);
	free(s3);
	free(s4);
	free(s5);
	lib_close(&lib);
}

/* ---- workflow ---------------------------------------------------------- */

static void status_names_and_table(void)
{
	enum lib_status st;
	static const char *const names[] = {"submitted", "in_review", "changes_requested",
					    "approved", "published", "withdrawn", "rejected"};
	for (int i = 0; i < ST_COUNT; i++) {
		CHECK_STR(lib_status_name((enum lib_status)i), names[i]);
		CHECK(lib_status_parse(names[i], &st) == 0 && st == (enum lib_status)i);
	}
	CHECK(lib_status_parse("live", &st) == HEARTH_EINVAL);
	enum lib_attribution a;
	CHECK(lib_attribution_parse("pseudonym", &a) == 0 && a == ATTR_PSEUDONYM);
	CHECK_STR(lib_attribution_name(ATTR_ANONYMOUS), "anonymous");
	CHECK(lib_attribution_parse("nick", &a) == HEARTH_EINVAL);

	/* columns are in enum order: submitted, in_review, changes_requested,
	 * approved, published, withdrawn, rejected */
	static const char *const expect[ST_COUNT] = {
		".1...11", "..11.11", ".1...11", ".1..111", ".....1.", ".......", ".......",
	};
	for (int f = 0; f < ST_COUNT; f++)
		for (int t = 0; t < ST_COUNT; t++)
			CHECK(lib_status_can_move((enum lib_status)f, (enum lib_status)t) ==
			      (expect[f][t] == '1'));
}

static void workflow_every_legal_move(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("workflow");

	/* the long way round */
	CHECK_OK(put_story(lib, "w", ST_SUBMITTED, false, false, 0, &err), &err);
	CHECK_OK(lib_story_move(lib, "w", ST_IN_REVIEW, NULL, &err), &err);
	CHECK_OK(lib_story_move(lib, "w", ST_CHANGES_REQUESTED, "shorten it", &err), &err);
	CHECK_OK(lib_story_move(lib, "w", ST_IN_REVIEW, NULL, &err), &err);
	CHECK_OK(lib_story_move(lib, "w", ST_APPROVED, NULL, &err), &err);
	CHECK_OK(lib_story_move(lib, "w", ST_IN_REVIEW, "one more look", &err), &err);
	CHECK_OK(lib_story_move(lib, "w", ST_APPROVED, NULL, &err), &err);
	CHECK_OK(lib_story_set_consent(lib, "w", true, false, "Sam", NULL, &err), &err);
	CHECK_OK(lib_story_move(lib, "w", ST_PUBLISHED, NULL, &err), &err);
	CHECK(status_of(lib, "w") == ST_PUBLISHED);
	CHECK_OK(lib_story_move(lib, "w", ST_WITHDRAWN, "asked by phone", &err), &err);
	CHECK(status_of(lib, "w") == ST_WITHDRAWN);

	struct lib_story *s = NULL;
	CHECK_OK(lib_story_get(lib, "w", &s, &err), &err);
	CHECK_STR(s->review_note, "one more look");
	CHECK(!s->consent_site && s->consent_withdrawn_at > 0);
	lib_story_free(&s);

	/* every way to reject, every way to withdraw */
	static const enum lib_status before[] = {ST_SUBMITTED, ST_IN_REVIEW,
						 ST_CHANGES_REQUESTED, ST_APPROVED};
	for (size_t i = 0; i < 4; i++) {
		char rj[16], wd[16];
		snprintf(rj, sizeof rj, "rj%zu", i);
		snprintf(wd, sizeof wd, "wd%zu", i);
		CHECK_OK(put_story(lib, rj, before[i], false, false, 0, &err), &err);
		CHECK_OK(put_story(lib, wd, before[i], false, false, 0, &err), &err);
		CHECK_OK(lib_story_move(lib, rj, ST_REJECTED, "not for us", &err), &err);
		CHECK(status_of(lib, rj) == ST_REJECTED);
		CHECK_OK(lib_story_move(lib, wd, ST_WITHDRAWN, NULL, &err), &err);
		CHECK(status_of(lib, wd) == ST_WITHDRAWN);
	}

	struct lib_audit *h = NULL;
	size_t n = 0;
	CHECK_OK(lib_audit_list(lib, "w", &h, &n, &err), &err);
	CHECK(n == 10); /* import, 6 moves, consent, publish, withdraw */
	CHECK_STR(h[2].action, "changes_requested");
	CHECK(strstr(h[2].detail, "in_review -> changes_requested: shorten it"));
	CHECK_STR(h[n - 2].action, "publish");
	CHECK_STR(h[n - 1].action, "withdraw");
	CHECK_STR(h[n - 1].detail, "asked by phone");
	lib_audit_free(h, n);
	lib_close(&lib);
}

static void workflow_illegal_moves_name_the_state(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("workflow-bad");

	CHECK_OK(put_story(lib, "x", ST_SUBMITTED, true, true, 0, &err), &err);
	CHECK_FAILS(lib_story_move(lib, "x", ST_PUBLISHED, NULL, &err), HEARTH_ESTATE, &err,
		    "story 'x' is submitted; it cannot move to published (allowed: in_review, "
		    "rejected, withdrawn)");
	CHECK_FAILS(lib_story_publish(lib, "x", 0, &err), HEARTH_ESTATE, &err,
		    "story 'x' is submitted");
	CHECK_FAILS(lib_story_move(lib, "x", ST_APPROVED, NULL, &err), HEARTH_ESTATE, &err,
		    "cannot move to approved");
	CHECK_FAILS(lib_story_move(lib, "x", ST_SUBMITTED, NULL, &err), HEARTH_ESTATE, &err,
		    "is submitted");
	CHECK_OK(lib_story_move(lib, "x", ST_REJECTED, NULL, &err), &err);
	CHECK_FAILS(lib_story_move(lib, "x", ST_IN_REVIEW, NULL, &err), HEARTH_ESTATE, &err,
		    "story 'x' is rejected; it cannot move to in_review (allowed: none; "
		    "rejected is final)");
	CHECK_FAILS(lib_story_withdraw(lib, "x", NULL, &err), HEARTH_ESTATE, &err,
		    "is rejected");

	CHECK_OK(put_story(lib, "p", ST_PUBLISHED, true, false, 1000, &err), &err);
	CHECK_FAILS(lib_story_move(lib, "p", ST_APPROVED, NULL, &err), HEARTH_ESTATE, &err,
		    "story 'p' is published; it cannot move to approved (allowed: withdrawn)");
	CHECK_FAILS(lib_story_move(lib, "nope", ST_IN_REVIEW, NULL, &err), HEARTH_ENOENT, &err,
		    "story 'nope' does not exist");
	CHECK(status_of(lib, "p") == ST_PUBLISHED);
	lib_close(&lib);
}

static void publish_requires_consent(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("publish");

	CHECK_OK(put_story(lib, "a", ST_APPROVED, false, false, 0, &err), &err);
	CHECK_FAILS(lib_story_publish(lib, "a", 0, &err), HEARTH_ECONSENT, &err,
		    "story 'a' has no consent for the site or the podcast; record consent first");
	CHECK(status_of(lib, "a") == ST_APPROVED);
	CHECK_OK(lib_story_set_consent(lib, "a", false, true, "Sam", "on paper", &err), &err);
	CHECK_OK(lib_story_publish(lib, "a", 1234567, &err), &err);
	struct lib_story *s = NULL;
	CHECK_OK(lib_story_get(lib, "a", &s, &err), &err);
	CHECK(s->status == ST_PUBLISHED && s->published_at == 1234567);
	CHECK(s->consent_podcast && !s->consent_site && s->consent_given > 0);
	CHECK_STR(s->consent_recorded_by, "Sam");
	CHECK_STR(s->consent_note, "on paper");
	lib_story_free(&s);

	setenv("SOURCE_DATE_EPOCH", "1600000000", 1);
	CHECK_OK(put_story(lib, "b", ST_APPROVED, true, false, 0, &err), &err);
	CHECK_OK(lib_story_publish(lib, "b", 0, &err), &err);
	CHECK_OK(lib_story_get(lib, "b", &s, &err), &err);
	unsetenv("SOURCE_DATE_EPOCH");
	CHECK(s->published_at == 1600000000);
	lib_story_free(&s);
	lib_close(&lib);
}

/* Editors correct dates and schedules; consent and the guid never move. */
static void publish_dates_can_be_corrected(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("reschedule");
	struct lib_story *s = NULL;
	struct pub_story **v = NULL;
	size_t n = 0;
	int64_t was = 0;
	char guid[37] = "";

	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	CHECK_OK(put_story(lib, "soon", ST_APPROVED, true, true, 0, &err), &err);
	CHECK_OK(lib_story_publish(lib, "soon", 1800000000, &err), &err);
	CHECK_OK(lib_story_get(lib, "soon", &s, &err), &err);
	snprintf(guid, sizeof guid, "%s", s->guid);
	lib_story_free(&s);

	/* a scheduled story's date moves, anywhere */
	CHECK_OK(lib_story_reschedule(lib, "soon", 1900000000, &was, &err), &err);
	CHECK(was == 1800000000);
	CHECK_FAILS(lib_story_publish(lib, "soon", 0, &err), HEARTH_ESTATE, &err,
		    "story 'soon' is already published (scheduled for 2030-03-17T17:46:40Z)");

	/* off the schedule: approved, consent as it was, nowhere public */
	CHECK_OK(lib_story_unschedule(lib, "soon", &was, &err), &err);
	CHECK(was == 1900000000);
	CHECK_OK(lib_story_get(lib, "soon", &s, &err), &err);
	CHECK(s->status == ST_APPROVED && s->consent_site && s->consent_podcast);
	CHECK(s->consent_withdrawn_at == 0);
	lib_story_free(&s);
	CHECK_FAILS(lib_story_unschedule(lib, "soon", NULL, &err), HEARTH_ESTATE, &err,
		    "story 'soon' is approved; only a published story whose date is still to "
		    "come can be taken off the schedule");

	/* published again without a date: the date it had, the same guid */
	CHECK_OK(lib_story_publish(lib, "soon", 0, &err), &err);
	CHECK_OK(lib_story_get(lib, "soon", &s, &err), &err);
	CHECK(s->status == ST_PUBLISHED && s->published_at == 1900000000);
	CHECK_STR(s->guid, guid);
	lib_story_free(&s);
	/* ... or with a new one */
	CHECK_OK(lib_story_unschedule(lib, "soon", NULL, &err), &err);
	CHECK_OK(lib_story_publish(lib, "soon", 1850000000, &err), &err);
	CHECK_OK(lib_story_get(lib, "soon", &s, &err), &err);
	CHECK(s->published_at == 1850000000);
	CHECK_STR(s->guid, guid);
	lib_story_free(&s);

	/* a live story: its date may be corrected, never into the future */
	CHECK_OK(put_story(lib, "live", ST_PUBLISHED, true, false, 1600000000, &err), &err);
	CHECK_FAILS(lib_story_unschedule(lib, "live", NULL, &err), HEARTH_ESTATE, &err,
		    "story 'live' has been live since 2020-09-13T12:26:40Z; it cannot be taken "
		    "off the schedule");
	CHECK_FAILS(lib_story_reschedule(lib, "live", 1800000000, NULL, &err), HEARTH_ESTATE,
		    &err, "cannot move into the future");
	CHECK_OK(lib_story_reschedule(lib, "live", 1650000000, &was, &err), &err);
	CHECK(was == 1600000000);
	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 1 && !strcmp(v[0]->slug, "live") && v[0]->published_at == 1650000000);
	pub_story_list_free(v, n);

	CHECK_OK(put_story(lib, "ap", ST_APPROVED, true, false, 0, &err), &err);
	CHECK_FAILS(lib_story_reschedule(lib, "ap", 1650000000, NULL, &err), HEARTH_ESTATE,
		    &err, "story 'ap' is approved; only a published story can have its date moved");
	CHECK_FAILS(lib_story_reschedule(lib, "nope", 1650000000, NULL, &err), HEARTH_ENOENT,
		    &err, "story 'nope' does not exist");
	CHECK_FAILS(lib_story_reschedule(lib, "ap", 0, NULL, &err), HEARTH_EINVAL, &err,
		    "a new publication date is needed");
	unsetenv("SOURCE_DATE_EPOCH");

	struct lib_audit *h = NULL;
	size_t nh = 0;
	static const char *const acts[] = {"import",  "publish",    "reschedule", "unschedule",
					   "publish", "unschedule", "publish"};
	CHECK_OK(lib_audit_list(lib, "soon", &h, &nh, &err), &err);
	CHECK(nh == 7);
	for (size_t i = 0; i < nh && i < 7; i++)
		CHECK_STR(h[i].action, acts[i]);
	CHECK(nh == 7 && strstr(h[2].detail, "publication date 2027-01-15T08:00:00Z -> "
					     "2030-03-17T17:46:40Z (scheduled)"));
	CHECK(nh == 7 && strstr(h[3].detail, "consent unchanged"));
	CHECK(nh == 7 && strstr(h[4].detail, "published at 2030-03-17T17:46:40Z (the date it "
					     "had before it was taken off the schedule)"));
	lib_audit_free(h, nh);
	CHECK_OK(lib_audit_list(lib, "live", &h, &nh, &err), &err);
	CHECK(nh == 2 && strstr(h[1].detail, "2020-09-13T12:26:40Z -> 2022-04-15T05:20:00Z "
					     "(live)"));
	lib_audit_free(h, nh);
	lib_close(&lib);
}

static void withdraw_turns_consent_off(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("withdraw");
	struct lib_story *s = NULL;

	CHECK_OK(put_story(lib, "w", ST_PUBLISHED, true, true, 1000, &err), &err);
	CHECK_OK(lib_story_withdraw(lib, "w", "peer asked on 3 May", &err), &err);
	CHECK_OK(lib_story_get(lib, "w", &s, &err), &err);
	CHECK(s->status == ST_WITHDRAWN && !s->consent_site && !s->consent_podcast);
	CHECK(s->consent_withdrawn_at > 0);
	lib_story_free(&s);
	CHECK_FAILS(lib_story_withdraw(lib, "w", NULL, &err), HEARTH_ESTATE, &err,
		    "story 'w' is withdrawn");
	CHECK_FAILS(lib_story_set_consent(lib, "w", true, false, "Sam", NULL, &err),
		    HEARTH_ESTATE, &err, "withdrawn");
	CHECK_OK(lib_story_set_consent(lib, "w", false, false, "Sam", NULL, &err), &err);

	struct lib_audit *h = NULL;
	size_t n = 0;
	CHECK_OK(lib_audit_list(lib, "w", &h, &n, &err), &err);
	CHECK(n == 3);
	CHECK_STR(h[1].action, "withdraw");
	CHECK_STR(h[1].detail, "peer asked on 3 May");
	lib_audit_free(h, n);
	lib_close(&lib);
}

/* A re-import never publishes a rejected story nor gives consent back. */
static void reimport_keeps_status_and_consent(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("reimport-keeps");
	struct lib_story *s = NULL;
	struct pub_story **v = NULL;
	size_t n = 0;

	CHECK_OK(put_story(lib, "r", ST_REJECTED, true, true, 0, &err), &err);
	CHECK_OK(put_story(lib, "r", ST_PUBLISHED, true, true, 1000, &err), &err);
	CHECK(status_of(lib, "r") == ST_REJECTED);

	CHECK_OK(put_story(lib, "c", ST_PUBLISHED, true, true, 1000, &err), &err);
	CHECK_OK(lib_story_set_consent(lib, "c", true, false, "Jo", "by phone", &err), &err);
	CHECK_OK(put_story(lib, "c", ST_PUBLISHED, true, true, 2000, &err), &err);
	CHECK_OK(lib_story_get(lib, "c", &s, &err), &err);
	CHECK(s->consent_site && !s->consent_podcast && s->published_at == 1000);
	CHECK_STR(s->consent_recorded_by, "Jo");
	CHECK_STR(s->consent_note, "by phone");
	lib_story_free(&s);

	CHECK_OK(lib_public_view(lib, CH_PODCAST, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 0);
	pub_story_list_free(v, n);
	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 1 && !strcmp(v[0]->slug, "c"));
	pub_story_list_free(v, n);
	lib_close(&lib);
}

static void withdrawn_not_resurrected_by_import(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("resurrect");
	char *dir = full_bundle("kept");
	bool changed;
	struct lib_story *s = NULL;

	CHECK_OK(import_dir(lib, dir, &changed, &err), &err);
	CHECK(status_of(lib, "kept") == ST_PUBLISHED);
	CHECK_OK(lib_story_withdraw(lib, "kept", "consent withdrawn", &err), &err);

	/* the same bundle again: nothing to do */
	CHECK_OK(import_dir(lib, dir, &changed, &err), &err);
	CHECK(!changed);
	CHECK(status_of(lib, "kept") == ST_WITHDRAWN);

	/* an edited bundle that still says published */
	bundle_file(dir, "voice.vtt", "WEBVTT\n\nnew cue\n");
	CHECK_OK(import_dir(lib, dir, &changed, &err), &err);
	CHECK(changed);
	CHECK_OK(lib_story_get(lib, "kept", &s, &err), &err);
	CHECK(s->status == ST_WITHDRAWN && !s->consent_site && !s->consent_podcast);
	CHECK(s->consent_withdrawn_at > 0);
	lib_story_free(&s);

	struct pub_story **v = NULL;
	size_t n = 0;
	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 0);
	pub_story_list_free(v, n);

	struct lib_audit *h = NULL;
	size_t nh = 0;
	CHECK_OK(lib_audit_list(lib, "kept", &h, &nh, &err), &err);
	CHECK_STR(h[nh - 1].action, "update");
	CHECK(strstr(h[nh - 1].detail, "kept status withdrawn with consent off; the bundle "
					"says published"));
	lib_audit_free(h, nh);
	free(dir);
	lib_close(&lib);
}

/* ---- audit ------------------------------------------------------------- */

static void audit_actor_and_whole_log(void)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	char *dir = tpath("audit");
	struct lib_audit *h = NULL;
	size_t n = 0;

	setenv("HEARTH_USER", "robin", 1);
	CHECK_OK(lib_init(dir, &err), &err);
	CHECK_OK(lib_open(dir, &lib, &err), &err);
	unsetenv("HEARTH_USER");
	CHECK_OK(put_story(lib, "a", ST_SUBMITTED, false, false, 0, &err), &err);
	lib_set_actor(lib, "alice");
	CHECK_OK(lib_story_move(lib, "a", ST_IN_REVIEW, NULL, &err), &err);
	CHECK_OK(lib_collection_new(lib, "c", "C", NULL, false, &err), &err);
	CHECK_OK(lib_audit_list(lib, "a", &h, &n, &err), &err);
	CHECK(n == 2);
	CHECK_STR(h[0].actor, "robin");
	CHECK_STR(h[1].actor, "alice");
	CHECK(h[1].at > 0);
	lib_audit_free(h, n);
	CHECK_OK(lib_audit_list(lib, NULL, &h, &n, &err), &err);
	CHECK(n == 3);
	CHECK_STR(h[2].action, "collection_new");
	lib_audit_free(h, n);
	CHECK_FAILS(lib_audit_list(lib, "zzz", &h, &n, &err), HEARTH_ENOENT, &err, "zzz");
	free(dir);
	lib_close(&lib);
}

/* ---- collections ------------------------------------------------------- */

/* Fails unless collection c holds exactly the slugs in want, in order. */
static int coll_is(hearth_lib *lib, const char *c, const char *want)
{
	struct hearth_err err;
	struct lib_collection *col = NULL;
	if (lib_collection_get(lib, c, &col, &err))
		return 0;
	char *got = col->stories ? strv_join(col->stories, ",") : xstrdup("");
	int ok = !strcmp(got, want);
	if (!ok)
		printf("    collection %s is '%s', expected '%s'\n", c, got, want);
	free(got);
	lib_collection_free(&col);
	return ok;
}

static void collections_keep_dense_order(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("collections");
	static const char *const slugs[] = {"a", "b", "c", "d"};

	for (size_t i = 0; i < 4; i++)
		CHECK_OK(put_story(lib, slugs[i], ST_SUBMITTED, false, false, 0, &err), &err);
	CHECK_OK(lib_collection_new(lib, "s1", "Season one", "First", true, &err), &err);
	CHECK_FAILS(lib_collection_new(lib, "s1", "Again", NULL, false, &err), HEARTH_EEXIST,
		    &err, "already exists");
	CHECK_FAILS(lib_collection_new(lib, "Bad Slug", "T", NULL, false, &err), HEARTH_EINVAL,
		    &err, "not valid");
	CHECK_OK(lib_collection_add(lib, "s1", "a", -1, &err), &err);
	CHECK_OK(lib_collection_add(lib, "s1", "b", -1, &err), &err);
	CHECK_OK(lib_collection_add(lib, "s1", "c", 2, &err), &err);
	CHECK(coll_is(lib, "s1", "a,b,c"));
	CHECK_OK(lib_collection_add(lib, "s1", "d", 0, &err), &err);
	CHECK(coll_is(lib, "s1", "d,a,b,c"));
	CHECK_OK(lib_collection_move(lib, "s1", "c", 0, &err), &err);
	CHECK(coll_is(lib, "s1", "c,d,a,b"));
	CHECK_OK(lib_collection_move(lib, "s1", "c", 3, &err), &err);
	CHECK(coll_is(lib, "s1", "d,a,b,c"));
	CHECK_OK(lib_collection_move(lib, "s1", "a", 2, &err), &err);
	CHECK(coll_is(lib, "s1", "d,b,a,c"));
	CHECK_OK(lib_collection_move(lib, "s1", "a", 2, &err), &err);
	CHECK(coll_is(lib, "s1", "d,b,a,c"));
	CHECK_OK(lib_collection_remove(lib, "s1", "b", &err), &err);
	CHECK(coll_is(lib, "s1", "d,a,c"));
	CHECK_OK(lib_collection_add(lib, "s1", "b", 1, &err), &err);
	CHECK(coll_is(lib, "s1", "d,b,a,c"));

	CHECK_FAILS(lib_collection_add(lib, "s1", "a", -1, &err), HEARTH_EEXIST, &err,
		    "story 'a' is already in collection 's1'");
	CHECK_FAILS(lib_collection_add(lib, "nope", "a", -1, &err), HEARTH_ENOENT, &err,
		    "collection 'nope' does not exist");
	CHECK_FAILS(lib_collection_add(lib, "s1", "zz", -1, &err), HEARTH_ENOENT, &err,
		    "story 'zz' does not exist");
	CHECK_OK(lib_collection_remove(lib, "s1", "c", &err), &err);
	/* positions in messages count from 1, as people give them */
	CHECK_FAILS(lib_collection_add(lib, "s1", "c", 4, &err), HEARTH_EINVAL, &err,
		    "position 5 is out of range: it holds 3 stories, so a new one goes at 1 to 4");
	CHECK_FAILS(lib_collection_move(lib, "s1", "a", 3, &err), HEARTH_EINVAL, &err,
		    "position 4 is out of range: it holds 3 stories, so 1 to 3");
	CHECK_FAILS(lib_collection_move(lib, "s1", "c", 0, &err), HEARTH_ENOENT, &err,
		    "story 'c' is not in collection 's1'");
	CHECK_FAILS(lib_collection_remove(lib, "s1", "c", &err), HEARTH_ENOENT, &err,
		    "is not in collection");
	CHECK(coll_is(lib, "s1", "d,b,a"));

	/* positions are dense 0..n-1 in the catalogue itself */
	char *db = path_join(lib_dir(lib), "hearth.db");
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(h,
				 "SELECT group_concat(position) FROM (SELECT position FROM "
				 "collection_items ORDER BY position)",
				 -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "0,1,2");
	sqlite3_finalize(st);
	sqlite3_close(h);
	free(db);

	struct lib_collection **v = NULL;
	size_t n = 0;
	CHECK_OK(lib_collection_new(lib, "empty", "Empty", NULL, false, &err), &err);
	CHECK_OK(lib_collection_list(lib, &v, &n, &err), &err);
	CHECK(n == 2);
	CHECK_STR(v[0]->slug, "empty");
	CHECK(v[0]->stories == NULL);
	CHECK_STR(v[1]->description, "First");
	CHECK(v[1]->podcast);
	lib_collection_list_free(v, n);
	lib_close(&lib);
}

static void collection_files_and_import(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("coll-import");
	struct lib_collection *c = NULL;
	char *path = tpath("colls/first-steps.yaml");
	bool changed;

	CHECK_OK(put_story(lib, "a", ST_SUBMITTED, false, false, 0, &err), &err);
	CHECK_OK(put_story(lib, "b", ST_SUBMITTED, false, false, 0, &err), &err);
	put(path, "title: First steps\ndescription: Where to start\npodcast: yes\n"
		  "stories:\n  - b\n  - a\n");
	CHECK_OK(lib_collection_read(path, NULL, &c, &err), &err);
	CHECK_STR(c->slug, "first-steps");
	CHECK(c->podcast && strv_len(c->stories) == 2);
	CHECK_OK(lib_collection_import(lib, c, &changed, &err), &err);
	CHECK(changed);
	CHECK(coll_is(lib, "first-steps", "b,a"));
	size_t audits = audit_count(lib);
	CHECK_OK(lib_collection_import(lib, c, &changed, &err), &err);
	CHECK(!changed);
	CHECK(audit_count(lib) == audits);
	lib_collection_free(&c);

	put(path, "title: First steps\nstories: [a]\n");
	CHECK_OK(lib_collection_read(path, NULL, &c, &err), &err);
	CHECK_OK(lib_collection_import(lib, c, &changed, &err), &err);
	CHECK(changed);
	CHECK(coll_is(lib, "first-steps", "a"));
	lib_collection_free(&c);

	put(path, "title: First steps\nstories: [a, ghost]\n");
	CHECK_OK(lib_collection_read(path, NULL, &c, &err), &err);
	CHECK_FAILS(lib_collection_import(lib, c, &changed, &err), HEARTH_ENOENT, &err,
		    "collection 'first-steps': story 'ghost' does not exist");
	CHECK(!changed);
	CHECK(coll_is(lib, "first-steps", "a"));
	lib_collection_free(&c);

	put(path, "title: X\nshelf: 2\n");
	CHECK_FAILS(lib_collection_read(path, NULL, &c, &err), HEARTH_EINVAL, &err,
		    "first-steps.yaml: line 2: unknown key 'shelf'");
	put(path, "description: no title\n");
	CHECK_FAILS(lib_collection_read(path, NULL, &c, &err), HEARTH_EINVAL, &err, "title");
	put(path, "title: X\nstories: [a, a]\n");
	CHECK_FAILS(lib_collection_read(path, NULL, &c, &err), HEARTH_EINVAL, &err, "listed twice");
	/* the first fault in the list's order is named, with its line */
	put(path, "title: X\nstories:\n  - a\n  - b\n  - b\n  - a\n");
	CHECK_FAILS(lib_collection_read(path, NULL, &c, &err), HEARTH_EINVAL, &err,
		    "line 5: stories: 'b' is listed twice");
	put(path, "title: X\nstories:\n  - a\n  - a\n  - Bad\n");
	CHECK_FAILS(lib_collection_read(path, NULL, &c, &err), HEARTH_EINVAL, &err,
		    "line 4: stories: 'a' is listed twice");
	put(path, "title: X\nstories:\n  - a\n  - Bad\n  - a\n");
	CHECK_FAILS(lib_collection_read(path, NULL, &c, &err), HEARTH_EINVAL, &err,
		    "line 4: stories: 'Bad' is not a story slug");
	/* and by the import of a collection made some other way */
	{
		static char sa[] = "a", sb[] = "b", sb2[] = "b";
		char *list[] = {sa, sb, sb2, NULL};
		struct lib_collection twice = {.slug = sa, .title = sb, .stories = list};
		CHECK_FAILS(lib_collection_import(lib, &twice, &changed, &err), HEARTH_EINVAL,
			    &err, "collection 'a': story 'b' is listed twice");
	}
	put(path, "title: X\npodcast: sometimes\n");
	CHECK_FAILS(lib_collection_read(path, NULL, &c, &err), HEARTH_EINVAL, &err, "podcast");
	put(path, "title: X\ntype: sequential\n");
	CHECK_FAILS(lib_collection_read(path, NULL, &c, &err), HEARTH_EINVAL, &err,
		    "line 2: type: expected serial or episodic");

	/* type: serial is kept, and a change of type alone is a change */
	put(path, "title: First steps\nstories: [a]\ntype: serial\n");
	CHECK_OK(lib_collection_read(path, NULL, &c, &err), &err);
	CHECK(c->serial);
	CHECK_OK(lib_collection_import(lib, c, &changed, &err), &err);
	CHECK(changed);
	lib_collection_free(&c);
	CHECK_OK(lib_collection_get(lib, "first-steps", &c, &err), &err);
	CHECK(c->serial);
	lib_collection_free(&c);
	free(path);
	lib_close(&lib);
}

/* ---- the public view --------------------------------------------------- */

static void public_view_filters(void)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	struct pub_story **v = NULL;
	struct pub_collection **cv = NULL;
	size_t n = 0, nc = 0;
	const int64_t now = 1700000000;

	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	lib = fresh_lib("public");
	CHECK_OK(put_story(lib, "both", ST_PUBLISHED, true, true, now - 100, &err), &err);
	CHECK_OK(put_story(lib, "site", ST_PUBLISHED, true, false, now - 50, &err), &err);
	CHECK_OK(put_story(lib, "pod", ST_PUBLISHED, false, true, now - 10, &err), &err);
	CHECK_OK(put_story(lib, "future", ST_PUBLISHED, true, true, now + 1000, &err), &err);
	CHECK_OK(put_story(lib, "approved", ST_APPROVED, true, true, 0, &err), &err);
	CHECK_OK(put_story(lib, "gone", ST_PUBLISHED, true, true, now - 5, &err), &err);
	CHECK_OK(lib_story_withdraw(lib, "gone", NULL, &err), &err);
	CHECK_OK(put_story(lib, "off", ST_PUBLISHED, true, true, now - 5, &err), &err);
	CHECK_OK(lib_story_set_consent(lib, "off", false, false, "Sam", NULL, &err), &err);
	CHECK_OK(put_story(lib, "same-time", ST_PUBLISHED, true, false, now - 50, &err), &err);
	CHECK_OK(lib_collection_new(lib, "mix", "Mix", NULL, false, &err), &err);
	static const char *const order[] = {"future", "pod", "both", "approved", "site",
					    "gone", "off", "same-time"};
	for (size_t i = 0; i < 8; i++)
		CHECK_OK(lib_collection_add(lib, "mix", order[i], -1, &err), &err);

	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, &cv, &nc, &err), &err);
	CHECK(n == 3);
	CHECK_STR(v[0]->slug, "same-time"); /* equal times: by slug */
	CHECK_STR(v[1]->slug, "site");
	CHECK_STR(v[2]->slug, "both");
	CHECK(v[2]->on_site && v[2]->on_podcast && v[1]->on_site && !v[1]->on_podcast);
	CHECK(nc == 1 && strv_len(cv[0]->stories) == 3);
	CHECK_STR(cv[0]->stories[0], "both");
	CHECK_STR(cv[0]->stories[1], "site");
	CHECK_STR(cv[0]->stories[2], "same-time");
	/* the collection's show: the podcast channel's stories, in the editors' order */
	CHECK(strv_len(cv[0]->episodes) == 2 && !cv[0]->serial);
	CHECK_STR(cv[0]->episodes[0], "pod");
	CHECK_STR(cv[0]->episodes[1], "both");
	CHECK(v[0]->anonymous); /* put_story's stories are anonymous */
	pub_story_list_free(v, n);
	pub_collection_list_free(cv, nc);

	CHECK_OK(lib_public_view(lib, CH_PODCAST, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 2);
	CHECK_STR(v[0]->slug, "pod");
	CHECK_STR(v[1]->slug, "both");
	pub_story_list_free(v, n);

	/* time passes: the scheduled story appears */
	setenv("SOURCE_DATE_EPOCH", "1700001000", 1);
	CHECK_OK(lib_public_view(lib, CH_PODCAST, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 3);
	CHECK_STR(v[0]->slug, "future");
	pub_story_list_free(v, n);
	unsetenv("SOURCE_DATE_EPOCH");
	lib_close(&lib);
}

/*
 * The view of both channels at once comes without bodies but with their
 * hashes; a body is read per story through the site view's conditions,
 * and an edited body changes its hash.
 */
static void public_view_all_and_bodies(void)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	struct pub_story **v = NULL;
	struct pub_collection **cv = NULL;
	size_t n = 0, nc = 0;
	lib_body_reader *r = NULL;
	char *body = NULL, sha[65], want[65], first[65];
	const int64_t now = 1700000000;

	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	lib = fresh_lib("public-all");
	CHECK_OK(put_story(lib, "both", ST_PUBLISHED, true, true, now - 100, &err), &err);
	CHECK_OK(put_story(lib, "site", ST_PUBLISHED, true, false, now - 50, &err), &err);
	CHECK_OK(put_story(lib, "pod", ST_PUBLISHED, false, true, now - 10, &err), &err);
	CHECK_OK(put_story(lib, "future", ST_PUBLISHED, true, true, now + 1000, &err), &err);
	CHECK_OK(put_story(lib, "approved", ST_APPROVED, true, true, 0, &err), &err);
	CHECK_OK(put_story(lib, "gone", ST_PUBLISHED, true, true, now - 5, &err), &err);
	CHECK_OK(lib_story_withdraw(lib, "gone", NULL, &err), &err);
	CHECK_OK(lib_collection_new(lib, "mix", "Mix", NULL, false, &err), &err);
	CHECK_OK(lib_collection_add(lib, "mix", "pod", -1, &err), &err);
	CHECK_OK(lib_collection_add(lib, "mix", "site", -1, &err), &err);

	CHECK_OK(lib_public_view_all(lib, &v, &n, &cv, &nc, &err), &err);
	CHECK(n == 3);
	CHECK_STR(v[0]->slug, "pod");
	CHECK_STR(v[1]->slug, "site");
	CHECK_STR(v[2]->slug, "both");
	CHECK(!v[0]->on_site && v[0]->on_podcast);
	CHECK(v[1]->on_site && !v[1]->on_podcast);
	CHECK(v[2]->on_site && v[2]->on_podcast);
	sha256_hex("Some words.\n", strlen("Some words.\n"), want);
	for (size_t i = 0; i < n; i++)
		CHECK(v[i]->body == NULL && v[i]->body_sha256 && !strcmp(v[i]->body_sha256, want));
	/* the collections list only what has a page */
	CHECK(nc == 1 && strv_len(cv[0]->stories) == 1);
	CHECK_STR(cv[0]->stories[0], "site");
	snprintf(first, sizeof first, "%s", v[1]->body_sha256);
	pub_story_list_free(v, n);
	pub_collection_list_free(cv, nc);

	CHECK_OK(lib_public_bodies_open(lib, &r, &err), &err);
	CHECK_OK(lib_public_body(r, "site", &body, sha, &err), &err);
	CHECK_STR(body, "Some words.\n");
	CHECK(!strcmp(sha, want));
	free(body);
	/* no page, no body: podcast only, scheduled, unpublished, withdrawn, unknown */
	static const char *const none[] = {"pod", "future", "approved", "gone", "nobody"};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		CHECK(lib_public_body(r, none[i], &body, sha, &err) == HEARTH_ENOENT);
		CHECK(body == NULL);
	}
	lib_public_bodies_close(&r);
	CHECK(r == NULL);
	lib_public_bodies_close(&r);

	/* many at once: the same bodies and hashes, in the order asked */
	{
		const char *two[] = {"both", "site"};
		char *bodies[2] = {NULL, NULL}, shas[2][65];
		CHECK_OK(lib_public_bodies_read(lib, two, 2, bodies, shas, &err), &err);
		for (size_t i = 0; i < 2; i++) {
			CHECK_STR(bodies[i], "Some words.\n");
			CHECK(!strcmp(shas[i], want));
			free(bodies[i]);
		}
		CHECK_OK(lib_public_bodies_read(lib, two, 0, bodies, shas, &err), &err);
		/* one that has no page fails them all, naming it */
		for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
			const char *three[] = {"site", none[i], "both"};
			char *b3[3] = {NULL, NULL, NULL}, s3[3][65];
			CHECK(lib_public_bodies_read(lib, three, 3, b3, s3, &err) == HEARTH_ENOENT);
			CHECK(strstr(err.msg, none[i]) != NULL);
			CHECK(!b3[0] && !b3[1] && !b3[2]);
		}
		/* the catalogue is left as it was: an ordinary read still works */
		CHECK_OK(lib_public_bodies_read(lib, two, 2, bodies, shas, &err), &err);
		free(bodies[0]);
		free(bodies[1]);
	}

	/* an edited body: a new hash, the new text */
	struct lib_story *s = story_new("site", "site");
	bool changed;
	free(s->body);
	s->body = xstrdup("Other words.\n");
	s->status = ST_PUBLISHED;
	s->consent_site = true;
	s->published_at = now - 50;
	CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
	lib_story_free(&s);
	CHECK_OK(lib_public_view_all(lib, &v, &n, &cv, &nc, &err), &err);
	CHECK(n == 3 && !strcmp(v[1]->slug, "site") && strcmp(v[1]->body_sha256, first) != 0);
	CHECK_OK(lib_public_bodies_open(lib, &r, &err), &err);
	CHECK_OK(lib_public_body(r, "site", &body, sha, &err), &err);
	CHECK_STR(body, "Other words.\n");
	CHECK(!strcmp(sha, v[1]->body_sha256));
	free(body);
	lib_public_bodies_close(&r);
	{
		/* asked out of the slugs' order: each body where its slug was */
		const char *two[] = {"site", "both"};
		char *b2[2] = {NULL, NULL}, s2[2][65];
		CHECK_OK(lib_public_bodies_read(lib, two, 2, b2, s2, &err), &err);
		CHECK_STR(b2[0], "Other words.\n");
		CHECK(!strcmp(s2[0], v[1]->body_sha256));
		CHECK_STR(b2[1], "Some words.\n");
		CHECK(!strcmp(s2[1], v[2]->body_sha256));
		free(b2[0]);
		free(b2[1]);
	}
	pub_story_list_free(v, n);
	pub_collection_list_free(cv, nc);
	unsetenv("SOURCE_DATE_EPOCH");
	lib_close(&lib);
}

/* True when two public records hold the same fields (not the body: the view of both has none). */
static bool pub_same(const struct pub_story *a, const struct pub_story *b)
{
#define SAME_STR(x, y) ((!(x) && !(y)) || ((x) && (y) && !strcmp((x), (y))))
	bool ok = SAME_STR(a->slug, b->slug) && SAME_STR(a->guid, b->guid) &&
		  SAME_STR(a->title, b->title) && SAME_STR(a->summary, b->summary) &&
		  SAME_STR(a->byline, b->byline) && SAME_STR(a->language, b->language) &&
		  SAME_STR(a->license, b->license) && a->published_at == b->published_at &&
		  a->updated_at == b->updated_at && a->on_site == b->on_site &&
		  a->on_podcast == b->on_podcast && a->season == b->season &&
		  a->episode == b->episode && a->anonymous == b->anonymous &&
		  SAME_STR(a->body_sha256, b->body_sha256) && a->n_assets == b->n_assets &&
		  a->n_chapters == b->n_chapters && a->assets && b->assets && a->chapters &&
		  b->chapters &&
		  (a->sound ? b->sound && a->sound - a->assets == b->sound - b->assets : !b->sound);
	char **av[] = {a->warnings, a->themes, a->tags}, **bv[] = {b->warnings, b->themes, b->tags};
	for (int k = 0; ok && k < 3; k++) {
		ok = strv_len(av[k]) == strv_len(bv[k]);
		for (size_t i = 0; ok && av[k] && av[k][i]; i++)
			ok = !strcmp(av[k][i], bv[k][i]);
	}
	for (size_t i = 0; ok && i < a->n_assets; i++) {
		const struct pub_asset *x = &a->assets[i], *y = &b->assets[i];
		ok = x->role == y->role && x->index == y->index && SAME_STR(x->sha256, y->sha256) &&
		     SAME_STR(x->mime, y->mime) && SAME_STR(x->alt, y->alt) && x->size == y->size &&
		     x->duration == y->duration && x->width == y->width && x->height == y->height;
	}
	for (size_t i = 0; ok && i < a->n_chapters; i++)
		ok = a->chapters[i].start == b->chapters[i].start &&
		     SAME_STR(a->chapters[i].title, b->chapters[i].title);
#undef SAME_STR
	return ok;
}

/*
 * The view of both channels is read a table at a time, merged by story:
 * every record is the one the view of its channel gives, terms, files
 * (in role order) and chapters included, whatever order the stories were
 * stored in, and a private story's terms and files reach no record.
 */
static void public_view_all_matches_channels(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("public-all-match");
	struct pub_story **all = NULL, **site = NULL, **pod = NULL;
	size_t n = 0, n_site = 0, n_pod = 0, nc = 0;
	struct pub_collection **cv = NULL;
	char *f = tpath("pam.bin");
	char sha[65], want[65];
	bool changed;

	put(f, "sound");
	CHECK_OK(lib_store_add(lib, f, sha, &err), &err);
	/* stored newest last, so the catalogue's ids run against the view's order */
	for (int i = 0; i < 6; i++) {
		char *slug = xasprintf("s%d", i);
		struct lib_story *s = story_new(slug, slug);
		s->status = i == 4 ? ST_APPROVED : ST_PUBLISHED; /* s4: not public */
		s->consent_site = i != 2;
		s->consent_podcast = i % 2 == 0;
		s->published_at = 1000 + (i == 5 ? 0 : i * 10); /* s5 ties s0: by slug */
		s->tags = strv_push(strv_push(NULL, "b-tag"), "a-tag");
		s->themes = i % 3 ? strv_push(NULL, "hope") : NULL;
		s->warnings = i == 1 ? strv_push(NULL, "grief") : NULL;
		s->license = i == 3 ? xstrdup("CC-BY-4.0") : NULL;
		s->season = i;
		/* every kind of byline: a name, a pseudonym, nobody, a pseudonym that is the word */
		static const enum lib_attribution attrs[] = {ATTR_NAME, ATTR_PSEUDONYM,
							     ATTR_ANONYMOUS, ATTR_PSEUDONYM,
							     ATTR_NAME, ATTR_ANONYMOUS};
		s->attribution = attrs[i];
		if (i != 5) {
			s->name = xasprintf("Private Name %d", i);
			s->pseudonym = xstrdup(i == 3 ? "Anonymous" : "Peer");
		}
		if (i % 2 == 0 || i == 4) {
			/* s2 has music and no voice: the music is its sound */
			const enum lib_role roles[] = {ROLE_ART, ROLE_TRANSCRIPT, ROLE_MUSIC,
						       i == 2 ? ROLE_MUSIC : ROLE_AUDIO, ROLE_ART};
			s->n_assets = 5;
			s->assets = xcalloc(5, sizeof *s->assets);
			for (int k = 0; k < 5; k++) {
				s->assets[k].role = roles[k];
				s->assets[k].sha256 = xstrdup(sha);
				s->assets[k].filename = xasprintf("f%d-%d", i, k);
				s->assets[k].alt = roles[k] == ROLE_ART ? xasprintf("alt %d", k) : NULL;
				s->assets[k].duration = roles[k] == ROLE_AUDIO ? 60 : 0;
				s->assets[k].width = k;
			}
			s->n_chapters = 2;
			s->chapters = xcalloc(2, sizeof *s->chapters);
			s->chapters[0].title = xstrdup("Start");
			s->chapters[1].start = 30;
			s->chapters[1].title = xasprintf("Middle of %d", i);
		}
		free(s->body);
		s->body = xasprintf("The body of %d.\n", i);
		CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
		lib_story_free(&s);
		free(slug);
	}
	CHECK_OK(lib_public_view_all(lib, &all, &n, &cv, &nc, &err), &err);
	CHECK_OK(lib_public_view(lib, CH_SITE, &site, &n_site, NULL, NULL, &err), &err);
	CHECK_OK(lib_public_view(lib, CH_PODCAST, &pod, &n_pod, NULL, NULL, &err), &err);
	CHECK(n == 5 && n_site == 4 && n_pod == 2);
	size_t i_site = 0, i_pod = 0;
	for (size_t i = 0; i < n; i++) {
		CHECK(strcmp(all[i]->slug, "s4") != 0);
		if (all[i]->on_site)
			CHECK(i_site < n_site && pub_same(all[i], site[i_site++]));
		if (all[i]->on_podcast)
			CHECK(i_pod < n_pod && pub_same(all[i], pod[i_pod++]));
		const struct pub_story *ch = all[i]->on_site ? site[i_site - 1] : pod[i_pod - 1];
		sha256_hex(ch->body, strlen(ch->body), want);
		CHECK(all[i]->body == NULL && !strcmp(all[i]->body_sha256, want));
	}
	CHECK(i_site == n_site && i_pod == n_pod);
	CHECK_STR(all[0]->slug, "s3");
	CHECK(all[0]->anonymous && !strcmp(all[0]->byline, "Anonymous"));
	CHECK_STR(all[n - 2]->slug, "s0");
	CHECK(!all[n - 2]->anonymous && !strcmp(all[n - 2]->byline, "Private Name 0"));
	for (size_t i = 0; i < n; i++) /* no private name but the one chosen */
		CHECK(!strstr(all[i]->byline, "Private") || !strcmp(all[i]->slug, "s0"));
	CHECK_STR(all[n - 1]->slug, "s5");
	pub_story_list_free(all, n);
	pub_story_list_free(site, n_site);
	pub_story_list_free(pod, n_pod);
	pub_collection_list_free(cv, nc);
	free(f);
	lib_close(&lib);
}

/*
 * The view keys each body by the SHA-256 its import stored (migration 9);
 * a body written any other way (an editor, an erasure, SQL by hand) has
 * its stored hash cleared by the trigger, and the view hashes it again:
 * the hash always belongs to the body in the catalogue.
 */
static void public_view_body_hash_follows_every_write(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("public-body-hash");
	struct pub_story **v = NULL;
	struct pub_collection **cv = NULL;
	size_t n = 0, nc = 0;
	char want[65];
	char *db = path_join(lib_dir(lib), "hearth.db");
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	CHECK_OK(put_story(lib, "bh", ST_PUBLISHED, true, false, 1000, &err), &err);
	sha256_hex("Some words.\n", strlen("Some words.\n"), want);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(h, "SELECT body_sha256 FROM stories WHERE slug = 'bh'", -1, &st,
				 NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), want);
	sqlite3_reset(st);
	/* the same body written again keeps it; another body clears it */
	CHECK(sqlite3_exec(h, "UPDATE stories SET body = body WHERE slug = 'bh'", NULL, NULL,
			   NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), want);
	sqlite3_reset(st);
	CHECK(sqlite3_exec(h, "UPDATE stories SET body = 'Other words.' WHERE slug = 'bh'", NULL,
			   NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK(sqlite3_column_type(st, 0) == SQLITE_NULL);
	sqlite3_finalize(st);
	sqlite3_close(h);
	CHECK_OK(lib_public_view_all(lib, &v, &n, &cv, &nc, &err), &err);
	sha256_hex("Other words.", strlen("Other words."), want);
	CHECK(n == 1 && v[0]->body == NULL && !strcmp(v[0]->body_sha256, want));
	pub_story_list_free(v, n);
	pub_collection_list_free(cv, nc);
	/* an import stores it again */
	CHECK_OK(put_story(lib, "bh", ST_PUBLISHED, true, false, 1000, &err), &err);
	CHECK_OK(lib_public_view_all(lib, &v, &n, &cv, &nc, &err), &err);
	sha256_hex("Some words.\n", strlen("Some words.\n"), want);
	CHECK(n == 1 && !strcmp(v[0]->body_sha256, want));
	pub_story_list_free(v, n);
	pub_collection_list_free(cv, nc);
	free(db);
	lib_close(&lib);
}

/*
 * The view's stories come from stories_view alone (migration 10): no
 * story's row, which holds its body, is read to make the view, but for
 * a body whose hash is not stored. A catalogue of schema 9 gains the
 * index when it is opened, and its view is the same.
 */
static void public_view_reads_no_body(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("public-no-body");
	char *dir = xstrdup(lib_dir(lib));
	char *db = path_join(dir, "hearth.db");
	struct pub_story **v = NULL;
	struct pub_collection **cv = NULL;
	size_t n = 0, nc = 0;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	char want[65];

	CHECK_OK(put_story(lib, "nb", ST_PUBLISHED, true, false, 1000, &err), &err);
	lib_close(&lib);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	char *sql = xasprintf("EXPLAIN QUERY PLAN %s", lib_view_stories_sql);
	CHECK(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK);
	int covered = 0, rows = 0, subquery = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *step = (const char *)sqlite3_column_text(st, 3);
		if (strstr(step, "CORRELATED SCALAR SUBQUERY"))
			subquery = sqlite3_column_int(st, 0);
		else if (strstr(step, " s USING COVERING INDEX stories_view"))
			covered++;
		else if (!strncmp(step, "SCAN s", 6) || !strncmp(step, "SEARCH s ", 9))
			rows++; /* the stories' own rows */
	}
	sqlite3_finalize(st);
	free(sql);
	CHECK(covered == 1 && rows == 0 && subquery != 0);
	/* a catalogue as schema 9 left it: opened, it has the index, and the same view */
	CHECK(sqlite3_exec(h, UNDO_10 "PRAGMA user_version = 9", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(h);
	CHECK_OK(lib_open(dir, &lib, &err), &err);
	CHECK_OK(lib_public_view_all(lib, &v, &n, &cv, &nc, &err), &err);
	sha256_hex("Some words.\n", strlen("Some words.\n"), want);
	CHECK(n == 1 && !strcmp(v[0]->slug, "nb") && !strcmp(v[0]->body_sha256, want));
	pub_story_list_free(v, n);
	pub_collection_list_free(cv, nc);
	lib_close(&lib);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master WHERE name = 'stories_view'",
				 -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1);
	sqlite3_finalize(st);
	sqlite3_close(h);
	free(db);
	free(dir);
}

static void public_view_bylines_and_assets(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("public-assets");
	struct lib_story *s = story_new("art", "Art");
	struct pub_story **v = NULL;
	size_t n = 0;
	bool changed;
	char *f = tpath("pa.bin");
	char sha[65];

	put(f, "data");
	CHECK_OK(lib_store_add(lib, f, sha, &err), &err);
	static const enum lib_role roles[] = {ROLE_ART, ROLE_AUDIO, ROLE_ART, ROLE_TRANSCRIPT,
					      ROLE_ART};
	s->assets = xcalloc(5, sizeof *s->assets);
	s->n_assets = 5;
	for (int i = 0; i < 5; i++) {
		s->assets[i].role = roles[i];
		s->assets[i].sha256 = xstrdup(sha);
		s->assets[i].filename = xasprintf("file%d", i);
		s->assets[i].alt = roles[i] == ROLE_ART ? xasprintf("alt %d", i) : NULL;
	}
	s->status = ST_PUBLISHED;
	s->consent_site = true;
	s->published_at = 100;
	s->name = xstrdup("Real Name");
	s->attribution = ATTR_NAME;
	s->warnings = strv_push(NULL, "grief");
	CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
	lib_story_free(&s);
	s = story_new("pseudo", "P");
	s->status = ST_PUBLISHED;
	s->consent_site = true;
	s->published_at = 50;
	s->name = xstrdup("Hidden Name");
	s->pseudonym = xstrdup("Wren");
	s->attribution = ATTR_PSEUDONYM;
	CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
	free(s->slug);
	s->slug = xstrdup("anon");
	s->attribution = ATTR_ANONYMOUS;
	s->published_at = 10;
	CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
	lib_story_free(&s);

	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 3);
	CHECK_STR(v[0]->byline, "Real Name");
	CHECK_STR(v[1]->byline, "Wren");
	CHECK_STR(v[2]->byline, "Anonymous");
	CHECK(v[0]->n_assets == 5);
	/* role order: audio, art, art, art, transcript; index within the role */
	CHECK(v[0]->assets[0].role == ROLE_AUDIO);
	CHECK(v[0]->assets[0].index == 1);
	CHECK(v[0]->assets[1].role == ROLE_ART);
	CHECK_STR(v[0]->assets[1].alt, "alt 0");
	CHECK(v[0]->assets[1].index == 1 && v[0]->assets[2].index == 2 &&
	      v[0]->assets[3].index == 3);
	CHECK_STR(v[0]->assets[3].alt, "alt 4");
	CHECK(v[0]->assets[4].role == ROLE_TRANSCRIPT);
	CHECK(v[0]->assets[4].index == 1);
	CHECK_STR(v[0]->warnings[0], "grief");
	char guid[37];
	uuid5("d6d024d8-e448-4f80-8b1e-9c0d5ef293e4", "story:art", guid);
	CHECK_STR(v[0]->guid, guid);
	pub_story_list_free(v, n);
	free(f);
	lib_close(&lib);
}

#define MARK "PRIVMARK"

static int has_mark(const char *s)
{
	return s && strstr(s, MARK) != NULL;
}

static int strv_has_mark(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		if (has_mark(v[i]))
			return 1;
	return 0;
}

/* Every string a public record holds, checked for the marker. */
static int pub_has_mark(const struct pub_story *p)
{
	if (has_mark(p->slug) || has_mark(p->guid) || has_mark(p->title) ||
	    has_mark(p->summary) || has_mark(p->body) || has_mark(p->byline) ||
	    has_mark(p->language) || has_mark(p->license) || strv_has_mark(p->warnings) ||
	    strv_has_mark(p->themes) || strv_has_mark(p->tags))
		return 1;
	for (size_t i = 0; i < p->n_assets; i++)
		if (has_mark(p->assets[i].sha256) ||
		    has_mark(p->assets[i].mime) || has_mark(p->assets[i].alt))
			return 1;
	return 0;
}

static void private_fields_never_reach_the_public_view(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("privacy");
	char *dir = make_bundle("secret",
				"title: Public title\n"
				"contributor:\n"
				"  name: " MARK "-name\n"
				"  pseudonym: Kestrel\n"
				"  contact: " MARK "-contact@example.org\n"
				"consent:\n"
				"  site: yes\n"
				"  podcast: yes\n"
				"  recorded_by: " MARK "-recorder\n"
				"  note: " MARK "-consent-note\n"
				"audio: " MARK "-file.flac\n"
				"art:\n  - file: " MARK "-art.png\n    alt: A lighthouse\n",
				"Public words.\n");
	bundle_file(dir, MARK "-file.flac", "FLAC");
	bundle_file(dir, MARK "-art.png", "PNG");
	char *dir2 = make_bundle("quiet",
				 "title: Quiet\n"
				 "contributor:\n"
				 "  name: " MARK "-anon-name\n"
				 "  attribution: anonymous\n"
				 "  contact: " MARK "-anon-contact\n"
				 "consent: {site: yes, podcast: yes, note: " MARK "-n2}\n",
				 "Words.\n");
	bool changed;

	CHECK_OK(import_dir(lib, dir, &changed, &err), &err);
	CHECK_OK(import_dir(lib, dir2, &changed, &err), &err);
	static const char *const slugs[] = {"secret", "quiet"};
	for (int i = 0; i < 2; i++) {
		CHECK_OK(lib_story_move(lib, slugs[i], ST_IN_REVIEW, MARK "-review-1", &err), &err);
		CHECK_OK(lib_story_move(lib, slugs[i], ST_APPROVED, MARK "-review-2", &err), &err);
		CHECK_OK(lib_story_set_consent(lib, slugs[i], true, true, MARK "-by",
					       MARK "-again", &err),
			 &err);
		CHECK_OK(lib_story_publish(lib, slugs[i], 1000, &err), &err);
	}
	CHECK_OK(lib_collection_new(lib, "all", "All", "Everything", true, &err), &err);
	CHECK_OK(lib_collection_add(lib, "all", "secret", -1, &err), &err);
	CHECK_OK(lib_collection_add(lib, "all", "quiet", -1, &err), &err);

	/* the markers are really there, in the catalogue */
	struct lib_story *s = NULL;
	CHECK_OK(lib_story_get(lib, "secret", &s, &err), &err);
	CHECK(has_mark(s->name) && has_mark(s->contact) && has_mark(s->consent_recorded_by) &&
	      has_mark(s->consent_note) && has_mark(s->review_note) &&
	      has_mark(s->assets[0].filename) && has_mark(s->assets[1].filename));
	lib_story_free(&s);

	for (int ch = CH_SITE; ch <= CH_PODCAST; ch++) {
		struct pub_story **v = NULL;
		struct pub_collection **cv = NULL;
		size_t n = 0, nc = 0;
		CHECK_OK(lib_public_view(lib, (enum lib_channel)ch, &v, &n, &cv, &nc, &err),
			 &err);
		CHECK(n == 2 && nc == 1);
		for (size_t i = 0; i < n; i++)
			CHECK(!pub_has_mark(v[i]));
		CHECK(strv_len(cv[0]->stories) == 2);
		CHECK(!has_mark(cv[0]->slug) && !has_mark(cv[0]->title) &&
		      !has_mark(cv[0]->description) && !strv_has_mark(cv[0]->stories));
		CHECK_STR(v[0]->byline, "Anonymous"); /* quiet, then secret: same time, by slug */
		CHECK_STR(v[1]->byline, "Kestrel");
		pub_story_list_free(v, n);
		pub_collection_list_free(cv, nc);
	}

	/* the export hides them unless asked */
	char *pub = export_of(lib, false), *priv = export_of(lib, true);
	CHECK(pub && priv);
	CHECK(!has_mark(pub));
	CHECK(strstr(pub, "Kestrel") && strstr(pub, "\"history\""));
	static const char *const marks[] = {MARK "-name", MARK "-contact", MARK "-by",
					    MARK "-again", MARK "-review-2", MARK "-file.flac",
					    MARK "-art.png", MARK "-anon-name", MARK "-review-1"};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		CHECK(strstr(priv, marks[i]));
	free(pub);
	free(priv);
	free(dir);
	free(dir2);
	lib_close(&lib);
}

static void export_json_shape(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("export");
	struct buf b = BUF_INIT;

	CHECK_OK(lib_export_json(lib, false, &b, &err), &err);
	CHECK_STR(buf_cstr(&b), "{\n  \"stories\": [],\n  \"collections\": []\n}\n");
	buf_release(&b);

	struct lib_story *s = story_new("named", "Named");
	bool changed;
	s->name = xstrdup("Pat Public");
	s->attribution = ATTR_NAME;
	s->contact = xstrdup("pat@example.org");
	CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
	lib_story_free(&s);
	CHECK_OK(lib_collection_new(lib, "c", "C", NULL, false, &err), &err);
	CHECK_OK(lib_collection_add(lib, "c", "named", -1, &err), &err);
	CHECK_OK(lib_export_json(lib, false, &b, &err), &err);
	const char *j = buf_cstr(&b);
	CHECK(strstr(j, "\"slug\": \"named\""));
	CHECK(strstr(j, "\"name\": \"Pat Public\"")); /* the byline itself is public */
	CHECK(!strstr(j, "pat@example.org") && !strstr(j, "\"contact\""));
	CHECK(!strstr(j, "\"detail\"") && strstr(j, "\"action\": \"import\""));
	CHECK(strstr(j, "\"stories\": [\n        \"named\"\n      ]"));
	buf_release(&b);
	CHECK_OK(lib_export_json(lib, true, &b, &err), &err);
	CHECK(strstr(buf_cstr(&b), "\"contact\": \"pat@example.org\""));
	CHECK(strstr(buf_cstr(&b), "\"detail\": "));
	buf_release(&b);

	struct lib_story **v = NULL;
	size_t n = 0;
	CHECK_OK(put_story(lib, "p1", ST_PUBLISHED, true, false, 300, &err), &err);
	CHECK_OK(put_story(lib, "p0", ST_PUBLISHED, true, false, 200, &err), &err);
	CHECK_OK(lib_story_list(lib, ST_PUBLISHED, &v, &n, &err), &err);
	CHECK(n == 2);
	CHECK_STR(v[0]->slug, "p0");
	lib_story_list_free(v, n);
	CHECK_OK(lib_story_list(lib, -1, &v, &n, &err), &err);
	CHECK(n == 3);
	CHECK_STR(v[0]->slug, "named"); /* no publication time sorts first */
	lib_story_list_free(v, n);
	lib_close(&lib);
}

/* A story with one audio asset whose object holds text; stored and imported. */
static int put_story_with_file(hearth_lib *lib, const char *slug, const char *content,
			       char sha[65], struct hearth_err *err)
{
	struct lib_story *s = story_new(slug, slug);
	char *src = tpath(slug);
	bool changed;
	int rc;

	put(src, content);
	s->name = xstrdup("Rosa Private");
	s->contact = xstrdup("rosa@example.org");
	s->consent_recorded_by = xstrdup("Jo Recorder");
	s->consent_note = xstrdup("NOTE-PRIVATE");
	s->consent_site = true;
	s->status = ST_PUBLISHED;
	s->published_at = 1000;
	s->assets = xcalloc(1, sizeof *s->assets);
	s->n_assets = 1;
	s->assets[0].role = ROLE_AUDIO;
	s->assets[0].filename = xstrdup("rosa-voice.flac");
	rc = lib_store_add(lib, src, sha, err);
	if (!rc) {
		s->assets[0].sha256 = xstrdup(sha);
		rc = lib_story_import(lib, s, &changed, NULL, err);
	}
	lib_story_free(&s);
	free(src);
	return rc;
}

static void store_sweep_needs_exclusive_lock(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("sweep");
	struct lib_store_lock *sh = NULL, *ex = NULL, *other = NULL;
	char **removed = NULL, used[65], orphan[65];
	size_t n_temp = 0;
	char *src = tpath("sweep-orphan.bin");

	CHECK_OK(put_story_with_file(lib, "kept", "kept bytes", used, &err), &err);
	/* an import has stored an object but not yet recorded it */
	CHECK_OK(lib_store_lock(lib, LIB_LOCK_SHARED, true, &sh, &err), &err);
	CHECK(sh != NULL);
	put(src, "orphan bytes");
	CHECK_OK(lib_store_add(lib, src, orphan, &err), &err);
	char *obj = lib_store_path(lib, orphan);
	char *tmp = xasprintf("%s.tmp-Zz9Yy8", obj);
	put(tmp, "half");
	/* gc cannot take the lock meanwhile: it is told, and waits for nobody */
	CHECK_OK(lib_store_lock(lib, LIB_LOCK_EXCLUSIVE, false, &ex, &err), &err);
	CHECK(ex == NULL);
	CHECK_FAILS(lib_store_sweep(lib, sh, &removed, NULL, &err), HEARTH_ESTATE, &err,
		    "exclusive");
	lib_store_unlock(&sh);
	/* once the import is over, the sweep takes only what nothing refers to */
	CHECK_OK(lib_store_lock(lib, LIB_LOCK_EXCLUSIVE, false, &ex, &err), &err);
	CHECK(ex != NULL);
	CHECK_OK(lib_store_lock(lib, LIB_LOCK_SHARED, false, &other, &err), &err);
	CHECK(other == NULL);
	CHECK_OK(lib_store_sweep(lib, ex, &removed, &n_temp, &err), &err);
	lib_store_unlock(&ex);
	CHECK(strv_len(removed) == 1 && !strcmp(removed[0], orphan));
	CHECK(n_temp == 1);
	CHECK(!path_exists(obj) && !path_exists(tmp));
	char *kept = lib_store_path(lib, used);
	CHECK(path_is_file(kept));
	free(kept);
	free(obj);
	free(tmp);
	free(src);
	strv_free(removed);
	lib_close(&lib);
}

static void erase_only_withdrawn_and_clears_personal_fields(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("erase");
	struct lib_story *s = NULL;
	struct lib_audit *h = NULL;
	struct buf json = BUF_INIT;
	char sha[65], sha2[65];
	char **own = NULL;
	size_t n = 0;

	CHECK_OK(put_story_with_file(lib, "rosa", "rosa's voice", sha, &err), &err);
	CHECK_OK(put_story_with_file(lib, "twin", "rosa's voice", sha2, &err), &err);
	CHECK_OK(put_story_with_file(lib, "solo", "solo voice", sha2, &err), &err);
	CHECK_FAILS(lib_story_erase(lib, "rosa", &err), HEARTH_ESTATE, &err,
		    "story 'rosa' is published; only a withdrawn story can be erased");
	CHECK_FAILS(lib_story_erase(lib, "nobody", &err), HEARTH_ENOENT, &err, "nobody");
	CHECK_OK(lib_store_story_objects(lib, "rosa", true, &own, &err), &err);
	CHECK(own == NULL); /* twin uses the same bytes */
	CHECK_OK(lib_store_story_objects(lib, "solo", true, &own, &err), &err);
	CHECK(strv_len(own) == 1 && !strcmp(own[0], sha2));
	strv_free(own);

	CHECK_OK(lib_story_withdraw(lib, "rosa", "REASON-PRIVATE", &err), &err);
	CHECK_OK(lib_story_erase(lib, "rosa", &err), &err);
	CHECK_OK(lib_story_get(lib, "rosa", &s, &err), &err);
	CHECK_STR(s->title, "(erased)");
	CHECK(s->status == ST_WITHDRAWN && s->n_assets == 0 && !s->name && !s->contact);
	CHECK(!s->consent_note && !s->consent_recorded_by && !s->summary && !*s->body);
	lib_story_free(&s);
	CHECK_OK(lib_export_json(lib, true, &json, &err), &err);
	CHECK(!strstr(buf_cstr(&json), "REASON-PRIVATE"));
	CHECK(strstr(buf_cstr(&json), "Rosa Private") != NULL); /* twin's, not rosa's */
	CHECK_OK(lib_audit_list(lib, "rosa", &h, &n, &err), &err);
	CHECK(n >= 3);
	CHECK_STR(h[n - 1].action, "erase");
	for (size_t i = 0; i + 1 < n; i++)
		CHECK(h[i].detail == NULL);
	lib_audit_free(h, n);
	buf_release(&json);
	lib_close(&lib);
}

/* ---- one home per rule ------------------------------------------------- */

static void roles_are_an_enum_named_at_the_edges(void)
{
	enum lib_role r;
	static const char *const names[ROLE_COUNT] = {"audio", "music", "art", "transcript"};
	for (int i = 0; i < ROLE_COUNT; i++) {
		CHECK_STR(lib_role_name((enum lib_role)i), names[i]);
		CHECK(lib_role_parse(names[i], &r) == 0 && r == (enum lib_role)i);
	}
	CHECK(lib_role_parse("text", &r) == HEARTH_EINVAL); /* the story's body is no role */
	CHECK(lib_role_parse("Audio", &r) == HEARTH_EINVAL);
	CHECK(lib_role_parse(NULL, &r) == HEARTH_EINVAL);
	CHECK_STR(lib_role_name(ROLE_COUNT), "");
}

static void attribution_default_is_the_most_private(void)
{
	struct hearth_err err;
	enum lib_attribution a;

	/* nothing said: the pseudonym when there is one, else nobody's name */
	CHECK_OK(lib_attribution_settle(NULL, NULL, NULL, &a, &err), &err);
	CHECK(a == ATTR_ANONYMOUS);
	CHECK_OK(lib_attribution_settle(NULL, "Real Name", NULL, &a, &err), &err);
	CHECK(a == ATTR_ANONYMOUS);
	CHECK_OK(lib_attribution_settle("", "Real Name", "", &a, &err), &err);
	CHECK(a == ATTR_ANONYMOUS);
	CHECK_OK(lib_attribution_settle(NULL, "Real Name", "Wren", &a, &err), &err);
	CHECK(a == ATTR_PSEUDONYM);
	/* said: taken when it can be honoured */
	CHECK_OK(lib_attribution_settle("name", "Real Name", "Wren", &a, &err), &err);
	CHECK(a == ATTR_NAME);
	CHECK_OK(lib_attribution_settle("anonymous", "Real Name", "Wren", &a, &err), &err);
	CHECK(a == ATTR_ANONYMOUS);
	CHECK(lib_attribution_settle("famous", NULL, NULL, &a, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "expected name, pseudonym or anonymous, not 'famous'"));
	CHECK(lib_attribution_settle("name", "", "Wren", &a, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "no name is given"));
	CHECK(lib_attribution_settle("pseudonym", "Real Name", NULL, &a, &err) ==
	      HEARTH_EINVAL);
	CHECK(strstr(err.msg, "no pseudonym is given"));

	/* a bundle follows the same rule */
	struct lib_story *s = NULL;
	char *dir = make_bundle("pseudo-default",
				"title: N\ncontributor:\n  name: Al\n  pseudonym: Kit\n", "");
	CHECK_OK(lib_bundle_read(dir, NULL, &s, &err), &err);
	CHECK(s && s->attribution == ATTR_PSEUDONYM);
	lib_story_free(&s);
	free(dir);
}

/* The value of "key": "..." after the first "after" in json; new allocation or NULL. */
static char *json_str_after(const char *json, const char *after, const char *key)
{
	const char *p = json ? strstr(json, after) : NULL;
	char *pat = xasprintf("\"%s\":", key);
	const char *k = p ? strstr(p, pat) : NULL;
	char *out = NULL;
	free(pat);
	if (!k)
		return NULL;
	k = strchr(k, ':') + 1;
	while (*k == ' ')
		k++;
	if (*k != '"')
		return NULL;
	const char *e = strchr(k + 1, '"');
	out = e ? xstrndup(k + 1, (size_t)(e - k - 1)) : NULL;
	return out;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void export_byline_is_the_public_views(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("export-byline");
	static const struct {
		const char *slug;
		enum lib_attribution attr;
	} cases[] = {
		{"named", ATTR_NAME}, {"pseud", ATTR_PSEUDONYM}, {"anon", ATTR_ANONYMOUS}};
	struct pub_story **v = NULL;
	size_t n = 0;
	bool changed;

	for (size_t i = 0; i < 3; i++) {
		struct lib_story *s = story_new(cases[i].slug, "T");
		s->status = ST_PUBLISHED;
		s->consent_site = true;
		s->published_at = 100 + (int64_t)i;
		s->name = xstrdup("Rowan Realname");
		s->pseudonym = xstrdup("Kestrel");
		s->attribution = cases[i].attr;
		CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
		lib_story_free(&s);
	}
	char *pub = export_of(lib, false);
	CHECK(pub != NULL);
	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 3);
	for (size_t i = 0; i < n; i++) {
		char *at = xasprintf("\"slug\": \"%s\"", v[i]->slug);
		char *b = json_str_after(pub, at, "byline");
		CHECK(b != NULL);
		if (b)
			CHECK_STR(b, v[i]->byline);
		free(b);
		free(at);
	}
	/* a name or pseudonym leaves only with the story it is the byline of */
	CHECK(count_of(pub, "Rowan Realname") == 2); /* byline and name of "named" */
	CHECK(count_of(pub, "Kestrel") == 2);        /* byline and pseudonym of "pseud" */
	pub_story_list_free(v, n);
	free(pub);
	lib_close(&lib);
}

static void story_sound_first_audio_else_music(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("sound");
	struct lib_story *s = story_new("tracks", "T");
	struct pub_story **v = NULL;
	size_t n = 0;
	bool changed;
	char *f = tpath("snd.bin");
	char sha[65];

	put(f, "sound");
	CHECK_OK(lib_store_add(lib, f, sha, &err), &err);
	static const enum lib_role roles[] = {ROLE_ART, ROLE_MUSIC, ROLE_AUDIO, ROLE_AUDIO};
	s->assets = xcalloc(4, sizeof *s->assets);
	s->n_assets = 4;
	for (int i = 0; i < 4; i++) {
		s->assets[i].role = roles[i];
		s->assets[i].sha256 = xstrdup(sha);
		s->assets[i].filename = xasprintf("f%d", i);
		s->assets[i].alt = roles[i] == ROLE_ART ? xstrdup("a picture") : NULL;
		s->assets[i].duration = 10 * i;
	}
	CHECK(lib_story_sound(s) == &s->assets[2]); /* the first audio */
	s->assets[2].role = ROLE_MUSIC;
	s->assets[3].role = ROLE_ART;
	free(s->assets[3].alt);
	s->assets[3].alt = xstrdup("another");
	CHECK(lib_story_sound(s) == &s->assets[1]); /* no audio: the first music */
	s->assets[2].role = ROLE_AUDIO;

	s->status = ST_PUBLISHED;
	s->consent_site = true;
	s->published_at = 100;
	CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 1 && v[0]->sound && v[0]->sound->role == ROLE_AUDIO);
	CHECK(n == 1 && v[0]->sound && v[0]->sound->duration == 20);
	pub_story_list_free(v, n);
	lib_story_free(&s);

	s = story_new("silent", "S");
	CHECK(lib_story_sound(s) == NULL);
	lib_story_free(&s);
	free(f);
	lib_close(&lib);
}

/*
 * Invitations: the token is 43 URL-safe characters, works as many times as
 * allowed, and every refusal (unknown, used up, expired, revoked) is the
 * same; only a hash is stored, and a listing never carries the token.
 */
static void invites_use_expire_revoke(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("invites");
	char *once = NULL, *many = NULL, *dated = NULL, *other = NULL;
	int64_t id = 0, got = 0;
	struct lib_invite *v = NULL;
	size_t n = 0;

	CHECK_OK(lib_invite_new(lib, "for sam", 0, 1, &once, &id, &err), &err);
	CHECK(strlen(once) == LIB_INVITE_TOKEN_CHARS);
	CHECK(strspn(once, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	      LIB_INVITE_TOKEN_CHARS);
	CHECK_OK(lib_invite_use(lib, once, &got, &err), &err);
	CHECK(got == id);
	CHECK_FAILS(lib_invite_use(lib, once, NULL, &err), HEARTH_ENOENT, &err,
		    LIB_INVITE_REFUSED);
	CHECK_FAILS(lib_invite_use(lib, "nope", NULL, &err), HEARTH_ENOENT, &err,
		    LIB_INVITE_REFUSED);
	CHECK_FAILS(lib_invite_use(lib, "", NULL, &err), HEARTH_ENOENT, &err,
		    LIB_INVITE_REFUSED);
	CHECK_FAILS(lib_invite_use(lib, NULL, NULL, &err), HEARTH_ENOENT, &err,
		    LIB_INVITE_REFUSED);

	/* unlimited uses, and never the same token twice */
	CHECK_OK(lib_invite_new(lib, NULL, 0, -1, &many, NULL, &err), &err);
	CHECK(strcmp(once, many) != 0);
	for (int i = 0; i < 3; i++)
		CHECK_OK(lib_invite_use(lib, many, NULL, &err), &err);

	/* expiry, by the clock */
	setenv("SOURCE_DATE_EPOCH", "1000000", 1);
	CHECK_OK(lib_invite_new(lib, NULL, 2000000, 5, &dated, NULL, &err), &err);
	CHECK_OK(lib_invite_use(lib, dated, NULL, &err), &err);
	setenv("SOURCE_DATE_EPOCH", "2000000", 1);
	CHECK_FAILS(lib_invite_use(lib, dated, NULL, &err), HEARTH_ENOENT, &err,
		    LIB_INVITE_REFUSED);
	unsetenv("SOURCE_DATE_EPOCH");

	/* revoked */
	CHECK_OK(lib_invite_new(lib, NULL, 0, -1, &other, &id, &err), &err);
	CHECK_OK(lib_invite_revoke(lib, id, &err), &err);
	CHECK_FAILS(lib_invite_use(lib, other, NULL, &err), HEARTH_ENOENT, &err,
		    LIB_INVITE_REFUSED);
	CHECK_FAILS(lib_invite_revoke(lib, id, &err), HEARTH_ESTATE, &err, "already revoked");
	CHECK_FAILS(lib_invite_revoke(lib, 999, &err), HEARTH_ENOENT, &err, "does not exist");

	/* bad arguments make nothing */
	char *none = NULL;
	CHECK_FAILS(lib_invite_new(lib, NULL, 0, 0, &none, NULL, &err), HEARTH_EINVAL, &err,
		    "uses");
	CHECK(none == NULL);

	CHECK_OK(lib_invite_list(lib, &v, &n, &err), &err);
	CHECK(n == 4);
	CHECK_STR(v[0].note, "for sam");
	CHECK(v[0].uses_left == 0 && v[0].revoked_at == 0 && v[0].expires_at == 0);
	CHECK(v[1].uses_left == -1 && v[1].note == NULL);
	CHECK(v[2].uses_left == 4 && v[2].expires_at == 2000000);
	CHECK(v[3].revoked_at != 0);
	CHECK_STR(v[0].created_by, "tester");
	lib_invite_list_free(v, n);

	/* the export, private fields and all, never holds a token */
	char *json = export_of(lib, true);
	CHECK(json != NULL);
	CHECK(!strstr(json, once) && !strstr(json, many) && !strstr(json, dated) &&
	      !strstr(json, other));
	free(json);
	free(once);
	free(many);
	free(dated);
	free(other);
	lib_close(&lib);
}

static void lib_end_commits_or_rolls_back(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("end");
	struct lib_story *a = story_new("kept", "A"), *b = story_new("undone", "B");
	char *slug = NULL;

	CHECK_OK(lib_begin(lib, &err), &err);
	CHECK_OK(lib_story_submit(lib, a, NULL, &slug, &err), &err);
	free(slug);
	CHECK_OK(lib_end(lib, 0, &err), &err);
	CHECK(status_of(lib, "kept") == ST_SUBMITTED);

	CHECK_OK(lib_begin(lib, &err), &err);
	CHECK_OK(lib_story_submit(lib, b, NULL, &slug, &err), &err);
	free(slug);
	herr(&err, HEARTH_EINVAL, "something went wrong");
	CHECK(lib_end(lib, HEARTH_EINVAL, &err) == HEARTH_EINVAL);
	CHECK_STR(err.msg, "something went wrong"); /* the failure's message stays */
	CHECK(status_of(lib, "undone") == ST_COUNT);
	CHECK(lib_end(lib, 0, &err) == HEARTH_EDB); /* nothing open */
	lib_story_free(&a);
	lib_story_free(&b);
	lib_close(&lib);
}

/* ---- peers on the web ---------------------------------------------------- */

/* A web submission of a fresh story; *receipt a new allocation. */
static int web_submit(hearth_lib *lib, const char *title, bool confirms, const char *invite,
		      char **slug, char **receipt, struct hearth_err *err)
{
	struct lib_story *s = story_new("x", title);
	struct lib_submit_opts o = {"web form", confirms, invite, NULL};
	xfree(&s->slug);
	s->contact = xstrdup("peer@example.org");
	s->consent_site = s->consent_podcast = true;
	int rc = lib_story_submit(lib, s, &o, slug, err);
	lib_story_free(&s);
	*receipt = o.receipt;
	return rc;
}

/* serve: settings: defaults, values, and clear refusals. */
static void serve_settings(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("serve-settings");
	struct lib_settings s;
	char *yaml = path_join(lib_dir(lib), "hearth.yaml");
	char *text = slurp(yaml);

	CHECK(text && strstr(text, "# serve:") && strstr(text, "peer_confirm"));
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK_STR(s.serve_bind, "127.0.0.1");
	CHECK(s.serve_port == 8080 && s.serve_max_upload == 200000000);
	CHECK(s.serve_trusted_proxy == NULL && s.serve_peer_confirm);
	lib_settings_release(&s);
	put(yaml, "title: T\nserve:\n  bind: \"::1\"\n  port: 9000\n  max_upload: 1000000\n"
		  "  trusted_proxy: 10.0.0.1\n  peer_confirm: no\n");
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK_STR(s.serve_bind, "::1");
	CHECK_STR(s.serve_trusted_proxy, "10.0.0.1");
	CHECK(s.serve_port == 9000 && s.serve_max_upload == 1000000 && !s.serve_peer_confirm);
	lib_settings_release(&s);
	put(yaml, "title: T\nserve:\n  port: 70000\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "serve.port");
	put(yaml, "title: T\nserve:\n  bind: example.org\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "IP address");
	put(yaml, "title: T\nserve:\n  trusted_proxy: none\n  peer_confirm: maybe\n");
	CHECK_FAILS(lib_settings_load(lib, &s, &err), HEARTH_EINVAL, &err, "serve.peer_confirm");
	put(yaml, text);
	free(text);
	free(yaml);
	lib_close(&lib);
}

/*
 * Every submission has a receipt: found in any case, with or without
 * dashes and spaces; anything else gets the one refusal. The code is not
 * stored anywhere in clear.
 */
static void receipts_find_their_story(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("receipts");
	char *slug = NULL, *code = NULL, *found = NULL, *db = NULL, *raw = NULL;

	CHECK_OK(web_submit(lib, "Held in mind", true, NULL, &slug, &code, &err), &err);
	CHECK(code && strlen(code) == LIB_RECEIPT_CHARS);
	for (int i = 0; i < LIB_RECEIPT_CHARS; i++)
		CHECK(i % 5 == 4 ? code[i] == '-' : (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", code[i]) != NULL));
	CHECK_OK(lib_receipt_find(lib, code, &found, &err), &err);
	CHECK_STR(found, slug);
	xfree(&found);
	/* lower case, no dashes, spaces between groups */
	struct buf b = BUF_INIT;
	for (const char *p = code; *p; p++)
		if (*p != '-')
			buf_putc(&b, (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
	CHECK_OK(lib_receipt_find(lib, buf_cstr(&b), &found, &err), &err);
	CHECK_STR(found, slug);
	xfree(&found);
	buf_reset(&b);
	for (const char *p = code; *p; p++)
		buf_putc(&b, *p == '-' ? ' ' : *p);
	CHECK_OK(lib_receipt_find(lib, buf_cstr(&b), &found, &err), &err);
	xfree(&found);
	/* wrong, short, long, odd letters, empty: the same refusal */
	char wrong[LIB_RECEIPT_CHARS + 1];
	snprintf(wrong, sizeof wrong, "%s", code);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	const char *bad[] = {wrong, "ABCD", "", "0000-0000-0000-0000-0000-0000-0000-0000", NULL};
	for (int i = 0; bad[i]; i++) {
		CHECK_FAILS(lib_receipt_find(lib, bad[i], &found, &err), HEARTH_ENOENT, &err,
			    LIB_RECEIPT_REFUSED);
		CHECK_STR(err.msg, LIB_RECEIPT_REFUSED);
		CHECK(found == NULL);
	}
	/* only the hash is kept */
	lib_close(&lib);
	db = tpath("receipts/hearth.db");
	struct buf whole = BUF_INIT;
	CHECK_OK(file_read(db, &whole, &err), &err);
	char letters[33];
	size_t k = 0;
	for (const char *p = code; *p; p++)
		if (*p != '-')
			letters[k++] = *p;
	letters[k] = '\0';
	CHECK(!memmem(whole.data, whole.len, code, 9) && !memmem(whole.data, whole.len, letters, 8));
	buf_release(&whole);
	free(raw);
	free(db);
	buf_release(&b);
	free(slug);
	free(code);
}

/* The invitation is spent with the story, and only when it is recorded. */
static void invite_spent_only_on_success(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("invite-spend");
	char *tok = NULL, *slug = NULL, *code = NULL;
	struct lib_story *bad = story_new("x", "");
	struct lib_submit_opts o = {"web form", true, NULL, NULL};
	struct lib_invite *v = NULL;
	size_t n = 0;

	CHECK_OK(lib_invite_new(lib, NULL, 0, 1, &tok, NULL, &err), &err);
	CHECK_OK(lib_invite_check(lib, tok, &err), &err);
	/* a refused submission (no title) spends nothing */
	o.invite = tok;
	xfree(&bad->slug);
	CHECK_FAILS(lib_story_submit(lib, bad, &o, &slug, &err), HEARTH_EINVAL, &err, "title");
	CHECK(o.receipt == NULL);
	CHECK_OK(lib_invite_list(lib, &v, &n, &err), &err);
	CHECK(n == 1 && v[0].uses_left == 1);
	lib_invite_list_free(v, n);
	CHECK_OK(web_submit(lib, "With the link", true, tok, &slug, &code, &err), &err);
	CHECK_OK(lib_invite_list(lib, &v, &n, &err), &err);
	CHECK(n == 1 && v[0].uses_left == 0);
	lib_invite_list_free(v, n);
	free(slug);
	free(code);
	slug = code = NULL;
	/* used up: refused, and no story is recorded */
	CHECK_FAILS(lib_invite_check(lib, tok, &err), HEARTH_ENOENT, &err, LIB_INVITE_REFUSED);
	CHECK_FAILS(web_submit(lib, "Again", true, tok, &slug, &code, &err), HEARTH_ENOENT, &err,
		    LIB_INVITE_REFUSED);
	CHECK(slug == NULL && code == NULL);
	struct lib_story **all = NULL;
	CHECK_OK(lib_story_list(lib, -1, &all, &n, &err), &err);
	CHECK(n == 1);
	lib_story_list_free(all, n);
	struct lib_story_peer ps;
	CHECK_OK(lib_story_peer_get(lib, "with-the-link", &ps, &err), &err);
	CHECK(ps.version == 1 && ps.peer_confirms && !ps.has_revision);
	CHECK_STR(ps.via, "web form");
	lib_story_peer_release(&ps);
	lib_story_free(&bad);
	free(tok);
	lib_close(&lib);
}

/*
 * A story's terms have limits, however it comes in: an import, a
 * submission, a peer's revision. 50 of each kind are taken, 51 are not,
 * and no term may be longer than 100 characters.
 */
static void term_limits(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("terms");
	struct lib_story *s = story_new("termed", "Termed");
	char t[16];
	bool changed;

	for (int i = 0; i < LIB_MAX_TERMS; i++) {
		snprintf(t, sizeof t, "tag-%d", i);
		s->tags = strv_push(s->tags, t);
	}
	CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);
	s->tags = strv_push(s->tags, "one-more");
	CHECK_FAILS(lib_story_import(lib, s, &changed, NULL, &err), HEARTH_EINVAL, &err,
		    "story 'termed': tags: 51 given, at most 50");
	strv_free(s->tags);
	s->tags = NULL;
	char *long_term = xmalloc(LIB_MAX_TERM_CHARS + 2);
	memset(long_term, 'w', LIB_MAX_TERM_CHARS + 1);
	long_term[LIB_MAX_TERM_CHARS + 1] = '\0';
	s->warnings = strv_push(strv_push(NULL, "fine"), long_term);
	CHECK_FAILS(lib_story_import(lib, s, &changed, NULL, &err), HEARTH_EINVAL, &err,
		    "story 'termed': warnings: the 2nd is longer than 100 characters");
	long_term[LIB_MAX_TERM_CHARS] = '\0'; /* 100 characters: taken */
	strv_free(s->warnings);
	s->warnings = strv_push(NULL, long_term);
	CHECK_OK(lib_story_import(lib, s, &changed, NULL, &err), &err);

	/* a submission and a revision, the same */
	char *slug = NULL, *code = NULL;
	CHECK_OK(web_submit(lib, "Submitted", true, NULL, &slug, &code, &err), &err);
	struct lib_story *rev = story_new("x", "Submitted");
	for (int i = 0; i <= LIB_MAX_TERMS; i++) {
		snprintf(t, sizeof t, "w%d", i);
		rev->warnings = strv_push(rev->warnings, t);
	}
	bool held = false;
	CHECK_FAILS(lib_story_revise(lib, slug, rev, NULL, &held, &err), HEARTH_EINVAL, &err,
		    "warnings: 51 given, at most 50");
	struct lib_submit_opts o = {"web form", true, NULL, NULL};
	xfree(&rev->slug);
	rev->consent_site = true;
	char *slug2 = NULL;
	CHECK_FAILS(lib_story_submit(lib, rev, &o, &slug2, &err), HEARTH_EINVAL, &err,
		    "warnings: 51 given, at most 50");
	CHECK(!slug2 && !o.receipt);

	lib_story_free(&rev);
	free(long_term);
	free(slug);
	free(code);
	lib_story_free(&s);
	lib_close(&lib);
}

/*
 * Review with a message for the peer; approval records the version; the
 * peer confirms exactly that version; publishing waits for it; a stale
 * version cannot be confirmed.
 */
static void confirm_before_publish(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("confirm");
	char *slug = NULL, *code = NULL;
	struct lib_message *m = NULL;
	size_t n = 0;
	struct lib_story_peer ps;

	CHECK_OK(web_submit(lib, "Slow mornings", true, NULL, &slug, &code, &err), &err);
	CHECK_FAILS(lib_story_confirm(lib, slug, 1, &err), HEARTH_ESTATE, &err, "nothing to confirm");
	CHECK_OK(lib_story_review(lib, slug, ST_IN_REVIEW, NULL, NULL, &err), &err);
	CHECK_OK(lib_story_review(lib, slug, ST_CHANGES_REQUESTED, "private: too long",
				  "Could you shorten the middle part?", &err), &err);
	CHECK_OK(lib_message_list(lib, slug, &m, &n, &err), &err);
	CHECK(n == 1 && !m[0].from_peer);
	CHECK_STR(m[0].body, "Could you shorten the middle part?");
	lib_message_list_free(m, n);

	/* the peer revises: version 2, back to submitted */
	struct lib_story *rev = story_new("x", "Slow mornings");
	free(rev->body);
	rev->body = xstrdup("Shorter now.\n");
	bool held = true;
	CHECK_OK(lib_story_revise(lib, slug, rev, "I shortened it", &held, &err), &err);
	CHECK(!held && status_of(lib, slug) == ST_SUBMITTED);
	CHECK_OK(lib_story_move(lib, slug, ST_IN_REVIEW, NULL, &err), &err);
	CHECK_OK(lib_story_review(lib, slug, ST_APPROVED, NULL, "Approved, thank you", &err), &err);
	CHECK_OK(lib_story_peer_get(lib, slug, &ps, &err), &err);
	CHECK(ps.version == 2 && ps.approved_version == 2 && ps.confirmed_version == 0);
	lib_story_peer_release(&ps);

	/* not confirmed: publishing is refused, through the one call */
	CHECK_FAILS(lib_story_publish(lib, slug, 0, &err), HEARTH_ESTATE, &err,
		    "has not confirmed");
	CHECK(status_of(lib, slug) == ST_APPROVED);
	CHECK_FAILS(lib_story_confirm(lib, slug, 1, &err), HEARTH_ESTATE, &err,
		    "can no longer be confirmed");
	CHECK_FAILS(lib_story_confirm(lib, slug, 3, &err), HEARTH_ESTATE, &err,
		    "can no longer be confirmed");
	CHECK_OK(lib_story_confirm(lib, slug, 2, &err), &err);
	CHECK_OK(lib_story_publish(lib, slug, 0, &err), &err);
	CHECK(status_of(lib, slug) == ST_PUBLISHED);

	/* a command-line submission does not wait */
	char *s2 = NULL, *c2 = NULL;
	CHECK_OK(web_submit(lib, "From the shell", false, NULL, &s2, &c2, &err), &err);
	CHECK_OK(lib_story_move(lib, s2, ST_IN_REVIEW, NULL, &err), &err);
	CHECK_OK(lib_story_move(lib, s2, ST_APPROVED, NULL, &err), &err);
	CHECK_OK(lib_story_publish(lib, s2, 0, &err), &err);
	lib_story_free(&rev);
	free(s2);
	free(c2);
	free(slug);
	free(code);
	lib_close(&lib);
}

/* A revision of a published story is held; the public view is unchanged until approved. */
static void revision_of_published_is_held(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("revision-held");
	struct pub_story **v = NULL;
	size_t n = 0;
	struct lib_story *rev = story_new("x", "A new title"), *got = NULL;
	bool held = false;

	CHECK_OK(put_story(lib, "live", ST_PUBLISHED, true, true, 1000, &err), &err);
	free(rev->body);
	rev->body = xstrdup("Revised words.\n");
	rev->warnings = strv_push(NULL, "grief");
	CHECK_OK(lib_story_revise(lib, "live", rev, "please update", &held, &err), &err);
	CHECK(held && status_of(lib, "live") == ST_PUBLISHED);
	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 1);
	CHECK_STR(v[0]->title, "live");
	CHECK_STR(v[0]->body, "Some words.\n");
	pub_story_list_free(v, n);
	CHECK_OK(lib_revision_get(lib, "live", &got, &err), &err);
	CHECK(got && !strcmp(got->title, "A new title") && got->warnings &&
	      !strcmp(got->warnings[0], "grief"));
	lib_story_free(&got);
	struct lib_story_peer ps;
	CHECK_OK(lib_story_peer_get(lib, "live", &ps, &err), &err);
	CHECK(ps.has_revision && ps.version == 1);
	lib_story_peer_release(&ps);

	/* rejected: dropped, nothing changes; a second one approved replaces the live one */
	CHECK_OK(lib_revision_decide(lib, "live", false, "Not this time", &err), &err);
	CHECK_OK(lib_revision_get(lib, "live", &got, &err), &err);
	CHECK(got == NULL);
	CHECK_FAILS(lib_revision_decide(lib, "live", true, NULL, &err), HEARTH_ENOENT, &err,
		    "no revision");
	CHECK_OK(lib_story_revise(lib, "live", rev, NULL, &held, &err), &err);
	CHECK_OK(lib_revision_decide(lib, "live", true, "Updated", &err), &err);
	CHECK(status_of(lib, "live") == ST_PUBLISHED);
	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 1);
	CHECK_STR(v[0]->title, "A new title");
	CHECK_STR(v[0]->body, "Revised words.\n");
	pub_story_list_free(v, n);
	CHECK_OK(lib_story_peer_get(lib, "live", &ps, &err), &err);
	CHECK(!ps.has_revision && ps.version == 2);
	lib_story_peer_release(&ps);

	/* a withdrawal drops a pending revision, and a withdrawn story is not revived */
	CHECK_OK(lib_story_revise(lib, "live", rev, NULL, &held, &err), &err);
	CHECK_OK(lib_story_withdraw(lib, "live", "asked", &err), &err);
	CHECK_OK(lib_revision_get(lib, "live", &got, &err), &err);
	CHECK(got == NULL);
	CHECK_FAILS(lib_story_revise(lib, "live", rev, NULL, &held, &err), HEARTH_ESTATE, &err,
		    "no longer be revised");
	CHECK(status_of(lib, "live") == ST_WITHDRAWN);
	lib_story_free(&rev);
	lib_close(&lib);
}

/* Withdrawing one channel keeps the other; both withdraws the story; never widened. */
static void withdraw_by_channel(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("withdraw-channel");
	struct lib_story *s = NULL;
	struct pub_story **v = NULL;
	size_t n = 0;
	bool gone = true;

	CHECK_OK(put_story(lib, "both", ST_PUBLISHED, true, true, 1000, &err), &err);
	CHECK_OK(put_story(lib, "site-only", ST_PUBLISHED, true, false, 1000, &err), &err);
	CHECK_OK(lib_story_withdraw_channels(lib, "both", false, true, "the storyteller", &gone,
					     &err), &err);
	CHECK(!gone && status_of(lib, "both") == ST_PUBLISHED);
	CHECK_OK(lib_story_get(lib, "both", &s, &err), &err);
	CHECK(s->consent_site && !s->consent_podcast);
	lib_story_free(&s);
	CHECK_OK(lib_public_view(lib, CH_PODCAST, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 0);
	pub_story_list_free(v, n);
	CHECK_OK(lib_public_view(lib, CH_SITE, &v, &n, NULL, NULL, &err), &err);
	CHECK(n == 2);
	pub_story_list_free(v, n);
	/* withdrawing the podcast of a site-only story leaves the site, never adds */
	CHECK_OK(lib_story_withdraw_channels(lib, "site-only", false, true, NULL, &gone, &err),
		 &err);
	CHECK_OK(lib_story_get(lib, "site-only", &s, &err), &err);
	CHECK(s->consent_site && !s->consent_podcast && !gone);
	lib_story_free(&s);
	CHECK_OK(lib_story_withdraw_channels(lib, "both", true, false, NULL, &gone, &err), &err);
	CHECK(gone && status_of(lib, "both") == ST_WITHDRAWN);
	CHECK_FAILS(lib_story_withdraw_channels(lib, "both", false, false, NULL, &gone, &err),
		    HEARTH_EINVAL, &err, "name the site");
	lib_close(&lib);
}

/* Erasure asked for: withdrawn at once; erasing clears messages, keeps feedback. */
static void erasure_request_and_feedback(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("erasure");
	char *slug = NULL, *code = NULL, *found = NULL;
	struct lib_message *m = NULL;
	struct lib_feedback *f = NULL;
	size_t n = 0;
	struct lib_story_peer ps;

	CHECK_OK(web_submit(lib, "Please forget", true, NULL, &slug, &code, &err), &err);
	CHECK_OK(lib_message_add(lib, slug, true, "a note from me", &err), &err);
	CHECK_OK(lib_feedback_add(lib, "/stories/x/", "Thank you for this", "me@example.org",
				  &err), &err);
	CHECK_FAILS(lib_feedback_add(lib, NULL, "", NULL, &err), HEARTH_EINVAL, &err, "empty");
	CHECK_OK(lib_story_request_erasure(lib, slug, &err), &err);
	CHECK_OK(lib_story_request_erasure(lib, slug, &err), &err); /* twice is fine */
	CHECK(status_of(lib, slug) == ST_WITHDRAWN);
	CHECK_OK(lib_story_peer_get(lib, slug, &ps, &err), &err);
	CHECK(ps.erasure_requested_at > 0);
	lib_story_peer_release(&ps);
	CHECK_OK(lib_story_erase(lib, slug, &err), &err);
	CHECK_OK(lib_message_list(lib, slug, &m, &n, &err), &err);
	CHECK(n == 0);
	lib_message_list_free(m, n);
	CHECK_OK(lib_feedback_list(lib, &f, &n, &err), &err);
	CHECK(n == 1);
	CHECK_STR(f[0].body, "Thank you for this");
	CHECK_STR(f[0].contact, "me@example.org");
	lib_feedback_list_free(f, n);
	/* the receipt still finds the erased story */
	CHECK_OK(lib_receipt_find(lib, code, &found, &err), &err);
	CHECK_STR(found, slug);
	free(found);
	/* messages and feedback never reach the export without --private */
	struct buf out = BUF_INIT;
	CHECK_OK(lib_export_json(lib, false, &out, &err), &err);
	CHECK(!strstr(buf_cstr(&out), "me@example.org") && !strstr(buf_cstr(&out), "Thank you"));
	buf_release(&out);
	free(slug);
	free(code);
	lib_close(&lib);
}

/*
 * Editors: name rules, Argon2id hashes, one refusal for an unknown name
 * and a wrong password alike; sessions expire and end on passwd and remove.
 */
static void editors_and_sessions(void)
{
	struct hearth_err err;
	hearth_lib *lib = fresh_lib("editors");
	struct lib_editor e = {0}, *v = NULL;
	char *tok = NULL, *tok2 = NULL, *old = NULL;
	size_t n = 0;

	CHECK_FAILS(lib_editor_add(lib, "bad name", "long enough pass", &err), HEARTH_EINVAL, &err,
		    "letters, digits");
	CHECK_FAILS(lib_editor_add(lib, "jo", "short", &err), HEARTH_EINVAL, &err,
		    "at least 10");
	CHECK_OK(lib_editor_add(lib, "jo", "long enough pass", &err), &err);
	CHECK_FAILS(lib_editor_add(lib, "jo", "long enough pass", &err), HEARTH_EEXIST, &err,
		    "already exists");
	CHECK_OK(lib_editor_list(lib, &v, &n, &err), &err);
	CHECK(n == 1 && !strcmp(v[0].name, "jo"));
	lib_editor_list_free(v, n);

	CHECK_OK(lib_editor_check(lib, "jo", "long enough pass", &e, &err), &err);
	CHECK_STR(e.name, "jo");
	int64_t id = e.id;
	lib_editor_release(&e);
	/* wrong password, unknown name, bad name: the same code and message */
	CHECK_FAILS(lib_editor_check(lib, "jo", "wrong password!", &e, &err), HEARTH_EPERM, &err,
		    LIB_SIGNIN_REFUSED);
	char wrong_pw[sizeof err.msg];
	snprintf(wrong_pw, sizeof wrong_pw, "%s", err.msg);
	CHECK_FAILS(lib_editor_check(lib, "nobody", "long enough pass", &e, &err), HEARTH_EPERM,
		    &err, LIB_SIGNIN_REFUSED);
	CHECK_STR(err.msg, wrong_pw);
	CHECK_FAILS(lib_editor_check(lib, "no body", "x", &e, &err), HEARTH_EPERM, &err,
		    LIB_SIGNIN_REFUSED);
	CHECK_STR(err.msg, wrong_pw);
	CHECK(e.name == NULL);

	/* sessions: found while live, not once expired */
	CHECK_OK(lib_session_new(lib, id, 3600, &tok, &err), &err);
	CHECK_OK(lib_session_find(lib, tok, &e, &err), &err);
	CHECK_STR(e.name, "jo");
	lib_editor_release(&e);
	CHECK_FAILS(lib_session_find(lib, "not-a-token", &e, &err), HEARTH_ENOENT, &err, "session");
	old = getenv("SOURCE_DATE_EPOCH") ? xstrdup(getenv("SOURCE_DATE_EPOCH")) : NULL;
	char later[32];
	snprintf(later, sizeof later, "%lld", (long long)(hearth_now() + 7200));
	setenv("SOURCE_DATE_EPOCH", later, 1);
	CHECK_FAILS(lib_session_find(lib, tok, &e, &err), HEARTH_ENOENT, &err, "session");
	if (old)
		setenv("SOURCE_DATE_EPOCH", old, 1);
	else
		unsetenv("SOURCE_DATE_EPOCH");
	free(old);
	free(tok);
	tok = NULL;

	/* passwd and remove end sessions; sign-out ends one */
	CHECK_OK(lib_session_new(lib, id, 3600, &tok, &err), &err);
	CHECK_OK(lib_editor_passwd(lib, "jo", "another good pass", &err), &err);
	CHECK_FAILS(lib_session_find(lib, tok, &e, &err), HEARTH_ENOENT, &err, "session");
	CHECK_FAILS(lib_editor_check(lib, "jo", "long enough pass", &e, &err), HEARTH_EPERM, &err,
		    LIB_SIGNIN_REFUSED);
	CHECK_OK(lib_editor_check(lib, "jo", "another good pass", &e, &err), &err);
	lib_editor_release(&e);
	CHECK_OK(lib_session_new(lib, id, 3600, &tok2, &err), &err);
	CHECK_OK(lib_session_end(lib, tok2, &err), &err);
	CHECK_FAILS(lib_session_find(lib, tok2, &e, &err), HEARTH_ENOENT, &err, "session");
	free(tok2);
	CHECK_OK(lib_session_new(lib, id, 3600, &tok2, &err), &err);
	CHECK_OK(lib_editor_remove(lib, "jo", &err), &err);
	CHECK_FAILS(lib_session_find(lib, tok2, &e, &err), HEARTH_ENOENT, &err, "session");
	CHECK_FAILS(lib_editor_remove(lib, "jo", &err), HEARTH_ENOENT, &err, "no editor");
	free(tok);
	free(tok2);
	lib_close(&lib);
}

int main(void)
{
	unsetenv("SOURCE_DATE_EPOCH");
	RUN(init_open_and_refuse_twice);
	RUN(schema_wal_and_private_marks);
	RUN(migrates_old_and_refuses_newer);
	RUN(transactions_nest);
	RUN(store_once_and_read_only);
	RUN(store_known_refuses_a_changed_file);
	RUN(store_sweep_needs_exclusive_lock);
	RUN(erase_only_withdrawn_and_clears_personal_fields);
	RUN(settings_defaults_and_stable_podcast_guid);
	RUN(settings_errors);
	RUN(settings_feeds);
	RUN(settings_import_with_image);
	RUN(bundle_read_happy_path);
	RUN(bundle_read_refusals);
	RUN(bundle_chapters);
	RUN(chapters_stored_public_and_exported);
	RUN(migrates_to_chapters);
	RUN(migration_forgets_placeholder_guid);
	RUN(import_is_idempotent);
	RUN(public_view_body_hash_follows_every_write);
	RUN(public_view_reads_no_body);
	RUN(import_updates_and_keeps_identity);
	RUN(import_published_needs_consent);
	RUN(submit_makes_unique_slugs);
	RUN(status_names_and_table);
	RUN(roles_are_an_enum_named_at_the_edges);
	RUN(attribution_default_is_the_most_private);
	RUN(export_byline_is_the_public_views);
	RUN(story_sound_first_audio_else_music);
	RUN(lib_end_commits_or_rolls_back);
	RUN(invites_use_expire_revoke);
	RUN(workflow_every_legal_move);
	RUN(workflow_illegal_moves_name_the_state);
	RUN(publish_requires_consent);
	RUN(publish_dates_can_be_corrected);
	RUN(withdraw_turns_consent_off);
	RUN(withdrawn_not_resurrected_by_import);
	RUN(reimport_keeps_status_and_consent);
	RUN(audit_actor_and_whole_log);
	RUN(collections_keep_dense_order);
	RUN(collection_files_and_import);
	RUN(public_view_filters);
	RUN(public_view_all_and_bodies);
	RUN(public_view_bylines_and_assets);
	RUN(public_view_all_matches_channels);
	RUN(private_fields_never_reach_the_public_view);
	RUN(export_json_shape);
	RUN(serve_settings);
	RUN(receipts_find_their_story);
	RUN(invite_spent_only_on_success);
	RUN(term_limits);
	RUN(confirm_before_publish);
	RUN(revision_of_published_is_held);
	RUN(withdraw_by_channel);
	RUN(erasure_request_and_feedback);
	RUN(editors_and_sessions);
	return 0;
}
