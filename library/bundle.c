/*
 * bundle.c - the import format read into catalogue records: a story bundle
 * (stories/<slug>/story.md with YAML front matter, a Markdown body and the
 * files it names) and a collection file (collections/<slug>.yaml). Input
 * from outside is checked here field by field: only known keys, dates that
 * are dates, files that exist inside the bundle and do not escape it by a
 * link, sizes within the limits before anything is read or hashed. Every
 * message names the file, the line and the field.
 *
 * It also remembers what an import saw of each bundle (bundles_seen: each
 * file's size, times and inode, as git's index does), so that the next
 * import can skip a bundle none of whose files changed without opening
 * any of them.
 */
#define _GNU_SOURCE
#include "libraryInt.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Whether a component of rel, a path without "." or ".." parts, is a
 * symbolic link under dir: one lstat per component. A path that is not
 * such a path counts as one, so the caller resolves it in full.
 */
static bool rel_has_link(const char *dir, const char *rel)
{
	if (!path_is_safe_rel(rel))
		return true;
	char *full = path_join(dir, rel);
	size_t at = strlen(full) - strlen(rel);
	bool link = false;
	for (char *p = full + at;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		struct stat st;
		*p = '\0';
		link = lstat(full, &st) != 0 || S_ISLNK(st.st_mode);
		*p = c;
		if (link || !c)
			break;
	}
	free(full);
	return link;
}

int lib_file_inside(const char *dir, const char *rel, const char *where,
		    const char *field, char **out, struct hearth_err *err)
{
	char *full = path_join(dir, rel);
	char *rdir = NULL, *rfull = NULL;
	struct stat st;
	int rc = 0;

	*out = NULL;
	if (stat(full, &st)) {
		rc = herr(err, HEARTH_ENOENT, "%s: %s: file '%s' does not exist", where, field,
			  rel);
		goto end;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = herr(err, HEARTH_EINVAL, "%s: %s: '%s' is not a regular file", where, field,
			  rel);
		goto end;
	}
	/* the usual case, a plain file in plain folders, needs no resolving */
	if (!rel_has_link(dir, rel))
		goto inside;
	rdir = realpath(dir, NULL);
	rfull = realpath(full, NULL);
	if (!rdir || !rfull) {
		rc = herr(err, HEARTH_EIO, "%s: %s: cannot resolve '%s'", where, field, rel);
		goto end;
	}
	size_t n = strlen(rdir);
	if (strncmp(rfull, rdir, n) || (rfull[n] != '/' && !(n == 1 && rdir[0] == '/'))) {
		rc = herr(err, HEARTH_EINVAL,
			  "%s: %s: '%s' is a link that leads outside the folder; copy the "
			  "file in instead",
			  where, field, rel);
		goto end;
	}
inside:
	*out = full;
	full = NULL;
end:
	free(full);
	free(rdir);
	free(rfull);
	return rc;
}

/* ---- values ------------------------------------------------------------ */

/* What a reader needs for messages: the file's name; and the limits. */
struct ctx {
	const char *file;
	const char *dir;
	struct hearth_err *err;
	int chapters_line;  /* where chapters: is, 0 when it is not */
	int64_t max_file_size;
};

/* A scalar, trimmed, in *out (NULL when empty); refuses lists and maps. */
static int get_text(struct ctx *c, const struct ynode *v, const char *field, char **out)
{
	if (v->kind != Y_SCALAR)
		return herr(c->err, HEARTH_EINVAL, "%s: line %d: %s: expected text, not a %s",
			    c->file, v->line, field, v->kind == Y_SEQ ? "list" : "map");
	char *s = str_trim(xstrdup(v->str));
	free(*out);
	*out = NULL;
	if (*s)
		*out = s;
	else
		free(s);
	return 0;
}

static int get_bool(struct ctx *c, const struct ynode *v, const char *field, bool *out)
{
	int b = v->kind == Y_SCALAR ? yaml_bool(v->str) : -1;
	if (b < 0)
		return herr(c->err, HEARTH_EINVAL, "%s: line %d: %s: expected yes or no%s%s%s",
			    c->file, v->line, field, v->kind == Y_SCALAR ? ", not '" : "",
			    v->kind == Y_SCALAR ? v->str : "", v->kind == Y_SCALAR ? "'" : "");
	*out = b;
	return 0;
}

static int get_date(struct ctx *c, const struct ynode *v, const char *field, int64_t *out)
{
	if (v->kind != Y_SCALAR || date_parse(v->str, out))
		return herr(c->err, HEARTH_EINVAL,
			    "%s: line %d: %s: expected a date like 2024-05-10%s%s%s", c->file,
			    v->line, field, v->kind == Y_SCALAR ? ", not '" : "",
			    v->kind == Y_SCALAR ? v->str : "", v->kind == Y_SCALAR ? "'" : "");
	return 0;
}

