/*
 * story.c - stories in the catalogue: loading them whole (person, consent,
 * terms, assets), listing, importing bundles idempotently by source hash,
 * and peers' submissions. A story's id, guid and created_at are set once
 * and never change. A bundle's consent, status, publication date and
 * attribution are taken when the story is first imported; after that the
 * catalogue owns them (they change only through the workflow commands,
 * which record who and when), and a newer bundle replaces only the
 * content: text, media, terms, chapters, details and the contributor's
 * name, pseudonym and contact. Each import says what it changed and kept.
 */
#include "libraryInt.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- freeing ----------------------------------------------------------- */

static void asset_release(struct lib_asset *a)
{
	free(a->sha256);
	free(a->mime);
	free(a->filename);
	free(a->alt);
	free(a->codec);
}

void lib_story_free(struct lib_story **ps)
{
	struct lib_story *s = ps ? *ps : NULL;
	if (!s)
		return;
	free(s->slug);
	free(s->guid);
	free(s->title);
	free(s->summary);
	free(s->body);
	free(s->name);
	free(s->pseudonym);
	free(s->contact);
	free(s->consent_recorded_by);
	free(s->consent_note);
	free(s->review_note);
	strv_free(s->warnings);
	strv_free(s->themes);
	strv_free(s->tags);
	free(s->language);
	free(s->license);
	for (size_t i = 0; i < s->n_assets; i++)
		asset_release(&s->assets[i]);
	free(s->assets);
	for (size_t i = 0; i < s->n_chapters; i++)
		free(s->chapters[i].title);
	free(s->chapters);
	free(s->source_hash);
	free(s);
	*ps = NULL;
}

void lib_story_list_free(struct lib_story **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		lib_story_free(&v[i]);
	free(v);
}

const struct lib_asset *lib_story_sound(const struct lib_story *s)
{
	const struct lib_asset *music = NULL;
	for (size_t i = 0; i < s->n_assets; i++) {
		const struct lib_asset *a = &s->assets[i];
		if (a->role == ROLE_AUDIO)
			return a;
		if (a->role == ROLE_MUSIC && !music)
			music = a;
	}
	return music;
}

/* ---- loading ----------------------------------------------------------- */

int lib_story_find(hearth_lib *lib, const char *slug, int64_t *id,
		   enum lib_status *status, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = lib_db_prepare(lib, err, &st, "SELECT id, status FROM stories WHERE slug = ?1",
				"s", slug);
	if (rc)
		return rc;
	rc = lib_db_step(lib, st, err);
	if (rc == 0)
		rc = herr(err, HEARTH_ENOENT, "story '%s' does not exist", slug ? slug : "");
	if (rc == 1) {
		rc = 0;
		if (id)
			*id = sqlite3_column_int64(st, 0);
		if (status &&
		    lib_status_parse((const char *)sqlite3_column_text(st, 1), status))
			rc = herr(err, HEARTH_EDB, "story '%s' has an unknown status", slug);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The fields of one LIB_STORY_COLS row. */
static void fill_row(sqlite3_stmt *st, struct lib_story *s)
{
	int i = 0;
	s->id = sqlite3_column_int64(st, i++);
	s->slug = lib_col_str(st, i++);
	s->guid = lib_col_str(st, i++);
	s->title = lib_col_str(st, i++);
	s->summary = lib_col_str(st, i++);
	s->body = lib_col_str(st, i++);
	if (lib_status_parse((const char *)sqlite3_column_text(st, i++), &s->status))
		s->status = ST_SUBMITTED;
	s->published_at = sqlite3_column_int64(st, i++);
	s->created_at = sqlite3_column_int64(st, i++);
	s->updated_at = sqlite3_column_int64(st, i++);
	s->name = lib_col_str(st, i++);
	s->pseudonym = lib_col_str(st, i++);
	if (lib_attribution_parse((const char *)sqlite3_column_text(st, i++), &s->attribution))
		s->attribution = ATTR_ANONYMOUS;
	s->contact = lib_col_str(st, i++);
	s->consent_site = sqlite3_column_int(st, i++) != 0;
	s->consent_podcast = sqlite3_column_int(st, i++) != 0;
	s->consent_given = sqlite3_column_int64(st, i++);
	s->consent_recorded_by = lib_col_str(st, i++);
	s->consent_note = lib_col_str(st, i++);
	s->consent_withdrawn_at = sqlite3_column_int64(st, i++);
	s->review_note = lib_col_str(st, i++);
	s->language = lib_col_str(st, i++);
	s->license = lib_col_str(st, i++);
	s->season = sqlite3_column_int(st, i++);
	s->episode = sqlite3_column_int(st, i++);
	s->source_hash = lib_col_str(st, i++);
}

static int load_terms(hearth_lib *lib, sqlite3_stmt *st, struct lib_story *s,
		      struct hearth_err *err)
{
	int rc;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = lib_db_step(lib, st, err)) == 1) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *value = (const char *)sqlite3_column_text(st, 1);
		char ***v = !strcmp(kind, "warning") ? &s->warnings
			    : !strcmp(kind, "theme") ? &s->themes
						     : &s->tags;
		*v = strv_push(*v, value ? value : "");
	}
	return rc;
}

static int load_assets(hearth_lib *lib, sqlite3_stmt *st, struct lib_story *s,
		       struct hearth_err *err)
{
	int rc;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = lib_db_step(lib, st, err)) == 1) {
		const char *role = (const char *)sqlite3_column_text(st, 0);
		enum lib_role r;
		if (lib_role_parse(role, &r))
			return herr(err, HEARTH_EDB, "story '%s': a file has an unknown role '%s'",
				    s->slug, role ? role : "");
		s->assets = xrealloc(s->assets, (s->n_assets + 1) * sizeof *s->assets);
		struct lib_asset *a = &s->assets[s->n_assets++];
		int i = 1;
		a->role = r;
		a->sha256 = lib_col_str(st, i++);
		a->mime = lib_col_str(st, i++);
		a->filename = lib_col_str(st, i++);
		a->alt = lib_col_str(st, i++);
		a->size = sqlite3_column_int64(st, i++);
		a->duration = sqlite3_column_double(st, i++);
		a->width = sqlite3_column_int(st, i++);
		a->height = sqlite3_column_int(st, i++);
		a->codec = lib_col_str(st, i++);
		a->sample_rate = sqlite3_column_int(st, i++);
		a->channels = sqlite3_column_int(st, i++);
	}
	return rc;
}

