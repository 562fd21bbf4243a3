/*
 * public.c - THE public view: the one place where catalogue records,
 * private fields and all, become what may be published. It selects only
 * stories whose status is published, whose consent covers the channel and
 * whose publication time has come, and copies out only public fields: the
 * byline is the name, the pseudonym or "Anonymous" as the contributor
 * chose, and nothing else about the person. site-gen and feeds read these
 * records and nothing else. A build reads the view of both channels at
 * once without the bodies, and each body when its page is made, through
 * the same conditions.
 */
#include "libraryInt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * What a public record owns: copies of the strings it points to, packed
 * into a few blocks (a record's strings usually fit in the first). A
 * view of 10,000 stories made a quarter of a million small allocations,
 * one a string, and the allocator and the page faults of a heap touched
 * page by page were the largest part of reading it.
 *
 * The records of the view of both channels (lib_public_view_all) live
 * whole (record, strings, lists) in blocks the view shares, whole huge
 * pages each (core's xmalloc_big: a fresh small page costs a fault at
 * its first touch, and a view of 10,000 stories touched a thousand of
 * them); each record counts as a reference, and the last one freed frees
 * them.
 */
struct owned_block {
	struct owned_block *next;
	size_t used, cap;
	_Alignas(8) char data[];
};

/* The blocks of a whole view, shared by its records. */
struct view_mem {
	size_t refs;               /* records not yet freed */
	struct owned_block *head;
};

struct owned {
	struct owned_block *head;  /* this record's own blocks, or */
	struct view_mem *view;     /* the view's, which hold the record itself */
};

/* A view's blocks are whole multiples of this: a huge page. */
#define VIEW_BLOCK ((size_t)2 << 20)

/* n bytes from the front block of *head, a new one (bigger) when it is full. */
static void *block_take(struct owned_block **head, size_t n, size_t align, bool view)
{
	struct owned_block *b = *head;
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
	if (!b || at + n > b->cap) {
		size_t cap = b ? b->cap * 2 : 512;
		cap = cap > n ? cap : n;
		if (view) /* all of its huge pages */
			cap = ((sizeof *b + n + VIEW_BLOCK - 1) & ~(VIEW_BLOCK - 1)) - sizeof *b;
		b = view ? xmalloc_big(sizeof *b + cap) : xmalloc(sizeof *b + cap);
		b->cap = cap;
		b->next = *head;
		b->used = 0;
		*head = b;
		at = 0;
	}
	b->used = at + n;
	return b->data + at;
}

static void blocks_free(struct owned_block *b)
{
	for (struct owned_block *next; b; b = next) {
		next = b->next;
		free(b);
	}
}

/* n zeroed bytes of a view's blocks, aligned for any record. */
static void *view_take(struct view_mem *v, size_t n)
{
	void *p = block_take(&v->head, n, 8, true);
	memset(p, 0, n);
	return p;
}

static void view_unref(struct view_mem *v)
{
	if (v && --v->refs == 0) {
		blocks_free(v->head);
		free(v);
	}
}

/* A copy of s kept by o (a record's own); NULL stays NULL. */
static const char *keep(struct owned *o, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = block_take(&o->head, n, 1, false);
	memcpy(p, s, n);
	return p;
}

static void owned_free(struct owned *o)
{
	if (!o)
		return;
	blocks_free(o->head);
	free(o);
}

/* A copy of v; NULL (or empty) gives NULL. */
static char **copy_strv(char **v)
{
	char **out = NULL;
	for (size_t i = 0; v && v[i]; i++)
		out = strv_push(out, v[i]);
	return out;
}

/* The public record of s, allocated on its own (lib_public_view's). */
static struct pub_story *make_public(const struct lib_story *s)
{
	struct pub_story *p = xcalloc(1, sizeof *p);
	struct owned *o = xcalloc(1, sizeof *o);
	int counts[ROLE_COUNT] = {0};
	char sha[65];

	p->owned_ = o;
	p->slug = keep(o, s->slug);
	p->guid = keep(o, s->guid);
	p->title = keep(o, s->title);
	p->summary = keep(o, s->summary);
	p->body = keep(o, s->body ? s->body : "");
	sha256_hex(p->body, strlen(p->body), sha);
	p->body_sha256 = keep(o, sha);
	/* the only reader of name and attribution on the way out */
	const char *byline = lib_byline(s->attribution, s->name, s->pseudonym);
	p->byline = keep(o, byline);
	/* a name or pseudonym given, not the word lib_byline puts for nobody */
	p->anonymous = (byline != s->name && byline != s->pseudonym) ||
		       !strcmp(byline, "Anonymous");
	p->language = keep(o, s->language ? s->language : "en");
	p->license = keep(o, s->license);
	p->published_at = s->published_at;
	p->updated_at = s->updated_at;
	p->on_site = s->consent_site;
	p->on_podcast = s->consent_podcast;
	p->warnings = copy_strv(s->warnings);
	p->themes = copy_strv(s->themes);
	p->tags = copy_strv(s->tags);
	p->season = s->season;
	p->episode = s->episode;
	p->assets = xcalloc(s->n_assets ? s->n_assets : 1, sizeof *p->assets);
	p->n_assets = s->n_assets;
	for (size_t i = 0; i < s->n_assets; i++) {
		const struct lib_asset *a = &s->assets[i];
		struct pub_asset *pa = &p->assets[i];
		pa->role = a->role;
		pa->sha256 = keep(o, a->sha256);
		pa->mime = keep(o, a->mime);
		pa->alt = keep(o, a->alt);
		pa->size = a->size;
		pa->duration = a->duration;
		pa->width = a->width;
		pa->height = a->height;
		if ((unsigned)a->role < ROLE_COUNT)
			pa->index = ++counts[a->role];
	}
	const struct lib_asset *sound = lib_story_sound(s);
	p->sound = sound ? &p->assets[sound - s->assets] : NULL;
	p->chapters = xcalloc(s->n_chapters ? s->n_chapters : 1, sizeof *p->chapters);
	p->n_chapters = s->n_chapters;
	for (size_t i = 0; i < s->n_chapters; i++) {
		p->chapters[i].start = s->chapters[i].start;
		p->chapters[i].title = keep(o, s->chapters[i].title);
	}
	return p;
}

static void pub_story_free(struct pub_story *p)
{
	struct owned *o;
	if (!p)
		return;
	o = p->owned_;
	if (o && o->view) { /* the record lives in its view's blocks */
		view_unref(o->view);
		return;
	}
	owned_free(o);
	strv_free(p->warnings);
	strv_free(p->themes);
	strv_free(p->tags);
	free(p->assets);
	free(p->chapters);
	free(p);
}

void pub_story_list_free(struct pub_story **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		pub_story_free(v[i]);
	free(v);
}

static void pub_collection_free(struct pub_collection *c)
{
	struct owned *o;
	if (!c)
		return;
	o = c->owned_;
	owned_free(o);
	strv_free(c->stories);
	strv_free(c->episodes);
	free(c);
}

void pub_collection_list_free(struct pub_collection **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		pub_collection_free(v[i]);
	free(v);
}

/* What every story of the view satisfies; ?1 is now. */
#define PUBLIC_WHERE                                                            \
	"s.status = 'published' AND s.published_at IS NOT NULL "               \
	"AND s.published_at <= ?1 "

/*
 * The stories of the view of both channels, without their bodies, in id
 * order. Every column comes from stories_view (migration 10), not from
 * the rows: a body is read only when its hash is not stored (a body
 * written by hand, see migration 9), one row at a time.
 */
const char lib_view_stories_sql[] =
	"SELECT s.id, s.slug, s.guid, s.title, s.summary, "
	"CASE WHEN s.body_sha256 IS NULL THEN "
	"(SELECT b.body FROM stories b WHERE b.id = s.id) END, "
	"s.published_at, s.updated_at, p.name, p.pseudonym, p.attribution, "
	"c.site, c.podcast, s.language, s.license, s.season, s.episode, s.body_sha256 "
	"FROM stories s INDEXED BY stories_view LEFT JOIN people p ON p.id = s.person_id "
	"LEFT JOIN consent c ON c.story_id = s.id "
	"WHERE " PUBLIC_WHERE "AND (c.site = 1 OR c.podcast = 1) ORDER BY s.id";

/* The stories of one channel's view, with their bodies. */
static int public_stories(hearth_lib *lib, int channel, int64_t now,
			  struct pub_story ***out, size_t *n, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_story **v = NULL;
	size_t len = 0;
	int rc = lib_db_prepare(lib, err, &st,
				"SELECT " LIB_STORY_COLS LIB_STORY_FROM
				"WHERE " PUBLIC_WHERE "AND (CASE ?2 WHEN 0 THEN c.site "
				"ELSE c.podcast END) = 1 ORDER BY s.published_at DESC, s.slug",
				"Ii", now, channel == CH_PODCAST ? 1 : 0);
	if (!rc)
		rc = lib_story_load_all(lib, st, &v, &len, err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	*out = xcalloc(len ? len : 1, sizeof **out);
	for (size_t i = 0; i < len; i++)
		(*out)[i] = make_public(v[i]);
	*n = len;
	lib_story_list_free(v, len);
	return 0;
}

/*
 * The view of both channels at once, read one table at a time (stories,
 * terms, files, chapters), each pass in story id order, instead of three
 * queries a story: a large library is read in four statements, each
 * table front to back (the stories in the view's order through an index
 * would read the table's pages in random order, each many times). Every
 * story's body comes as the SHA-256 its import stored (migration 9); a
 * body written another way has none and is hashed as its row goes by,
 * and not kept. The records are put in the view's order at the end.
 *
 * Each record is made in the view's blocks as its row goes by (a column
 * is copied from SQLite into a block, and no catalogue record, struct
 * lib_story, is made on the way), then copied whole into the view's
 * order (record_copy). The private columns a row
 * carries (the contributor's name and pseudonym) are only looked at by
 * lib_byline; the one it gives is copied, the other is never kept.
 */
struct view_row {
	int64_t id;            /* the story's catalogue id */
	struct pub_story *p;   /* its record, in the view's blocks */
};

/*
 * One pass over terms, files or chapters: the story whose rows are being
 * gathered, and what they gave so far (put into its record, in the view's
 * blocks, when its last row has gone by).
 */
struct view_pass {
	struct owned *o;               /* the view's, shared by its records */
	struct pub_story *p;           /* the story gathered, NULL before the first */
	const char **terms[3];         /* warnings, themes, tags */
	size_t n_terms[3], cap_terms[3];
	struct pub_asset *assets;
	size_t n_assets, cap_assets;
	struct pub_chapter *chapters;
	size_t n_chapters, cap_chapters;
};

/* Column i of st, copied into the view's blocks; NULL stays NULL. */
static const char *col_keep(struct owned *o, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	size_t n = (size_t)sqlite3_column_bytes(st, i) + 1;
	char *p = block_take(&o->view->head, n, 1, true);
	memcpy(p, t, n);
	return p;
}

/* n items of size from v (n > 0), copied into the view's blocks. */
static void *view_copy(struct owned *o, const void *v, size_t n, size_t size)
{
	void *p = block_take(&o->view->head, n * size, 8, true);
	memcpy(p, v, n * size);
	return p;
}

/* v, which holds n of *cap items of size, with room for one more. */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 8;
	return xrealloc(v, *cap * size);
}

/* The view's order: newest first, then by slug (as SQLite's BINARY collation orders). */
static int by_date(const void *pa, const void *pb)
{
	const struct pub_story *x = *(const struct pub_story *const *)pa;
	const struct pub_story *y = *(const struct pub_story *const *)pb;
	if (x->published_at != y->published_at)
		return x->published_at > y->published_at ? -1 : 1;
	return strcmp(x->slug, y->slug);
}

/*
 * The record of the stories pass's current row, whole but for its terms,
 * files and chapters, in the view's blocks; empty points at one zeroed
 * file and chapter that every record without any shares (a record's
 * lists are never NULL, as make_public makes them).
 */
static struct pub_story *view_record(sqlite3_stmt *st, struct owned *o, void *empty)
{
	struct pub_story *p = view_take(o->view, sizeof *p);
	enum lib_attribution attribution;
	const char *sha = (const char *)sqlite3_column_text(st, 17);
	int i = 1;

	o->view->refs++;
	p->owned_ = o;
	p->slug = col_keep(o, st, i++);
	p->guid = col_keep(o, st, i++);
	p->title = col_keep(o, st, i++);
	p->summary = col_keep(o, st, i++);
	/* the body: its hash only, as the import stored it, else hashed now */
	if (sha && strlen(sha) == 64) {
		p->body_sha256 = col_keep(o, st, 17);
	} else {
		const char *body = (const char *)sqlite3_column_text(st, i);
		char hex[65];
		body = body ? body : "";
		sha256_hex(body, strlen(body), hex);
		p->body_sha256 = view_copy(o, hex, sizeof hex, 1);
	}
	i++;
	p->published_at = sqlite3_column_int64(st, i++);
	p->updated_at = sqlite3_column_int64(st, i++);
	/* the only reader of name and attribution on the way out */
	const char *name = (const char *)sqlite3_column_text(st, i++);
	const char *pseudonym = (const char *)sqlite3_column_text(st, i++);
	if (lib_attribution_parse((const char *)sqlite3_column_text(st, i++), &attribution))
		attribution = ATTR_ANONYMOUS;
	const char *byline = lib_byline(attribution, name, pseudonym);
	p->byline = view_copy(o, byline, strlen(byline) + 1, 1);
	/* a name or pseudonym given, not the word lib_byline puts for nobody */
	p->anonymous = (byline != name && byline != pseudonym) || !strcmp(byline, "Anonymous");
	p->on_site = sqlite3_column_int(st, i++) != 0;
	p->on_podcast = sqlite3_column_int(st, i++) != 0;
	p->language = col_keep(o, st, i++);
	if (!p->language)
		p->language = view_copy(o, "en", 3, 1);
	p->license = col_keep(o, st, i++);
	p->season = sqlite3_column_int(st, i++);
	p->episode = sqlite3_column_int(st, i++);
	p->assets = empty;
	p->chapters = empty;
	return p;
}

/* Puts what pass gathered of its story into the story's record. */
static void pass_flush(struct view_pass *pass)
{
	struct pub_story *p = pass->p;
	char ***lists[3];
	int counts[ROLE_COUNT] = {0};

	if (!p)
		return;
	lists[0] = &p->warnings;
	lists[1] = &p->themes;
	lists[2] = &p->tags;
	for (int k = 0; k < 3; k++) {
		size_t n = pass->n_terms[k];
		if (!n)
			continue;
		char **v = view_take(pass->o->view, (n + 1) * sizeof *v); /* NULL-terminated */
		memcpy(v, pass->terms[k], n * sizeof *v);
		*lists[k] = v;
		pass->n_terms[k] = 0;
	}
	if (pass->n_assets) {
		p->assets = view_copy(pass->o, pass->assets, pass->n_assets, sizeof *p->assets);
		p->n_assets = pass->n_assets;
		p->sound = NULL;
		for (size_t i = 0; i < p->n_assets; i++) { /* as lib_story_sound chooses */
			struct pub_asset *a = &p->assets[i];
			if ((unsigned)a->role < ROLE_COUNT)
				a->index = ++counts[a->role];
			if (a->role == ROLE_AUDIO && (!p->sound || p->sound->role != ROLE_AUDIO))
				p->sound = a;
			else if (a->role == ROLE_MUSIC && !p->sound)
				p->sound = a;
		}
		pass->n_assets = 0;
	}
	if (pass->n_chapters) {
		p->chapters = view_copy(pass->o, pass->chapters, pass->n_chapters,
					sizeof *p->chapters);
		p->n_chapters = pass->n_chapters;
		pass->n_chapters = 0;
	}
	pass->p = NULL;
}

/*
 * Steps st, whose first column is a story id in ascending order, and
 * calls add(pass, st) for each row of a story in rows (sorted by id,
 * borrowed), with pass->p that story's record; rows of other stories
 * (not public) are skipped. What a story gathered is put into its record
 * when its rows are over.
 */
static int merge_pass(hearth_lib *lib, sqlite3_stmt *st, const struct view_row *rows, size_t n,
		      struct view_pass *pass,
		      int (*add)(struct view_pass *pass, sqlite3_stmt *st, struct hearth_err *err),
		      struct hearth_err *err)
{
	size_t k = 0;
	int rc;
	while ((rc = lib_db_step(lib, st, err)) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		while (k < n && rows[k].id < id)
			k++;
		if (k == n || rows[k].id != id)
			continue;
		if (pass->p != rows[k].p) {
			pass_flush(pass);
			pass->p = rows[k].p;
		}
		if ((rc = add(pass, st, err)))
			return rc;
	}
	if (!rc)
		pass_flush(pass);
	return rc;
}

static int add_term(struct view_pass *pass, sqlite3_stmt *st, struct hearth_err *err)
{
	const char *kind = (const char *)sqlite3_column_text(st, 1);
	int k = !kind ? 2 : !strcmp(kind, "warning") ? 0 : !strcmp(kind, "theme") ? 1 : 2;
	const char *value = col_keep(pass->o, st, 2);
	(void)err;
	pass->terms[k] = grow(pass->terms[k], pass->n_terms[k], &pass->cap_terms[k],
			      sizeof *pass->terms[k]);
	pass->terms[k][pass->n_terms[k]++] = value ? value : view_copy(pass->o, "", 1, 1);
	return 0;
}

static int add_asset(struct view_pass *pass, sqlite3_stmt *st, struct hearth_err *err)
{
	const char *role = (const char *)sqlite3_column_text(st, 1);
	enum lib_role role_v;
	int i = 2;
	if (lib_role_parse(role, &role_v))
		return herr(err, HEARTH_EDB, "story '%s': a file has an unknown role '%s'",
			    pass->p->slug, role ? role : "");
	pass->assets = grow(pass->assets, pass->n_assets, &pass->cap_assets, sizeof *pass->assets);
	struct pub_asset *a = &pass->assets[pass->n_assets++];
	memset(a, 0, sizeof *a);
	a->role = role_v;
	a->sha256 = col_keep(pass->o, st, i++);
	a->mime = col_keep(pass->o, st, i++);
	a->alt = col_keep(pass->o, st, i++);
	a->size = sqlite3_column_int64(st, i++);
	a->duration = sqlite3_column_double(st, i++);
	a->width = sqlite3_column_int(st, i++);
	a->height = sqlite3_column_int(st, i++);
	return 0;
}

static int add_chapter(struct view_pass *pass, sqlite3_stmt *st, struct hearth_err *err)
{
	(void)err;
	pass->chapters = grow(pass->chapters, pass->n_chapters, &pass->cap_chapters,
			      sizeof *pass->chapters);
	pass->chapters[pass->n_chapters].start = sqlite3_column_double(st, 1);
	pass->chapters[pass->n_chapters++].title = col_keep(pass->o, st, 2);
	return 0;
}

/* A copy of s in the view's blocks; NULL stays NULL. */
static const char *view_str(struct owned *o, const char *s)
{
	return s ? view_copy(o, s, strlen(s) + 1, 1) : NULL;
}

/* A copy of the NULL-terminated v in the view's blocks; NULL stays NULL. */
static char **view_strv(struct owned *o, char **v)
{
	size_t n = strv_len(v);
	if (!v)
		return NULL;
	char **c = view_take(o->view, (n + 1) * sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = (char *)view_str(o, v[i]);
	return c;
}

/*
 * A copy of p, its strings and lists, in o's view's blocks (empty as
 * view_record's). The records are made in the catalogue's order; copied
 * again in the view's order, a reader going down the view (every step of
 * a build does, several times) reads its memory front to back instead of
 * jumping across it.
 */
static struct pub_story *record_copy(const struct pub_story *p, struct owned *o, void *empty)
{
	struct pub_story *c = view_take(o->view, sizeof *c);

	*c = *p;
	o->view->refs++;
	c->owned_ = o;
	c->slug = view_str(o, p->slug);
	c->guid = view_str(o, p->guid);
	c->title = view_str(o, p->title);
	c->summary = view_str(o, p->summary);
	c->body_sha256 = view_str(o, p->body_sha256);
	c->byline = view_str(o, p->byline);
	c->language = view_str(o, p->language);
	c->license = view_str(o, p->license);
	c->warnings = view_strv(o, p->warnings);
	c->themes = view_strv(o, p->themes);
	c->tags = view_strv(o, p->tags);
	c->assets = empty;
	c->chapters = empty;
	if (p->n_assets) {
		c->assets = view_copy(o, p->assets, p->n_assets, sizeof *c->assets);
		for (size_t i = 0; i < p->n_assets; i++) {
			c->assets[i].sha256 = view_str(o, p->assets[i].sha256);
			c->assets[i].mime = view_str(o, p->assets[i].mime);
			c->assets[i].alt = view_str(o, p->assets[i].alt);
		}
		c->sound = p->sound ? &c->assets[p->sound - p->assets] : NULL;
	}
	if (p->n_chapters) {
		c->chapters = view_copy(o, p->chapters, p->n_chapters, sizeof *c->chapters);
		for (size_t i = 0; i < p->n_chapters; i++)
			c->chapters[i].title = view_str(o, p->chapters[i].title);
	}
	return c;
}

/*
 * The stories of both channels, newest first, without their bodies but
 * with each body's SHA-256; inside the caller's read transaction.
 */
static int public_stories_all(hearth_lib *lib, int64_t now, struct pub_story ***out,
			      size_t *n, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct view_row *rows = NULL;
	struct pub_story **by = NULL;
	struct view_pass pass;
	struct view_mem *vm = xcalloc(1, sizeof *vm);
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	memset(&pass, 0, sizeof pass);
	vm->refs = 1; /* this function's, until every record holds one */
	pass.o = view_take(vm, sizeof *pass.o);
	pass.o->view = vm;
	/* what a record without files or chapters points at */
	void *empty = view_take(vm, sizeof(struct pub_asset) > sizeof(struct pub_chapter)
					    ? sizeof(struct pub_asset)
					    : sizeof(struct pub_chapter));
	rc = lib_db_prepare(lib, err, &st, lib_view_stories_sql, "I", now);
	while (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		rc = 0;
		rows = grow(rows, len, &cap, sizeof *rows);
		rows[len].id = sqlite3_column_int64(st, 0);
		rows[len++].p = view_record(st, pass.o, empty);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc)
		goto end;
	/* the rows came in id order: the other tables are merged in that order */
	if (!(rc = lib_db_prepare(lib, err, &st,
				  "SELECT story_id, kind, value FROM story_terms "
				  "ORDER BY story_id, kind, position",
				  "")))
		rc = merge_pass(lib, st, rows, len, &pass, add_term, err);
	sqlite3_finalize(st);
	st = NULL;
	if (!rc && !(rc = lib_db_prepare(lib, err, &st,
					 "SELECT story_id, role, sha256, mime, alt, size, duration, "
					 "width, height FROM assets ORDER BY story_id, CASE role "
					 "WHEN 'audio' THEN 0 WHEN 'music' THEN 1 WHEN 'art' THEN 2 "
					 "ELSE 3 END, position",
					 "")))
		rc = merge_pass(lib, st, rows, len, &pass, add_asset, err);
	sqlite3_finalize(st);
	st = NULL;
	if (!rc && !(rc = lib_db_prepare(lib, err, &st,
					 "SELECT story_id, start, title FROM chapters "
					 "ORDER BY story_id, position",
					 "")))
		rc = merge_pass(lib, st, rows, len, &pass, add_chapter, err);
	sqlite3_finalize(st);
	if (rc)
		goto end;
	by = xcalloc(len ? len : 1, sizeof *by);
	for (size_t i = 0; i < len; i++)
		by[i] = rows[i].p;
	qsort(by, len, sizeof *by, by_date);
	/* the view's blocks, in the view's order; the first ones go at once */
	struct view_mem *sorted = xcalloc(1, sizeof *sorted);
	sorted->refs = 1;
	struct owned *o = view_take(sorted, sizeof *o);
	o->view = sorted;
	void *none = view_take(sorted, sizeof(struct pub_asset) > sizeof(struct pub_chapter)
					       ? sizeof(struct pub_asset)
					       : sizeof(struct pub_chapter));
	for (size_t i = 0; i < len; i++)
		by[i] = record_copy(by[i], o, none);
	view_unref(sorted); /* the records hold it now */
	*out = by;
	*n = len;
end:
	/* no record of the first blocks is given out: they go at once */
	blocks_free(vm->head);
	free(vm);
	for (int k = 0; k < 3; k++)
		free(pass.terms[k]);
	free(pass.assets);
	free(pass.chapters);
	free(rows);
	return rc;
}

static int public_collections(hearth_lib *lib, int64_t now, struct pub_collection ***out,
			      size_t *n, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL, *items = NULL;
	struct pub_collection **v = NULL;
	size_t len = 0;
	int rc;

	if ((rc = lib_db_prepare(lib, err, &st,
				 "SELECT id, slug, title, description, podcast, type FROM "
				 "collections ORDER BY slug",
				 "")) ||
	    (rc = lib_db_prepare(lib, err, &items,
				 "SELECT s.slug, c.site, c.podcast FROM collection_items ci "
				 "JOIN stories s ON s.id = ci.story_id JOIN consent c ON "
				 "c.story_id = s.id WHERE ci.collection_id = ?1 AND "
				 "s.status = 'published' AND s.published_at IS NOT NULL AND "
				 "s.published_at <= ?2 AND (c.site = 1 OR c.podcast = 1) "
				 "ORDER BY ci.position",
				 "")))
		goto end;
	while ((rc = lib_db_step(lib, st, err)) == 1) {
		struct pub_collection *c = xcalloc(1, sizeof *c);
		struct owned *o = xcalloc(1, sizeof *o);
		v = xrealloc(v, (len + 1) * sizeof *v);
		v[len++] = c;
		c->owned_ = o;
		c->slug = keep(o, (const char *)sqlite3_column_text(st, 1));
		c->title = keep(o, (const char *)sqlite3_column_text(st, 2));
		c->description = keep(o, (const char *)sqlite3_column_text(st, 3));
		c->podcast = sqlite3_column_int(st, 4) != 0;
		c->serial = !strcmp((const char *)sqlite3_column_text(st, 5), "serial");
		sqlite3_reset(items);
		sqlite3_bind_int64(items, 1, sqlite3_column_int64(st, 0));
		sqlite3_bind_int64(items, 2, now);
		size_t n_st = 0, cap_st = 0, n_ep = 0, cap_ep = 0;
		while ((rc = lib_db_step(lib, items, err)) == 1) {
			const char *slug = (const char *)sqlite3_column_text(items, 0);
			if (sqlite3_column_int(items, 1))
				strv_append(&c->stories, &n_st, &cap_st, slug);
			if (sqlite3_column_int(items, 2))
				strv_append(&c->episodes, &n_ep, &cap_ep, slug);
		}
		if (rc)
			break;
	}
end:
	sqlite3_finalize(st);
	sqlite3_finalize(items);
	if (rc) {
		pub_collection_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int lib_public_view(hearth_lib *lib, enum lib_channel channel, struct pub_story ***out,
		    size_t *n, struct pub_collection ***colls, size_t *n_colls,
		    struct hearth_err *err)
{
	int64_t now = hearth_now();
	size_t unused;
	int rc;

	if (!n_colls)
		n_colls = &unused;
	*out = NULL;
	*n = 0;
	if (colls)
		*colls = NULL;
	*n_colls = 0;
	if (channel != CH_SITE && channel != CH_PODCAST)
		return herr(err, HEARTH_EINVAL, "unknown channel %d", (int)channel);
	/* one snapshot for stories and collections alike */
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	rc = public_stories(lib, (int)channel, now, out, n, err);
	if (!rc && colls && (rc = public_collections(lib, now, colls, n_colls, err))) {
		pub_story_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return lib_end(lib, rc, err);
}

int lib_next_scheduled(hearth_lib *lib, int64_t after, int64_t *at, struct hearth_err *err)
{
	int64_t v = 0;
	/* any published story, whatever its consent: a moment too early is only a check */
	int rc = lib_db_int(lib, err, &v,
			    "SELECT MIN(published_at) FROM stories WHERE status = 'published' "
			    "AND published_at IS NOT NULL AND published_at > ?1",
			    "I", after);
	if (rc < 0)
		return rc;
	*at = rc == 1 && v > after ? v : -1;
	return 0;
}

int lib_public_view_all(hearth_lib *lib, struct pub_story ***out, size_t *n,
			struct pub_collection ***colls, size_t *n_colls,
			struct hearth_err *err)
{
	int64_t now = hearth_now();
	int rc;

	*out = NULL;
	*n = 0;
	*colls = NULL;
	*n_colls = 0;
	/* every page is read once: a few kept pages, not new memory for each */
	if ((rc = lib_db_scan_begin(lib, err)))
		return rc;
	/* one snapshot for stories, their bodies' hashes and collections alike */
	if ((rc = lib_begin_read(lib, err))) {
		lib_db_scan_end(lib, err);
		return rc;
	}
	rc = public_stories_all(lib, now, out, n, err);
	if (!rc)
		rc = public_collections(lib, now, colls, n_colls, err);
	rc = lib_end(lib, rc, err);
	struct hearth_err ignored;
	int end_rc = lib_db_scan_end(lib, rc ? &ignored : err);
	rc = rc ? rc : end_rc;
	if (rc) {
		pub_story_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		pub_collection_list_free(*colls, *n_colls);
		*colls = NULL;
		*n_colls = 0;
	}
	return rc;
}

struct lib_body_reader {
	hearth_lib *lib;
	sqlite3_stmt *st;
};

int lib_public_bodies_open(hearth_lib *lib, lib_body_reader **out, struct hearth_err *err)
{
	struct lib_body_reader *r = xcalloc(1, sizeof *r);
	/* the site view's condition: only a story with a page has its body read */
	int rc = lib_db_prepare(lib, err, &r->st,
				"SELECT s.body FROM stories s JOIN consent c ON c.story_id = s.id "
				"WHERE " PUBLIC_WHERE "AND c.site = 1 AND s.slug = ?2",
				"I", hearth_now());
	r->lib = lib;
	if (rc)
		lib_public_bodies_close(&r);
	*out = r;
	return rc;
}

int lib_public_body(lib_body_reader *r, const char *slug, char **body, char sha[65],
		    struct hearth_err *err)
{
	int rc;

	*body = NULL;
	sqlite3_reset(r->st);
	sqlite3_bind_text(r->st, 2, slug, -1, SQLITE_STATIC);
	rc = lib_db_step(r->lib, r->st, err);
	if (rc == 1) {
		const char *b = (const char *)sqlite3_column_text(r->st, 0);
		*body = xstrdup(b ? b : "");
		sha256_hex(*body, strlen(*body), sha);
		rc = 0;
	} else if (rc == 0) {
		rc = herr(err, HEARTH_ENOENT, "story '%s' is no longer public", slug);
	}
	sqlite3_reset(r->st);
	sqlite3_bind_null(r->st, 2); /* the slug is the caller's */
	return rc;
}

/* A slug to read and where its body goes. */
struct slug_at {
	const char *slug;
	size_t k;
};

static int by_slug(const void *a, const void *b)
{
	return strcmp(((const struct slug_at *)a)->slug, ((const struct slug_at *)b)->slug);
}

int lib_public_bodies_read(hearth_lib *lib, const char *const *slugs, size_t n, char **bodies,
			   char (*sha)[65], struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct slug_at *order = NULL;
	size_t i = 0;
	int rc;

	for (size_t k = 0; k < n; k++)
		bodies[k] = NULL;
	if (!n)
		return 0;
	/* a few kept pages, not new memory for each story's pages */
	if ((rc = lib_db_scan_begin(lib, err)))
		return rc;
	/*
	 * In the order of the slug index: its pages (and the rows', when the
	 * stories came in that order) are read once each, in order, instead
	 * of again and again as the few kept pages are cycled.
	 */
	order = xcalloc(n, sizeof *order);
	for (size_t k = 0; k < n; k++)
		order[k] = (struct slug_at){slugs[k], k};
	qsort(order, n, sizeof *order, by_slug);
	/* one read for them all: one lock and one snapshot, not one per story */
	if ((rc = lib_begin_read(lib, err)))
		goto scan;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT s.body FROM stories s JOIN consent c ON c.story_id = s.id "
			    "WHERE " PUBLIC_WHERE "AND c.site = 1 AND s.slug = ?2",
			    "I", hearth_now());
	for (; !rc && i < n; i++) {
		size_t k = order[i].k;
		sqlite3_bind_text(st, 2, slugs[k], -1, SQLITE_STATIC);
		rc = lib_db_step(lib, st, err);
		if (rc == 1) {
			const char *b = (const char *)sqlite3_column_text(st, 0);
			bodies[k] = xstrdup(b ? b : "");
			sha256_hex(bodies[k], strlen(bodies[k]), sha[k]);
			rc = 0;
		} else if (rc == 0) {
			rc = herr(err, HEARTH_ENOENT, "story '%s' is no longer public", slugs[k]);
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	rc = lib_end(lib, rc, err);
scan:;
	struct hearth_err ignored;
	int end_rc = lib_db_scan_end(lib, rc ? &ignored : err);
	rc = rc ? rc : end_rc;
	if (rc)
		for (size_t k = 0; k < n; k++)
			xfree(&bodies[k]);
	free(order);
	return rc;
}

void lib_public_bodies_close(lib_body_reader **rp)
{
	struct lib_body_reader *r = *rp;
	if (!r)
		return;
	sqlite3_finalize(r->st);
	free(r);
	*rp = NULL;
}