static int get_positive(struct ctx *c, const struct ynode *v, const char *field, int *out)
{
	char *end = NULL;
	long n = 0;
	if (v->kind == Y_SCALAR && *v->str)
		n = strtol(v->str, &end, 10);
	if (v->kind != Y_SCALAR || !end || *end || n < 1 || n > 100000)
		return herr(c->err, HEARTH_EINVAL,
			    "%s: line %d: %s: expected a positive whole number%s%s%s", c->file,
			    v->line, field, v->kind == Y_SCALAR ? ", not '" : "",
			    v->kind == Y_SCALAR ? v->str : "", v->kind == Y_SCALAR ? "'" : "");
	*out = (int)n;
	return 0;
}

/* A list of short texts, or one text; empty items are refused. */
static int get_list(struct ctx *c, const struct ynode *v, const char *field, char ***out)
{
	strv_free(*out);
	*out = NULL;
	if (v->kind == Y_MAP)
		return herr(c->err, HEARTH_EINVAL, "%s: line %d: %s: expected a list of texts",
			    c->file, v->line, field);
	if (v->kind == Y_SCALAR) {
		char *s = str_trim(xstrdup(v->str));
		if (*s)
			*out = strv_push(NULL, s);
		free(s);
		return 0;
	}
	size_t n = 0, cap = 0; /* strv_append: a list of thousands grows in O(n) */
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->items[i];
		if (it->kind != Y_SCALAR)
			return herr(c->err, HEARTH_EINVAL,
				    "%s: line %d: %s: every item must be text", c->file, it->line,
				    field);
		char *s = str_trim(xstrdup(it->str));
		if (!*s) {
			free(s);
			return herr(c->err, HEARTH_EINVAL, "%s: line %d: %s: an item is empty",
				    c->file, it->line, field);
		}
		strv_append(out, &n, &cap, s);
		free(s);
	}
	return 0;
}

/* ---- chapters ------------------------------------------------------------ */

/*
 * A chapter's start: seconds ("90", "90.5") or a clock ("1:30",
 * "01:30.5", "1:02:03"), to the millisecond. After a colon, minutes and
 * seconds are two digits below 60.
 */
static bool parse_start(const char *s, double *out)
{
	long long part[3], frac = 0;
	int n = 0, fd = 0;

	for (;;) {
		int digits = 0;
		long long v = 0;
		while (*s >= '0' && *s <= '9' && digits < 9) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (!digits || (n > 0 && (digits != 2 || v >= 60)))
			return false;
		part[n++] = v;
		if (*s == ':' && n < 3) {
			s++;
			continue;
		}
		break;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9' && fd < 3) {
			frac = frac * 10 + (*s++ - '0');
			fd++;
		}
		if (!fd)
			return false;
		while (fd++ < 3)
			frac *= 10;
	}
	if (*s)
		return false;
	long long t = 0;
	for (int i = 0; i < n; i++)
		t = t * 60 + part[i];
	*out = (double)(t * 1000 + frac) / 1000;
	return true;
}

#define MAX_CHAPTERS 500
#define MAX_CHAPTER_TITLE 200