static int load_chapters(hearth_lib *lib, sqlite3_stmt *st, struct lib_story *s,
			 struct hearth_err *err)
{
	int rc;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = lib_db_step(lib, st, err)) == 1) {
		s->chapters = xrealloc(s->chapters, (s->n_chapters + 1) * sizeof *s->chapters);
		s->chapters[s->n_chapters].start = sqlite3_column_double(st, 0);
		s->chapters[s->n_chapters++].title = lib_col_str(st, 1);
	}
	return rc;
}

int lib_story_load_all(hearth_lib *lib, sqlite3_stmt *stmt, struct lib_story ***out,
		       size_t *n, struct hearth_err *err)
{
	sqlite3_stmt *terms = NULL, *assets = NULL, *chapters = NULL;
	struct lib_story **v = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = lib_db_prepare(lib, err, &terms,
				 "SELECT kind, value FROM story_terms WHERE story_id = ?1 "
				 "ORDER BY kind, position",
				 "")))
		goto end;
	if ((rc = lib_db_prepare(lib, err, &assets,
				 "SELECT role, sha256, mime, filename, alt, size, duration, "
				 "width, height, codec, sample_rate, channels FROM assets "
				 "WHERE story_id = ?1 ORDER BY CASE role WHEN 'audio' THEN 0 "
				 "WHEN 'music' THEN 1 WHEN 'art' THEN 2 ELSE 3 END, position",
				 "")))
		goto end;
	if ((rc = lib_db_prepare(lib, err, &chapters,
				 "SELECT start, title FROM chapters WHERE story_id = ?1 "
				 "ORDER BY position",
				 "")))
		goto end;
	while ((rc = lib_db_step(lib, stmt, err)) == 1) {
		struct lib_story *s = xcalloc(1, sizeof *s);
		v = xrealloc(v, (len + 1) * sizeof *v);
		v[len++] = s;
		fill_row(stmt, s);
		if ((rc = load_terms(lib, terms, s, err)) ||
		    (rc = load_assets(lib, assets, s, err)) ||
		    (rc = load_chapters(lib, chapters, s, err)))
			goto end;
	}