/* One item of chapters: {start, title}, after the ones read so far. */
static int read_chapter(struct ctx *c, struct lib_story *s, const struct ynode *it)
{
	const struct ynode *start = NULL;
	char *title = NULL, t1[32], t2[32];
	double at = 0;
	int rc = 0;

	if (it->kind != Y_MAP)
		return herr(c->err, HEARTH_EINVAL,
			    "%s: line %d: chapters: expected items like {start: \"1:30\", title: "
			    "\"The kettle\"}",
			    c->file, it->line);
	for (size_t i = 0; i < it->n && !rc; i++) {
		if (!strcmp(it->keys[i], "start"))
			start = it->items[i];
		else if (!strcmp(it->keys[i], "title"))
			rc = get_text(c, it->items[i], "chapters.title", &title);
		else
			rc = herr(c->err, HEARTH_EINVAL, "%s: line %d: unknown key 'chapters.%s'",
				  c->file, it->items[i]->line, it->keys[i]);
	}
	if (rc)
		goto end;
	if (!start) {
		rc = herr(c->err, HEARTH_EINVAL, "%s: line %d: chapters.start: is missing", c->file,
			  it->line);
		goto end;
	}
	if (start->kind != Y_SCALAR || !parse_start(start->str, &at)) {
		rc = herr(c->err, HEARTH_EINVAL,
			  "%s: line %d: chapters.start: expected a time like 1:30, 01:02:03 or 90.5 "
			  "(seconds)%s%s%s",
			  c->file, start->line, start->kind == Y_SCALAR ? ", not '" : "",
			  start->kind == Y_SCALAR ? start->str : "", start->kind == Y_SCALAR ? "'" : "");
		goto end;
	}
	if (!title) {
		rc = herr(c->err, HEARTH_EINVAL, "%s: line %d: chapters.title: is missing; every "
			  "chapter needs a title", c->file, it->line);
		goto end;
	}
	if (strchr(title, '\n') || strchr(title, '\r') || !text_valid(title, strlen(title))) {
		rc = herr(c->err, HEARTH_EINVAL, "%s: line %d: chapters.title: must be one line of "
			  "text", c->file, it->line);
		goto end;
	}
	if (utf8_chars(title) > MAX_CHAPTER_TITLE) {
		rc = herr(c->err, HEARTH_EINVAL,
			  "%s: line %d: chapters.title: is longer than %d characters", c->file,
			  it->line, MAX_CHAPTER_TITLE);
		goto end;
	}
	if (s->n_chapters && at <= s->chapters[s->n_chapters - 1].start) {
		fmt_clock(at, 3, t1);
		fmt_clock(s->chapters[s->n_chapters - 1].start, 3, t2);
		rc = herr(c->err, HEARTH_EINVAL,
			  "%s: line %d: chapters.start: %s is not after the chapter before it (%s); "
			  "chapters must start in order",
			  c->file, start->line, t1, t2);
		goto end;
	}
	s->chapters = xrealloc(s->chapters, (s->n_chapters + 1) * sizeof *s->chapters);
	s->chapters[s->n_chapters].start = at;
	s->chapters[s->n_chapters++].title = title;
	title = NULL;
end:
	free(title);
	return rc;
}

/* chapters: a list of {start, title}, starts strictly increasing. */
static int read_chapters(struct ctx *c, struct lib_story *s, const struct ynode *v)
{
	c->chapters_line = v->line;
	if (v->kind == Y_SCALAR && !*v->str)
		return 0;
	if (v->kind != Y_SEQ)
		return herr(c->err, HEARTH_EINVAL,
			    "%s: line %d: chapters: expected a list of {start, title}", c->file,
			    v->line);
	if (v->n > MAX_CHAPTERS)
		return herr(c->err, HEARTH_EINVAL, "%s: line %d: chapters: more than %d chapters",
			    c->file, v->line, MAX_CHAPTERS);
	for (size_t i = 0; i < v->n; i++) {
		int rc = read_chapter(c, s, v->items[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* Chapters mark a sound: the story must have audio or music. */
static int chapters_need_sound(struct ctx *c, const struct lib_story *s)
{
	if (!s->n_chapters)
		return 0;
	if (lib_story_sound(s))
		return 0;
	return herr(c->err, HEARTH_EINVAL,
		    "%s: line %d: chapters: the story has no audio or music for them to mark",
		    c->file, c->chapters_line);
}

/* ---- story bundles ----------------------------------------------------- */

/* Checks a file named by field and adds it to the story as an asset of role. */
static int add_file(struct ctx *c, struct lib_story *s, const struct ynode *v,
		    enum lib_role role, const char *field, const char *alt)
{
	char *where = xasprintf("%s: line %d", c->file, v->line);
	char *full = NULL;
	int rc = 0;

	if (v->kind != Y_SCALAR || !*v->str) {
		rc = herr(c->err, HEARTH_EINVAL, "%s: %s: expected the name of a file", where,
			  field);
		goto end;
	}
	if (!path_is_safe_rel(v->str)) {
		rc = herr(c->err, HEARTH_EINVAL,
			  "%s: %s: '%s' must be a relative path inside the story folder "
			  "(no '..', not absolute)",
			  where, field, v->str);
		goto end;
	}
	if ((rc = lib_file_inside(c->dir, v->str, where, field, &full, c->err)))
		goto end;
	/* before anything reads it: the bundle's hash would read it whole */
	int64_t size = file_size(full);
	if (size > c->max_file_size) {
		rc = herr(c->err, HEARTH_EINVAL,
			  "%s: %s: '%s' is %lld bytes, larger than limits.max_file_size (%lld "
			  "bytes) in hearth.yaml",
			  where, field, v->str, (long long)size, (long long)c->max_file_size);
		goto end;
	}
	s->assets = xrealloc(s->assets, (s->n_assets + 1) * sizeof *s->assets);
	struct lib_asset *a = &s->assets[s->n_assets++];
	memset(a, 0, sizeof *a);
	a->role = role;
	a->filename = xstrdup(v->str);
	a->alt = xstrdup(alt);
end:
	free(where);
	free(full);
	return rc;
}

static int read_art_item(struct ctx *c, struct lib_story *s, const struct ynode *it)
{
	if (it->kind == Y_SCALAR)
		return herr(c->err, HEARTH_EINVAL,
			    "%s: line %d: art: '%s' needs alt text; write it as "
			    "'- file: %s' with 'alt: <what the image shows>' below",
			    c->file, it->line, it->str, it->str);
	if (it->kind != Y_MAP)
		return herr(c->err, HEARTH_EINVAL,
			    "%s: line %d: art: expected items with file and alt", c->file,
			    it->line);
	const struct ynode *file = NULL;
	char *alt = NULL;
	int rc = 0;
	for (size_t i = 0; i < it->n && !rc; i++) {
		if (!strcmp(it->keys[i], "file"))
			file = it->items[i];
		else if (!strcmp(it->keys[i], "alt"))
			rc = get_text(c, it->items[i], "art.alt", &alt);
		else
			rc = herr(c->err, HEARTH_EINVAL, "%s: line %d: unknown key 'art.%s'",
				  c->file, it->items[i]->line, it->keys[i]);
	}
	if (!rc && !file)
		rc = herr(c->err, HEARTH_EINVAL, "%s: line %d: art: an item has no file",
			  c->file, it->line);
	if (!rc && !alt)
		rc = herr(c->err, HEARTH_EINVAL,
			  "%s: line %d: art: '%s' has no alt text; describe the image in alt",
			  c->file, it->line, file->kind == Y_SCALAR ? file->str : "?");
	if (!rc)
		rc = add_file(c, s, file, ROLE_ART, "art", alt);
	free(alt);
	return rc;
}

static int read_art(struct ctx *c, struct lib_story *s, const struct ynode *v)
{
	if (v->kind != Y_SEQ)
		return read_art_item(c, s, v);
	/* before any file is looked at (lib_check_words says it again for every way in) */
	if (v->n > LIB_MAX_ART)
		return herr(c->err, HEARTH_EINVAL, "%s: line %d: art: %zu pieces given, at most %d",
			    c->file, v->line, v->n, LIB_MAX_ART);
	for (size_t i = 0; i < v->n; i++) {
		int rc = read_art_item(c, s, v->items[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* contributor: {name, pseudonym, attribution, contact}; attribution checked later. */
static int read_contributor(struct ctx *c, struct lib_story *s, const struct ynode *v,
			    char **attribution, int *attr_line)
{
	if (v->kind == Y_SCALAR && !*v->str)
		return 0;
	if (v->kind != Y_MAP)
		return herr(c->err, HEARTH_EINVAL,
			    "%s: line %d: contributor: expected name, pseudonym, "
			    "attribution and contact",
			    c->file, v->line);
	for (size_t i = 0; i < v->n; i++) {
		const char *k = v->keys[i];
		const struct ynode *it = v->items[i];
		int rc;
		if (!strcmp(k, "name"))
			rc = get_text(c, it, "contributor.name", &s->name);
		else if (!strcmp(k, "pseudonym"))
			rc = get_text(c, it, "contributor.pseudonym", &s->pseudonym);
		else if (!strcmp(k, "contact"))
			rc = get_text(c, it, "contributor.contact", &s->contact);
		else if (!strcmp(k, "attribution")) {
			rc = get_text(c, it, "contributor.attribution", attribution);
			*attr_line = it->line;
		} else
			rc = herr(c->err, HEARTH_EINVAL,
				  "%s: line %d: unknown key 'contributor.%s'", c->file,
				  it->line, k);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_consent(struct ctx *c, struct lib_story *s, const struct ynode *v)
{
	if (v->kind == Y_SCALAR && !*v->str)
		return 0;
	if (v->kind != Y_MAP)
		return herr(c->err, HEARTH_EINVAL,
			    "%s: line %d: consent: expected site, podcast, given, "
			    "recorded_by and note",
			    c->file, v->line);
	for (size_t i = 0; i < v->n; i++) {
		const char *k = v->keys[i];
		const struct ynode *it = v->items[i];
		int rc;
		if (!strcmp(k, "site"))
			rc = get_bool(c, it, "consent.site", &s->consent_site);
		else if (!strcmp(k, "podcast"))
			rc = get_bool(c, it, "consent.podcast", &s->consent_podcast);
		else if (!strcmp(k, "given"))
			rc = get_date(c, it, "consent.given", &s->consent_given);
		else if (!strcmp(k, "recorded_by"))
			rc = get_text(c, it, "consent.recorded_by", &s->consent_recorded_by);
		else if (!strcmp(k, "note"))
			rc = get_text(c, it, "consent.note", &s->consent_note);
		else
			rc = herr(c->err, HEARTH_EINVAL, "%s: line %d: unknown key 'consent.%s'",
				  c->file, it->line, k);
		if (rc)
			return rc;
	}
	return 0;
}

/* One top-level key of the front matter. */
static int read_key(struct ctx *c, struct lib_story *s, const char *k, const struct ynode *v,
		    char **attribution, int *attr_line)
{
	char *tmp = NULL;
	int rc;

	if (!strcmp(k, "title") || !strcmp(k, "summary")) {
		char **slot = k[0] == 't' ? &s->title : &s->summary;
		size_t max = k[0] == 't' ? LIB_MAX_TITLE_CHARS : LIB_MAX_SUMMARY_CHARS;
		if ((rc = get_text(c, v, k, slot)))
			return rc;
		if (*slot && utf8_chars(*slot) > max)
			return herr(c->err, HEARTH_EINVAL,
				    "%s: line %d: %s: is longer than %zu characters", c->file,
				    v->line, k, max);
		return 0;
	}
	if (!strcmp(k, "language"))
		return get_text(c, v, k, &s->language);
	if (!strcmp(k, "license"))
		return get_text(c, v, k, &s->license);
	if (!strcmp(k, "status")) {
		if ((rc = get_text(c, v, k, &tmp)))
			return rc;
		if (!tmp || lib_status_parse(tmp, &s->status))
			rc = herr(c->err, HEARTH_EINVAL,
				  "%s: line %d: status: expected one of submitted, in_review, "
				  "changes_requested, approved, published, withdrawn, rejected, "
				  "not '%s'",
				  c->file, v->line, tmp ? tmp : "");
		free(tmp);
		return rc;
	}
	if (!strcmp(k, "published"))
		return get_date(c, v, k, &s->published_at);
	if (!strcmp(k, "contributor"))
		return read_contributor(c, s, v, attribution, attr_line);
	if (!strcmp(k, "consent"))
		return read_consent(c, s, v);
	if (!strcmp(k, "warnings"))
		return get_list(c, v, k, &s->warnings);
	if (!strcmp(k, "themes"))
		return get_list(c, v, k, &s->themes);
	if (!strcmp(k, "tags"))
		return get_list(c, v, k, &s->tags);
	enum lib_role role;
	if (!lib_role_parse(k, &role) && role != ROLE_ART)
		return add_file(c, s, v, role, k, NULL);
	if (!strcmp(k, "art"))
		return read_art(c, s, v);
	if (!strcmp(k, "chapters"))
		return read_chapters(c, s, v);
	if (!strcmp(k, "season"))
		return get_positive(c, v, k, &s->season);
	if (!strcmp(k, "episode"))
		return get_positive(c, v, k, &s->episode);
	return herr(c->err, HEARTH_EINVAL, "%s: line %d: unknown key '%s'", c->file, v->line, k);
}

/* How the contributor is named: given, or the most private choice the data allows. */
/* How the contributor is named: lib_attribution_settle, the rule of every way in. */
static int settle_attribution(struct ctx *c, struct lib_story *s, const char *attribution,
			      int line)
{
	int rc = lib_attribution_settle(attribution, s->name, s->pseudonym, &s->attribution,
					c->err);
	if (rc)
		herr_prefix(c->err, "%s: line %d: contributor.attribution", c->file, line);
	return rc;
}

/*
 * sha256 over story.md and the hash of every file it names, in order. Each
 * file's own hash is kept in its asset with the file's identity when it
 * was read, so intake copies it into the store without hashing it again.
 */
static int source_hash(struct ctx *c, struct lib_story *s, const struct buf *md)
{
	struct sha256 h;
	char hex[65];

	sha256_init(&h);
	sha256_update(&h, md->data, md->len);
	for (size_t i = 0; i < s->n_assets; i++) {
		char *p = path_join(c->dir, s->assets[i].filename);
		int rc = sha256_file_id(p, hex, &s->assets[i].seen, c->err);
		free(p);
		if (rc)
			return rc;
		const char *role = lib_role_name(s->assets[i].role);
		sha256_update(&h, role, strlen(role) + 1);
		sha256_update(&h, hex, 64);
		free(s->assets[i].sha256);
		s->assets[i].sha256 = xstrdup(hex);
	}
	sha256_final_hex(&h, hex);
	s->source_hash = xstrdup(hex);
	return 0;
}

/* ---- what an import saw ------------------------------------------------ */

/* The clock the kernel stamps files with, at its coarse tick. */
static void seen_now(struct lib_story *s)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) != 0)
		ts = (struct timespec){0};
	s->seen_at_sec = ts.tv_sec;
	s->seen_at_nsec = ts.tv_nsec;
}

/*
 * A file changed in the clock tick the bundle was read in (or later) could
 * change again within that tick and keep every stamp: not to be trusted.
 */
static bool settled(const struct lib_story *s, const struct file_id *id)
{
	int64_t t = s->seen_at_sec, n = s->seen_at_nsec;
	bool m = id->mtime_sec < t || (id->mtime_sec == t && id->mtime_nsec < n);
	bool c = id->ctime_sec < t || (id->ctime_sec == t && id->ctime_nsec < n);
	return s->seen_at_sec > 0 && m && c;
}

static void put_limits(struct buf *b, const struct lib_settings *set)
{
	buf_printf(b, "limits %lld %lld %.17g %lld\n",
		   (long long)(set ? set->max_story_size : LIB_MAX_STORY_SIZE),
		   (long long)(set ? set->max_file_size : LIB_MAX_FILE_SIZE),
		   set ? set->max_duration : 0.0, (long long)(set ? set->max_pixels : 0));
}

static void put_id(struct buf *b, const struct file_id *id, const char *name)
{
	buf_printf(b, "%lld %lld %lld %lld %lld %llu %llu %s\n", (long long)id->size,
		   (long long)id->mtime_sec, (long long)id->mtime_nsec,
		   (long long)id->ctime_sec, (long long)id->ctime_nsec,
		   (unsigned long long)id->ino, (unsigned long long)id->dev, name);
}

/* The seen record of one bundle just read, or NULL when it is not to be kept. */
static char *seen_record(const struct lib_story *s, const struct lib_settings *set)
{
	struct buf b = BUF_INIT;

	if (!settled(s, &s->md_seen))
		return NULL;
	put_limits(&b, set);
	put_id(&b, &s->md_seen, "story.md");
	for (size_t i = 0; i < s->n_assets; i++) {
		const struct lib_asset *a = &s->assets[i];
		if (!settled(s, &a->seen) || strchr(a->filename, '\n')) {
			buf_release(&b);
			return NULL;
		}
		put_id(&b, &a->seen, a->filename);
	}
	return buf_detach(&b);
}

/* True when every file in the record still has its stamps and limits are as then. */
static bool record_holds(const char *dir, const char *rec, const struct lib_settings *set)
{
	struct buf want = BUF_INIT;
	const char *line = rec, *nl;
	bool ok;

	put_limits(&want, set);
	nl = strchr(line, '\n');
	ok = nl && (size_t)(nl + 1 - line) == want.len && !memcmp(line, want.data, want.len);
	buf_release(&want);
	for (line = nl ? nl + 1 : NULL; ok && line && *line; line = nl + 1) {
		long long size, ms, mn, cs, cn;
		unsigned long long ino, dev;
		struct file_id was, now;
		int name_at = 0;
		nl = strchr(line, '\n');
		if (!nl || sscanf(line, "%lld %lld %lld %lld %lld %llu %llu %n", &size, &ms, &mn,
				  &cs, &cn, &ino, &dev, &name_at) != 7 || name_at <= 0 ||
		    line + name_at >= nl)
			return false;
		was = (struct file_id){.dev = dev, .ino = ino, .size = size,
				       .mtime_sec = ms, .mtime_nsec = mn,
				       .ctime_sec = cs, .ctime_nsec = cn};
		char *name = xstrndup(line + name_at, (size_t)(nl - line - name_at));
		char *path = path_join(dir, name);
		ok = path_is_safe_rel(name) && file_id_of_path(path, &now) && file_id_same(&was, &now);
		free(path);
		free(name);
	}
	return ok;
}

/*
 * The bundle folder as the key of its record: a full path without trailing
 * '/'. Links are not resolved (that costs a readlink per component): two
 * spellings of one folder only cost a read. Returns a new allocation or NULL.
 */
static char *seen_key(const char *dir)
{
	char *cwd = NULL, *key;
	size_t n;

	if (dir[0] == '/') {
		key = xstrdup(dir);
	} else {
		if (!(cwd = getcwd(NULL, 0)))
			return NULL;
		key = path_join(cwd, dir);
		free(cwd);
	}
	for (n = strlen(key); n > 1 && key[n - 1] == '/'; n--)
		key[n - 1] = '\0';
	return key;
}

int lib_bundles_unchanged(hearth_lib *lib, char *const *dirs, size_t n,
			  const struct lib_settings *set, bool *same, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = lib_db_scan_begin(lib, err);

	if (!rc)
		rc = lib_begin_read(lib, err);
	for (size_t i = 0; i < n; i++)
		same[i] = false;
	if (!rc)
		rc = lib_db_prepare(lib, err, &st,
				    "SELECT b.files FROM bundles_seen b "
				    "JOIN stories s INDEXED BY stories_source ON s.id = b.story_id "
				    "WHERE b.dir = ?1 AND s.slug = ?2 AND s.source_hash = b.source_hash",
				    "");
	for (size_t i = 0; i < n && !rc; i++) {
		char *key = seen_key(dirs[i]);
		if (!key)
			continue; /* reading it says what is wrong */
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, path_base(key), -1, SQLITE_TRANSIENT);
		if ((rc = lib_db_step(lib, st, err)) == 1)
			same[i] = record_holds(key, (const char *)sqlite3_column_text(st, 0), set);
		rc = rc < 0 ? rc : 0;
		free(key);
	}
	sqlite3_finalize(st);
	rc = lib_end(lib, rc, err);
	struct hearth_err ignored;
	int end_rc = lib_db_scan_end(lib, rc ? &ignored : err);
	return rc ? rc : end_rc;
}

int lib_bundles_seen(hearth_lib *lib, char *const *dirs, struct lib_story *const *stories,
		     size_t n, const struct lib_settings *set, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t before = sqlite3_total_changes64(lib->db);
	int rc;

	if ((rc = lib_db_prepare(lib, err, &st,
				 "INSERT INTO bundles_seen (dir, story_id, source_hash, files) "
				 "SELECT ?1, id, source_hash, ?2 FROM stories "
				 "WHERE slug = ?3 AND source_hash = ?4 "
				 "ON CONFLICT (dir) DO UPDATE SET story_id = excluded.story_id, "
				 "source_hash = excluded.source_hash, files = excluded.files",
				 "")))
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		char *key = seen_key(dirs[i]);
		char *rec = key ? seen_record(stories[i], set) : NULL;
		if (rec) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, rec, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 3, stories[i]->slug, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 4, stories[i]->source_hash, -1, SQLITE_TRANSIENT);
			rc = lib_db_step(lib, st, err);
			rc = rc < 0 ? rc : 0;
		} else if (key) {
			/* a record left from before would no longer say the truth */
			rc = lib_db_exec(lib, err, "DELETE FROM bundles_seen WHERE dir = ?1", "s",
					 key);
		}
		free(rec);
		free(key);
	}
	sqlite3_finalize(st);
	/* what an import saw is no change of the catalogue: builds need not know */
	lib->changes_at_begin += sqlite3_total_changes64(lib->db) - before;
	return rc;
}

int lib_bundle_read(const char *dir_in, const struct lib_settings *set,
		    struct lib_story **out, struct hearth_err *err)
{
	struct lib_story *s = xcalloc(1, sizeof *s);
	struct buf md = BUF_INIT;
	struct ynode *root = NULL;
	char *dir = xstrdup(dir_in), *file = NULL, *attribution = NULL, *inside = NULL;
	const char *yaml, *body;
	size_t yaml_len, body_len;
	int body_line, attr_line = 0, rc;

	*out = NULL;
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	file = path_join(dir, "story.md");
	struct ctx c = {
		.file = file,
		.dir = dir,
		.err = err,
		.max_file_size = set ? set->max_file_size : LIB_MAX_FILE_SIZE,
	};

	s->slug = xstrdup(path_base(dir));
	if (!slug_valid(s->slug)) {
		rc = herr(err, HEARTH_EINVAL,
			  "%s: the folder name '%s' is not a valid slug: use 1 to 80 of a-z, "
			  "0-9 and '-'",
			  dir, s->slug);
		goto end;
	}
	struct stat st;
	if (lstat(file, &st) != 0) {
		rc = herr(err, HEARTH_ENOENT, "%s: no story.md: a story bundle needs one", dir);
		goto end;
	}
	/*
	 * A plain file (the usual case) is inside its folder, and its stamps
	 * are the ones lstat gave: one call. A link is resolved in full.
	 */
	if (!S_ISREG(st.st_mode) &&
	    (rc = lib_file_inside(dir, "story.md", dir, "story", &inside, err)))
		goto end;
	/* before reading: a change after this is seen by the next import */
	seen_now(s);
	if (S_ISREG(st.st_mode))
		file_id_of_stat(&st, &s->md_seen);
	else if (!file_id_of_path(file, &s->md_seen))
		s->seen_at_sec = 0; /* not remembered */
	if ((rc = file_read_max(file, set ? set->max_story_size : LIB_MAX_STORY_SIZE,
				"limits.max_story_size in hearth.yaml", &md, err)))
		goto end;
	if ((rc = frontmatter_split(md.data, md.len, file, &yaml, &yaml_len, &body, &body_len,
				    &body_line, err)))
		goto end;
	if ((rc = yaml_parse(yaml, yaml_len, file, 1, &root, err)))
		goto end;
	if (root->kind != Y_MAP) {
		rc = herr(err, HEARTH_EINVAL, "%s: line %d: front matter must be a map of keys",
			  file, root->line);
		goto end;
	}
	if (!text_valid(body, body_len)) {
		rc = herr(err, HEARTH_EINVAL,
			  "%s: line %d: the story text is not valid UTF-8 (or holds control "
			  "characters)",
			  file, body_line);
		goto end;
	}
	s->body = xstrndup(body, body_len);
	for (size_t i = 0; i < root->n; i++)
		if ((rc = read_key(&c, s, root->keys[i], root->items[i], &attribution,
				   &attr_line)))
			goto end;
	if (!s->title) {
		rc = herr(err, HEARTH_EINVAL, "%s: title: is missing; every story needs a title",
			  file);
		goto end;
	}
	if (!s->language)
		s->language = xstrdup("en");
	if ((rc = settle_attribution(&c, s, attribution, attr_line)) ||
	    (rc = chapters_need_sound(&c, s)))
		goto end;
	rc = source_hash(&c, s, &md);
end:
	ynode_free(root);
	buf_release(&md);
	free(dir);
	free(file);
	free(inside);
	free(attribution);
	if (rc) {
		lib_story_free(&s);
		return rc;
	}
	*out = s;
	return 0;
}

/* ---- collection files -------------------------------------------------- */

int lib_collection_read(const char *path, const struct lib_settings *set,
			struct lib_collection **out, struct hearth_err *err)
{
	struct lib_collection *c = xcalloc(1, sizeof *c);
	struct buf text = BUF_INIT;
	struct ynode *root = NULL;
	char *folder = path_dir(path), *inside = NULL;
	struct ctx cx = {.file = path, .dir = NULL, .err = err};
	const char *base = path_base(path);
	int rc;

	*out = NULL;
	if (str_ends(base, ".yaml"))
		c->slug = xstrndup(base, strlen(base) - 5);
	else if (str_ends(base, ".yml"))
		c->slug = xstrndup(base, strlen(base) - 4);
	else
		c->slug = xstrdup(base);
	if (!slug_valid(c->slug)) {
		rc = herr(err, HEARTH_EINVAL,
			  "%s: the file name must be <slug>.yaml, with 1 to 80 of a-z, 0-9 "
			  "and '-'",
			  path);
		goto end;
	}
	if ((rc = lib_file_inside(folder, base, folder, "collection", &inside, err)) ||
	    (rc = file_read_max(path,
				set ? set->max_collection_size : LIB_MAX_COLLECTION_SIZE,
				"limits.max_collection_size in hearth.yaml", &text, err)))
		goto end;
	if ((rc = yaml_parse(text.data, text.len, path, 0, &root, err)))
		goto end;
	if (root->kind != Y_MAP) {
		rc = herr(err, HEARTH_EINVAL, "%s: line %d: expected a map of keys", path,
			  root->line);
		goto end;
	}
	for (size_t i = 0; i < root->n && !rc; i++) {
		const char *k = root->keys[i];
		const struct ynode *v = root->items[i];
		if (!strcmp(k, "title"))
			rc = get_text(&cx, v, k, &c->title);
		else if (!strcmp(k, "description"))
			rc = get_text(&cx, v, k, &c->description);
		else if (!strcmp(k, "podcast"))
			rc = get_bool(&cx, v, k, &c->podcast);
		else if (!strcmp(k, "type")) {
			if (v->kind != Y_SCALAR ||
			    (strcmp(v->str, "serial") && strcmp(v->str, "episodic")))
				rc = herr(err, HEARTH_EINVAL,
					  "%s: line %d: type: expected serial or episodic", path,
					  v->line);
			else
				c->serial = !strcmp(v->str, "serial");
		} else if (!strcmp(k, "stories")) {
			if (!(rc = get_list(&cx, v, k, &c->stories))) {
				size_t n = strv_len(c->stories),
				       again = strv_first_repeat(c->stories, n);
				for (size_t j = 0; j < n && !rc; j++) {
					const char *sl = c->stories[j];
					int line = v->kind == Y_SEQ ? v->items[j]->line : v->line;
					if (!slug_valid(sl))
						rc = herr(err, HEARTH_EINVAL,
							  "%s: line %d: stories: '%s' is not a "
							  "story slug",
							  path, line, sl);
					else if (j == again)
						rc = herr(err, HEARTH_EINVAL,
							  "%s: line %d: stories: '%s' "
							  "is listed twice",
							  path, line, sl);
				}
			}
		} else
			rc = herr(err, HEARTH_EINVAL, "%s: line %d: unknown key '%s'", path,
				  v->line, k);
	}
	if (!rc && !c->title)
		rc = herr(err, HEARTH_EINVAL,
			  "%s: title: is missing; every collection needs a title", path);
end:
	ynode_free(root);
	buf_release(&text);
	free(folder);
	free(inside);
	if (rc) {
		lib_collection_free(&c);
		return rc;
	}
	*out = c;
	return 0;
}