end:
	sqlite3_finalize(terms);
	sqlite3_finalize(assets);
	sqlite3_finalize(chapters);
	if (rc) {
		lib_story_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int lib_story_get(hearth_lib *lib, const char *slug, struct lib_story **out,
		  struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_story **v = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	if ((rc = lib_db_prepare(lib, err, &st,
				 "SELECT " LIB_STORY_COLS LIB_STORY_FROM "WHERE s.slug = ?1", "s",
				 slug)))
		goto end;
	if ((rc = lib_story_load_all(lib, st, &v, &n, err)))
		goto end;
	if (n == 0) {
		rc = herr(err, HEARTH_ENOENT, "story '%s' does not exist", slug ? slug : "");
		goto end;
	}
	*out = v[0];
	v[0] = NULL;
end:
	sqlite3_finalize(st);
	lib_story_list_free(v, n);
	return lib_end(lib, rc, err);
}

int lib_story_list(hearth_lib *lib, int status, struct lib_story ***out, size_t *n,
		   struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (status >= ST_COUNT)
		return herr(err, HEARTH_EINVAL, "unknown status %d", status);
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	if (status >= 0)
		rc = lib_db_prepare(lib, err, &st,
				    "SELECT " LIB_STORY_COLS LIB_STORY_FROM
				    "WHERE s.status = ?1 ORDER BY s.published_at, s.slug",
				    "s", lib_status_name((enum lib_status)status));
	else
		rc = lib_db_prepare(lib, err, &st,
				    "SELECT " LIB_STORY_COLS LIB_STORY_FROM
				    "ORDER BY s.published_at, s.slug",
				    "");
	if (!rc)
		rc = lib_story_load_all(lib, st, out, n, err);
	sqlite3_finalize(st);
	return lib_end(lib, rc, err);
}

int lib_story_lines(hearth_lib *lib, int status, bool with_consent,
		    int (*fn)(const struct lib_story_line *line, void *arg), void *arg,
		    struct hearth_err *err)
{
	/*
	 * ?1 NULL: every status. stories_list (migration 6) covers the columns,
	 * so without the consent the story table itself is not read either.
	 */
	static const char *const sql[2] = {
		"SELECT s.slug, s.title, s.status, s.published_at, 0, 0 "
		"FROM stories s "
		"WHERE ?1 IS NULL OR s.status = ?1 "
		"ORDER BY s.published_at, s.slug",
		"SELECT s.slug, s.title, s.status, s.published_at, c.site, c.podcast "
		"FROM stories s LEFT JOIN consent c ON c.story_id = s.id "
		"WHERE ?1 IS NULL OR s.status = ?1 "
		"ORDER BY s.published_at, s.slug",
	};
	sqlite3_stmt *st = NULL;
	int rc;

	if (status >= ST_COUNT)
		return herr(err, HEARTH_EINVAL, "unknown status %d", status);
	if ((rc = lib_db_scan_begin(lib, err)))
		return rc;
	if ((rc = lib_begin_read(lib, err))) {
		lib_db_scan_end(lib, err);
		return rc;
	}
	rc = lib_db_prepare(lib, err, &st, sql[with_consent], "s",
			    status >= 0 ? lib_status_name((enum lib_status)status) : NULL);
	while (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		struct lib_story_line l = {
			.slug = (const char *)sqlite3_column_text(st, 0),
			.title = (const char *)sqlite3_column_text(st, 1),
			.published_at = sqlite3_column_int64(st, 3),
			.consent_site = sqlite3_column_int(st, 4) != 0,
			.consent_podcast = sqlite3_column_int(st, 5) != 0,
		};
		if (!l.slug)
			l.slug = "";
		if (!l.title)
			l.title = "";
		if (lib_status_parse((const char *)sqlite3_column_text(st, 2), &l.status))
			l.status = ST_SUBMITTED;
		rc = fn(&l, arg);
	}
	sqlite3_finalize(st);
	rc = lib_end(lib, rc, err);
	struct hearth_err ignored;
	int end_rc = lib_db_scan_end(lib, rc ? &ignored : err);
	return rc ? rc : end_rc;
}

/* ---- writing ----------------------------------------------------------- */

/* The length of the sound chapters mark; -1: none. */
static double chaptered_duration(const struct lib_story *in)
{
	const struct lib_asset *sound = lib_story_sound(in);
	return sound ? sound->duration : -1;
}

/*
 * Chapters: titled, starting in order, and inside the sound they mark
 * (whose length intake has measured by now).
 */
static int check_chapters(const struct lib_story *in, const char *slug,
			  struct hearth_err *err)
{
	double d = in->n_chapters ? chaptered_duration(in) : 0;
	char t1[32], t2[32];

	if (in->n_chapters && d < 0)
		return herr(err, HEARTH_EINVAL,
			    "story '%s': chapters: the story has no audio or music for them to mark",
			    slug);
	for (size_t i = 0; i < in->n_chapters; i++) {
		const struct lib_chapter *c = &in->chapters[i];
		fmt_clock(c->start, 3, t1);
		if (!c->title || !*c->title || !text_valid(c->title, strlen(c->title)))
			return herr(err, HEARTH_EINVAL,
				    "story '%s': chapters: chapter %zu (%s) needs a title", slug, i + 1,
				    t1);
		if (!(c->start >= 0) || (i && c->start <= in->chapters[i - 1].start))
			return herr(err, HEARTH_EINVAL,
				    "story '%s': chapters: chapter %zu (%s) does not start after the "
				    "one before it",
				    slug, i + 1, t1);
		if (d > 0 && c->start >= d) {
			fmt_clock(d, 3, t2);
			return herr(err, HEARTH_EINVAL,
				    "story '%s': chapters: chapter %zu '%s' starts at %s, after the end "
				    "of the audio (%s)",
				    slug, i + 1, c->title, t1, t2);
		}
	}
	return 0;
}

/* "st", "nd", "rd" or "th" after n */
static const char *ordinal_suffix(size_t n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

/* A list of terms (warnings, themes or tags) within LIB_MAX_TERMS and LIB_MAX_TERM_CHARS. */
static int check_terms(char *const *v, const char *field, const char *slug,
		       struct hearth_err *err)
{
	size_t n = strv_len(v);
	if (n > LIB_MAX_TERMS)
		return herr(err, HEARTH_EINVAL, "story '%s': %s: %zu given, at most %d",
			    slug, field, n, LIB_MAX_TERMS);
	for (size_t i = 0; i < n; i++)
		if (utf8_chars(v[i]) > LIB_MAX_TERM_CHARS)
			return herr(err, HEARTH_EINVAL,
				    "story '%s': %s: the %zu%s is longer than %d characters", slug,
				    field, i + 1, ordinal_suffix(i + 1), LIB_MAX_TERM_CHARS);
	return 0;
}

int lib_check_words(const struct lib_story *in, const char *slug, struct hearth_err *err)
{
	int rc;
	if (!in->title || !*in->title)
		return herr(err, HEARTH_EINVAL, "story '%s': title: is missing", slug);
	if (utf8_chars(in->title) > LIB_MAX_TITLE_CHARS)
		return herr(err, HEARTH_EINVAL, "story '%s': title: is longer than %d characters",
			    slug, LIB_MAX_TITLE_CHARS);
	if (in->summary && utf8_chars(in->summary) > LIB_MAX_SUMMARY_CHARS)
		return herr(err, HEARTH_EINVAL,
			    "story '%s': summary: is longer than %d characters", slug,
			    LIB_MAX_SUMMARY_CHARS);
	if ((rc = check_terms(in->warnings, "warnings", slug, err)) ||
	    (rc = check_terms(in->themes, "themes", slug, err)) ||
	    (rc = check_terms(in->tags, "tags", slug, err)))
		return rc;
	size_t art = 0;
	for (size_t i = 0; i < in->n_assets; i++)
		art += in->assets[i].role == ROLE_ART;
	if (art > LIB_MAX_ART)
		return herr(err, HEARTH_EINVAL, "story '%s': art: %zu pieces given, at most %d",
			    slug, art, LIB_MAX_ART);
	return 0;
}

/* What must hold of a story before it is written, whoever sends it. */
static int check_input(hearth_lib *lib, const struct lib_story *in, const char *slug,
		       struct hearth_err *err)
{
	int rc;

	if ((rc = lib_check_words(in, slug, err)))
		return rc;
	if ((unsigned)in->status >= ST_COUNT)
		return herr(err, HEARTH_EINVAL, "story '%s': status: unknown value", slug);
	if ((unsigned)in->attribution > ATTR_ANONYMOUS)
		return herr(err, HEARTH_EINVAL, "story '%s': attribution: unknown value", slug);
	if (in->attribution == ATTR_NAME && (!in->name || !*in->name))
		return herr(err, HEARTH_EINVAL,
			    "story '%s': attribution is 'name' but no name is given", slug);
	if (in->attribution == ATTR_PSEUDONYM && (!in->pseudonym || !*in->pseudonym))
		return herr(err, HEARTH_EINVAL,
			    "story '%s': attribution is 'pseudonym' but no pseudonym is given",
			    slug);
	if (in->season < 0 || in->episode < 0)
		return herr(err, HEARTH_EINVAL,
			    "story '%s': season and episode must be positive", slug);
	for (size_t i = 0; i < in->n_assets; i++) {
		const struct lib_asset *a = &in->assets[i];
		const char *name = a->filename ? a->filename : "(unnamed)";
		if ((unsigned)a->role >= ROLE_COUNT)
			return herr(err, HEARTH_EINVAL, "story '%s': file '%s': unknown role",
				    slug, name);
		if (!sha256_is_hex(a->sha256))
			return herr(err, HEARTH_EINVAL,
				    "story '%s': file '%s': not in the store yet (no sha256)",
				    slug, name);
		char *p = lib_store_path(lib, a->sha256);
		bool there = path_is_file(p);
		free(p);
		if (!there)
			return herr(err, HEARTH_ENOENT,
				    "story '%s': file '%s': object %s is missing from the store",
				    slug, name, a->sha256);
		if (a->role == ROLE_ART && (!a->alt || !*a->alt))
			return herr(err, HEARTH_EINVAL,
				    "story '%s': art '%s': alt text is missing", slug, name);
	}
	return check_chapters(in, slug, err);
}

/*
 * Inserts or updates the contributor, named as attribution says (the
 * bundle's at first import, the catalogue's after); *person_id 0 means a
 * new row.
 */
static int write_person(hearth_lib *lib, int64_t *person_id, const struct lib_story *in,
			enum lib_attribution attribution, struct hearth_err *err)
{
	const char *attr = lib_attribution_name(attribution);
	if (*person_id)
		return lib_db_exec(lib, err,
				   "UPDATE people SET name = ?1, pseudonym = ?2, attribution = ?3, "
				   "contact = ?4 WHERE id = ?5",
				   "ssssI", in->name, in->pseudonym, attr, in->contact, *person_id);
	int rc = lib_db_exec(lib, err,
			     "INSERT INTO people (name, pseudonym, attribution, contact) "
			     "VALUES (?1, ?2, ?3, ?4)",
			     "ssss", in->name, in->pseudonym, attr, in->contact);
	if (!rc)
		*person_id = sqlite3_last_insert_rowid(lib->db);
	return rc;
}

/* A story's terms (fresh: a new story, which has none to delete yet). */
static int write_terms(hearth_lib *lib, int64_t id, const struct lib_story *in, bool fresh,
		       struct hearth_err *err)
{
	struct {
		const char *kind;
		char **v;
	} lists[] = {{"warning", in->warnings}, {"theme", in->themes}, {"tag", in->tags}};
	int rc = fresh ? 0
		       : lib_db_exec(lib, err, "DELETE FROM story_terms WHERE story_id = ?1", "I",
				     id);
	for (size_t k = 0; k < 3 && !rc; k++)
		for (int i = 0; lists[k].v && lists[k].v[i] && !rc; i++)
			rc = lib_db_exec(lib, err,
					 "INSERT INTO story_terms (story_id, kind, position, value) "
					 "VALUES (?1, ?2, ?3, ?4)",
					 "Isis", id, lists[k].kind, i, lists[k].v[i]);
	return rc;
}

/*
 * Replaces the story's assets (or its pending revision's); positions count
 * from 0 within each role. The two tables have the same columns.
 */
static int put_assets(hearth_lib *lib, int64_t id, const struct lib_story *in, bool pending,
		      bool fresh, struct hearth_err *err)
{
	int rc = fresh ? 0
		       : lib_db_exec(lib, err,
				     pending ? "DELETE FROM revision_assets WHERE story_id = ?1"
					     : "DELETE FROM assets WHERE story_id = ?1",
				     "I", id);
	for (size_t i = 0; i < in->n_assets && !rc; i++) {
		const struct lib_asset *a = &in->assets[i];
		int pos = 0;
		for (size_t j = 0; j < i; j++)
			pos += in->assets[j].role == a->role;
		rc = lib_db_exec(lib, err,
				 pending ? "INSERT INTO revision_assets (story_id, role, position, "
					   "sha256, mime, filename, alt, size, duration, width, "
					   "height, codec, sample_rate, channels) VALUES (?1, ?2, "
					   "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
					 : "INSERT INTO assets (story_id, role, position, sha256, "
					   "mime, filename, alt, size, duration, width, height, "
					   "codec, sample_rate, channels) VALUES (?1, ?2, ?3, ?4, "
					   "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
				 "IsissssIdiisii", id, lib_role_name(a->role), pos, a->sha256, a->mime, a->filename,
				 a->alt, a->size, a->duration, a->width, a->height, a->codec,
				 a->sample_rate, a->channels);
	}
	return rc;
}

int lib_story_write_assets(hearth_lib *lib, int64_t id, const struct lib_story *in,
			   bool pending, struct hearth_err *err)
{
	return put_assets(lib, id, in, pending, false, err);
}

static int write_assets(hearth_lib *lib, int64_t id, const struct lib_story *in, bool fresh,
			struct hearth_err *err)
{
	return put_assets(lib, id, in, false, fresh, err);
}

/* Replaces the story's chapters (fresh: a new story's, none yet). */
static int write_chapters(hearth_lib *lib, int64_t id, const struct lib_story *in, bool fresh,
			  struct hearth_err *err)
{
	int rc = fresh ? 0
		       : lib_db_exec(lib, err, "DELETE FROM chapters WHERE story_id = ?1", "I", id);
	for (size_t i = 0; i < in->n_chapters && !rc; i++)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO chapters (story_id, position, start, title) "
				 "VALUES (?1, ?2, ?3, ?4)",
				 "Iids", id, (int)i, in->chapters[i].start, in->chapters[i].title);
	return rc;
}

static int write_consent(hearth_lib *lib, int64_t id, bool site, bool podcast,
			 int64_t given, const char *recorded_by, const char *note,
			 int64_t withdrawn_at, struct hearth_err *err)
{
	return lib_db_exec(lib, err,
			   "INSERT INTO consent (story_id, site, podcast, given_at, recorded_by, "
			   "note, withdrawn_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
			   "ON CONFLICT (story_id) DO UPDATE SET site = excluded.site, "
			   "podcast = excluded.podcast, given_at = excluded.given_at, "
			   "recorded_by = excluded.recorded_by, note = excluded.note, "
			   "withdrawn_at = excluded.withdrawn_at",
			   "Ibbzssz", id, (int)site, (int)podcast, given, recorded_by, note,
			   withdrawn_at);
}

/*
 * The SHA-256 of in's body, stored with it: the public view gives it to
 * the build instead of hashing every body (migration 9; any other writer
 * of the body leaves it to the view).
 */
static void body_hash(const struct lib_story *in, char sha[65])
{
	const char *b = in->body ? in->body : "";
	sha256_hex(b, strlen(b), sha);
}

/* A new story row with its person; its guid comes from the slug. */
static int insert_story(hearth_lib *lib, const struct lib_story *in, const char *slug,
			enum lib_status status, int64_t published_at, int64_t *id,
			struct hearth_err *err)
{
	char *name = xasprintf("story:%s", slug);
	char guid[37], sha[65];
	int64_t person = 0, now = hearth_now();
	int rc;

	uuid5(LIB_STORY_NS, name, guid);
	free(name);
	if ((rc = write_person(lib, &person, in, in->attribution, err)))
		return rc;
	body_hash(in, sha);
	rc = lib_db_exec(lib, err,
			 "INSERT INTO stories (slug, guid, title, summary, body, status, "
			 "published_at, created_at, updated_at, person_id, language, license, "
			 "season, episode, source_hash, body_sha256) VALUES (?1, ?2, ?3, ?4, "
			 "?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
			 "sssssszIIsszzss", slug, guid,
			 in->title, in->summary, in->body ? in->body : "",
			 lib_status_name(status), published_at, now, person,
			 in->language ? in->language : "en", in->license, (int64_t)in->season,
			 (int64_t)in->episode, in->source_hash, sha);
	if (!rc)
		*id = sqlite3_last_insert_rowid(lib->db);
	return rc;
}

/* What an import finds in the catalogue under the slug. */
struct existing {
	bool found;
	int64_t id, person_id;
	char *source_hash;
};

static int find_existing(hearth_lib *lib, const char *slug, struct existing *e,
			 struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = lib_db_query(lib, err, &st,
			      "SELECT id, person_id, source_hash FROM stories WHERE slug = ?1",
			      "s", slug);
	memset(e, 0, sizeof *e);
	if (rc)
		return rc;
	if ((rc = lib_db_step(lib, st, err)) == 1) {
		e->found = true;
		e->id = sqlite3_column_int64(st, 0);
		e->person_id = sqlite3_column_int64(st, 1);
		e->source_hash = lib_col_str(st, 2);
		rc = 0;
	}
	lib_db_done(lib, st);
	return rc;
}

/* The whole stored story with this id, inside the caller's transaction. */
static int load_by_id(hearth_lib *lib, int64_t id, struct lib_story **out,
		      struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_story **v = NULL;
	size_t n = 0;
	int rc = lib_db_prepare(lib, err, &st,
				"SELECT " LIB_STORY_COLS LIB_STORY_FROM "WHERE s.id = ?1", "I", id);

	*out = NULL;
	if (!rc)
		rc = lib_story_load_all(lib, st, &v, &n, err);
	if (!rc && n == 0)
		rc = herr(err, HEARTH_EDB, "story %lld vanished during the import", (long long)id);
	if (!rc) {
		*out = v[0];
		v[0] = NULL;
	}
	sqlite3_finalize(st);
	lib_story_list_free(v, n);
	return rc;
}

/* ---- what a re-import changes and keeps -------------------------------- */

static bool same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool same_strv(char *const *a, char *const *b)
{
	size_t na = strv_len(a), nb = strv_len(b);
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

/* The i-th asset of role in s, in order; NULL past the last. */
static const struct lib_asset *nth_of_role(const struct lib_story *s, enum lib_role role,
					   size_t i)
{
	for (size_t k = 0; k < s->n_assets; k++)
		if (s->assets[k].role == role && i-- == 0)
			return &s->assets[k];
	return NULL;
}

/*
 * Whether two stories hold the same files, in the same order within each
 * role (the catalogue keeps them by role, a bundle in its own order).
 */
static bool same_assets(const struct lib_story *a, const struct lib_story *b)
{
	if (a->n_assets != b->n_assets)
		return false;
	for (int r = 0; r < ROLE_COUNT; r++)
		for (size_t i = 0;; i++) {
			const struct lib_asset *x = nth_of_role(a, (enum lib_role)r, i);
			const struct lib_asset *y = nth_of_role(b, (enum lib_role)r, i);
			if (!x || !y) {
				if (x || y)
					return false;
				break;
			}
			if (!same_str(x->sha256, y->sha256) || !same_str(x->alt, y->alt) ||
			    !same_str(x->filename, y->filename))
				return false;
		}
	return true;
}

static bool same_chapters(const struct lib_story *a, const struct lib_story *b)
{
	if (a->n_chapters != b->n_chapters)
		return false;
	for (size_t i = 0; i < a->n_chapters; i++)
		if (a->chapters[i].start != b->chapters[i].start ||
		    !same_str(a->chapters[i].title, b->chapters[i].title))
			return false;
	return true;
}

/* What the bundle in changes in the stored story old, as words for people. */
static char **content_changes(const struct lib_story *in, const struct lib_story *old)
{
	char **v = NULL;
	if (!same_str(in->title, old->title) || !same_str(in->summary, old->summary) ||
	    !same_str(in->body, old->body))
		v = strv_push(v, "text");
	if (!same_assets(in, old))
		v = strv_push(v, "media");
	if (!same_strv(in->warnings, old->warnings))
		v = strv_push(v, "warnings");
	if (!same_strv(in->themes, old->themes))
		v = strv_push(v, "themes");
	if (!same_strv(in->tags, old->tags))
		v = strv_push(v, "tags");
	if (!same_chapters(in, old))
		v = strv_push(v, "chapters");
	if (!same_str(in->language ? in->language : "en", old->language))
		v = strv_push(v, "language");
	if (!same_str(in->license, old->license))
		v = strv_push(v, "licence");
	if (in->season != old->season || in->episode != old->episode)
		v = strv_push(v, "season and episode");
	if (!same_str(in->name, old->name) || !same_str(in->pseudonym, old->pseudonym) ||
	    !same_str(in->contact, old->contact))
		v = strv_push(v, "contributor details");
	return v;
}

/* "a", "a and b", "a, b and c" */
static void put_list(struct buf *b, char *const *v)
{
	size_t n = strv_len(v);
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", v[i]);
}

/* A date as people write it: the day alone when it is midnight UTC. */
static void put_when(struct buf *b, int64_t t)
{
	char d[21];
	if (t % 86400 == 0)
		date_ymd(t, d);
	else
		date_iso(t, d);
	buf_puts(b, d);
}

/* "consent recorded by Jo on 2024-06-02 (site yes, podcast no)": days only */
static void put_consent(struct buf *b, const struct lib_story *s)
{
	char d[11];
	buf_puts(b, "consent");
	if (s->consent_recorded_by && *s->consent_recorded_by)
		buf_printf(b, " recorded by %s", s->consent_recorded_by);
	if (s->consent_given) {
		date_ymd(s->consent_given, d);
		buf_printf(b, " on %s", d);
	}
	buf_printf(b, " (site %s, podcast %s", s->consent_site ? "yes" : "no",
		   s->consent_podcast ? "yes" : "no");
	if (s->consent_withdrawn_at) {
		date_ymd(s->consent_withdrawn_at, d);
		buf_printf(b, ", withdrawn on %s", d);
	}
	buf_puts(b, ")");
}

/* Whether the bundle's consent block says something else than the catalogue. */
static bool consent_differs(const struct lib_story *in, const struct lib_story *old)
{
	return in->consent_site != old->consent_site ||
	       in->consent_podcast != old->consent_podcast ||
	       in->consent_given != old->consent_given ||
	       !same_str(in->consent_recorded_by, old->consent_recorded_by) ||
	       !same_str(in->consent_note, old->consent_note) ||
	       in->consent_withdrawn_at != old->consent_withdrawn_at;
}

/* Moves the text of b into the list of lines. */
static void add_line(char ***lines, struct buf *b)
{
	*lines = strv_push(*lines, buf_cstr(b));
	buf_reset(b);
}

/*
 * What a re-import says, one line per subject: the content it changed
 * and the consent it kept; then, when the bundle says otherwise than the
 * catalogue, the status, the publication date and the attribution kept.
 */
static char **reimport_lines(const struct lib_story *in, const struct lib_story *old,
			     enum lib_attribution attribution)
{
	char **lines = NULL, **changes = content_changes(in, old);
	struct buf b = BUF_INIT;

	if (changes) {
		buf_puts(&b, "updated ");
		put_list(&b, changes);
	} else {
		buf_puts(&b, "no content changed");
	}
	buf_puts(&b, "; kept ");
	put_consent(&b, old);
	if (consent_differs(in, old))
		buf_puts(&b, "; the bundle's consent block is ignored");
	add_line(&lines, &b);

	if (in->status != old->status) {
		if (old->status == ST_WITHDRAWN)
			buf_printf(&b, "kept status withdrawn with consent off; the bundle says "
				       "%s (a withdrawal is never undone)",
				   lib_status_name(in->status));
		else if (in->status == ST_WITHDRAWN)
			buf_printf(&b, "kept status %s; the bundle says withdrawn (record a "
				       "withdrawal with 'hearth withdraw')",
				   lib_status_name(old->status));
		else
			buf_printf(&b, "kept status %s; the bundle says %s",
				   lib_status_name(old->status), lib_status_name(in->status));
		add_line(&lines, &b);
	}
	if (in->published_at && in->published_at != old->published_at) {
		if (old->published_at) {
			buf_puts(&b, "kept publication date ");
			put_when(&b, old->published_at);
			buf_puts(&b, "; the bundle says ");
			put_when(&b, in->published_at);
		} else {
			buf_puts(&b, "the bundle's publication date ");
			put_when(&b, in->published_at);
			buf_puts(&b, " is ignored (dates are set with 'hearth publish')");
		}
		add_line(&lines, &b);
	}
	if (attribution != old->attribution)
		buf_printf(&b, "attribution is now %s (was %s): a bundle may name the "
			       "contributor less openly, never more",
			   lib_attribution_name(attribution), lib_attribution_name(old->attribution));
	else if (in->attribution != old->attribution)
		buf_printf(&b, "kept attribution %s; the bundle says %s",
			   lib_attribution_name(old->attribution),
			   lib_attribution_name(in->attribution));
	if (b.len)
		add_line(&lines, &b);
	strv_free(changes);
	buf_release(&b);
	return lines;
}

/* ---- importing --------------------------------------------------------- */

/*
 * The first import of a slug: the bundle's consent, status and date are
 * taken. A withdrawn bundle comes in with consent off; a published one
 * needs consent for a channel. The new row's terms, files and chapters
 * are written without deleting first: the catalogue deletes a story's
 * rows with it (foreign keys, ON DELETE CASCADE), so a new id has none.
 */
static int first_import(hearth_lib *lib, const struct lib_story *in, int64_t *id,
			char ***lines, struct hearth_err *err)
{
	struct lib_story rec = {0};
	struct buf b = BUF_INIT;
	int64_t now = hearth_now();
	int rc;

	rec.status = in->status;
	rec.published_at = in->published_at;
	rec.consent_site = in->consent_site;
	rec.consent_podcast = in->consent_podcast;
	rec.consent_given = in->consent_given;
	rec.consent_recorded_by = in->consent_recorded_by;
	rec.consent_withdrawn_at = in->consent_withdrawn_at;
	if (rec.status == ST_WITHDRAWN) {
		rec.consent_site = rec.consent_podcast = false;
		if (!rec.consent_withdrawn_at)
			rec.consent_withdrawn_at = now;
	}
	if (rec.status == ST_PUBLISHED && !rec.published_at)
		rec.published_at = now;
	if (rec.status == ST_PUBLISHED && !rec.consent_site && !rec.consent_podcast)
		return herr(err, HEARTH_ECONSENT,
			    "story '%s' is published in its bundle but has no consent for the "
			    "site or the podcast; record consent first",
			    in->slug);
	if ((rc = insert_story(lib, in, in->slug, rec.status, rec.published_at, id, err)) ||
	    (rc = write_terms(lib, *id, in, true, err)) ||
	    (rc = write_assets(lib, *id, in, true, err)) ||
	    (rc = write_chapters(lib, *id, in, true, err)) ||
	    (rc = write_consent(lib, *id, rec.consent_site, rec.consent_podcast,
				in->consent_given, in->consent_recorded_by, in->consent_note,
				rec.consent_withdrawn_at, err)))
		return rc;

	buf_printf(&b, "new: status %s", lib_status_name(rec.status));
	if (rec.status == ST_PUBLISHED) {
		buf_puts(&b, rec.published_at > now ? " (scheduled for " : " (since ");
		put_when(&b, rec.published_at);
		buf_puts(&b, ")");
	}
	buf_puts(&b, "; ");
	put_consent(&b, &rec);
	buf_puts(&b, ", from the bundle");
	add_line(lines, &b);
	buf_release(&b);
	return 0;
}

/*
 * A re-import: the content is replaced; consent, status, publication date
 * and attribution stay as the catalogue has them, except that the bundle
 * may name the contributor less openly (name, then pseudonym, then
 * anonymous).
 */
static int reimport(hearth_lib *lib, const struct lib_story *in, struct existing *e,
		    char ***lines, struct hearth_err *err)
{
	struct lib_story *old = NULL;
	enum lib_attribution attr;
	char sha[65];
	int rc;

	if ((rc = load_by_id(lib, e->id, &old, err)))
		return rc;
	attr = in->attribution > old->attribution ? in->attribution : old->attribution;
	if ((attr == ATTR_NAME && (!in->name || !*in->name)) ||
	    (attr == ATTR_PSEUDONYM && (!in->pseudonym || !*in->pseudonym))) {
		rc = herr(err, HEARTH_EINVAL,
			  "story '%s': the bundle gives no %s, but the contributor is named by "
			  "%s (chosen at the first import; a re-import never names them more "
			  "openly)",
			  in->slug, lib_attribution_name(attr), lib_attribution_name(attr));
		goto end;
	}
	if ((rc = write_person(lib, &e->person_id, in, attr, err)))
		goto end;
	body_hash(in, sha);
	rc = lib_db_exec(lib, err,
			 "UPDATE stories SET title = ?1, summary = ?2, body = ?3, "
			 "updated_at = ?4, person_id = ?5, language = ?6, license = ?7, "
			 "season = ?8, episode = ?9, source_hash = ?10, body_sha256 = ?12 "
			 "WHERE id = ?11",
			 "sssIIsszzsIs", in->title, in->summary, in->body ? in->body : "",
			 hearth_now(), e->person_id, in->language ? in->language : "en",
			 in->license, (int64_t)in->season, (int64_t)in->episode, in->source_hash,
			 e->id, sha);
	if (rc || (rc = write_terms(lib, e->id, in, false, err)) ||
	    (rc = write_assets(lib, e->id, in, false, err)) ||
	    (rc = write_chapters(lib, e->id, in, false, err)))
		goto end;
	/* a change of content is a new version: an approval or confirmation was of the old */
	if (!same_str(in->title, old->title) || !same_str(in->summary, old->summary) ||
	    !same_str(in->body, old->body) || !same_assets(in, old) ||
	    !same_strv(in->warnings, old->warnings))
		rc = lib_db_exec(lib, err, "UPDATE stories SET version = version + 1 WHERE id = ?1",
				 "I", e->id);
	if (rc)
		goto end;
	*lines = reimport_lines(in, old, attr);
end:
	lib_story_free(&old);
	return rc;
}

int lib_story_import(hearth_lib *lib, const struct lib_story *in, bool *changed,
		     struct buf *report, struct hearth_err *err)
{
	struct existing e = {0};
	char **lines = NULL, *detail = NULL;
	int rc;

	*changed = false;
	if (!in->slug || !slug_valid(in->slug))
		return herr(err, HEARTH_EINVAL, "story slug '%s' is not valid",
			    in->slug ? in->slug : "");
	if ((rc = check_input(lib, in, in->slug, err)))
		return rc;
	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = find_existing(lib, in->slug, &e, err)))
		goto end;
	if (e.found && in->source_hash && e.source_hash &&
	    !strcmp(in->source_hash, e.source_hash))
		goto end; /* the same bundle: nothing to do */

	if (e.found)
		rc = reimport(lib, in, &e, &lines, err);
	else
		rc = first_import(lib, in, &e.id, &lines, err);
	if (rc)
		goto end;
	detail = strv_join(lines, "; ");
	if ((rc = lib_audit_add(lib, e.id, e.found ? "update" : "import", detail, err)))
		goto end;
	*changed = true;
end:
	free(e.source_hash);
	free(detail);
	if ((rc = lib_end(lib, rc, err))) {
		*changed = false;
		strv_free(lines);
		return rc;
	}
	for (size_t i = 0; report && lines && lines[i]; i++)
		buf_printf(report, "%s: %s\n", in->slug, lines[i]);
	strv_free(lines);
	return 0;
}

/* base, or base-2, base-3... cut so that the whole stays a valid slug. */
static char *slug_candidate(const char *base, int k)
{
	if (k < 2)
		return xstrdup(base);
	char suffix[16];
	snprintf(suffix, sizeof suffix, "-%d", k);
	size_t n = strlen(base), room = 80 - strlen(suffix);
	if (n > room)
		n = room;
	while (n > 1 && base[n - 1] == '-')
		n--;
	return xasprintf("%.*s%s", (int)n, base, suffix);
}

/* ---- receipts ---------------------------------------------------------- */

#define RECEIPT_BYTES 20
#define RECEIPT_LETTERS 32
static const char base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

bool lib_receipt_normalize(const char *code, char out[33])
{
	size_t n = 0;
	if (!code)
		return false;
	for (const char *p = code; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (n == RECEIPT_LETTERS || !memchr(base32, c, sizeof base32 - 1) || !c)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == RECEIPT_LETTERS;
}

/*
 * A new receipt code: 20 random bytes as 32 base32 letters in groups of
 * four (*code, new allocation), and the hash the catalogue keeps.
 */
static void receipt_new(char **code, char hash[65])
{
	unsigned char raw[RECEIPT_BYTES];
	char letters[RECEIPT_LETTERS + 1];
	struct buf b = BUF_INIT;

	randombytes_buf(raw, sizeof raw);
	for (size_t i = 0; i < RECEIPT_LETTERS; i++) {
		size_t bit = i * 5;
		unsigned v = (unsigned)raw[bit / 8] << 8;
		if (bit / 8 + 1 < RECEIPT_BYTES)
			v |= raw[bit / 8 + 1];
		letters[i] = base32[(v >> (11 - bit % 8)) & 31];
	}
	letters[RECEIPT_LETTERS] = '\0';
	sodium_memzero(raw, sizeof raw);
	lib_token_hash(letters, RECEIPT_LETTERS, hash);
	for (size_t i = 0; i < RECEIPT_LETTERS; i += 4)
		buf_printf(&b, "%s%.4s", i ? "-" : "", letters + i);
	sodium_memzero(letters, sizeof letters);
	*code = xstrdup(buf_cstr(&b));
	buf_release(&b);
}

int lib_story_submit(hearth_lib *lib, const struct lib_story *in,
		     struct lib_submit_opts *opts, char **slug_out, struct hearth_err *err)
{
	char *base = NULL, *slug = NULL, *detail = NULL, *receipt = NULL;
	const char *via = opts && opts->via && *opts->via ? opts->via : "hearth submit";
	char hash[65];
	int64_t id = 0, taken = 0, invite = 0;
	int rc;

	*slug_out = NULL;
	if (opts)
		opts->receipt = NULL;
	if (in->slug && !slug_valid(in->slug))
		return herr(err, HEARTH_EINVAL,
			    "slug '%s' is not valid: use 1 to 80 of a-z, 0-9 and '-'", in->slug);
	base = in->slug ? xstrdup(in->slug) : slugify(in->title ? in->title : "");
	if ((rc = check_input(lib, in, base, err)))
		goto end;
	if ((rc = lib_crypto_ready(err)))
		goto end;
	receipt_new(&receipt, hash);
	if ((rc = lib_begin(lib, err)))
		goto end;
	/* the invitation is spent with the story, or not at all */
	if (opts && opts->invite && (rc = lib_invite_use(lib, opts->invite, &invite, err)))
		goto end_txn;
	for (int k = 1;; k++) {
		free(slug);
		slug = slug_candidate(base, k);
		rc = lib_db_int(lib, err, &taken, "SELECT 1 FROM stories WHERE slug = ?1", "s",
				slug);
		if (rc <= 0)
			break;
	}
	if (rc < 0)
		goto end_txn;
	if ((rc = insert_story(lib, in, slug, ST_SUBMITTED, 0, &id, err)) ||
	    (rc = write_terms(lib, id, in, false, err)) ||
	    (rc = write_assets(lib, id, in, false, err)) ||
	    (rc = write_chapters(lib, id, in, false, err)) ||
	    (rc = write_consent(lib, id, in->consent_site, in->consent_podcast,
				in->consent_given, in->consent_recorded_by, in->consent_note,
				0, err)))
		goto end_txn;
	if ((rc = lib_db_exec(lib, err,
			      "UPDATE stories SET receipt_hash = ?1, via = ?2, peer_confirms = ?3 "
			      "WHERE id = ?4",
			      "ssbI", hash, via, (int)(opts && opts->peer_confirms), id)))
		goto end_txn;
	if (invite)
		detail = xasprintf("submitted as '%s' via %s with invite %lld%s", slug, via,
				   (long long)invite,
				   opts->peer_confirms ? "; the storyteller confirms before publishing"
						       : "");
	else
		detail = xasprintf("submitted as '%s' via %s%s", slug, via,
				   opts && opts->peer_confirms
					   ? "; the storyteller confirms before publishing"
					   : "");
	rc = lib_audit_add(lib, id, "submit", detail, err);
end_txn:
	rc = lib_end(lib, rc, err);
end:
	free(base);
	free(detail);
	if (rc) {
		free(slug);
		free(receipt);
		return rc;
	}
	*slug_out = slug;
	if (opts)
		opts->receipt = receipt;
	else
		free(receipt);
	return 0;
}
