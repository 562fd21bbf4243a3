/*
 * site.c - what every destination of `hearth deploy` shares: reading a
 * destination from the command line, the built site as a list of files in
 * the order they are sent (media, the other files, pages, feeds), the
 * order of deletions, and what each file is served as (type and cache).
 * folder.c, rsync.c and s3.c call this file; it calls none of them.
 */
#define _GNU_SOURCE
#include "deployInt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- destinations ------------------------------------------------------- */

static int parse_s3(const char *arg, struct deploy_dest *out, struct hearth_err *err)
{
	const char *b = arg + 5;
	size_t bn = strcspn(b, "/");
	const char *p = b + bn;

	if (bn < 3 || bn > 63)
		return herr(err, HEARTH_EINVAL,
			    "'%s': expected s3://BUCKET/PREFIX with a bucket name of 3 to 63 "
			    "characters", arg);
	for (size_t i = 0; i < bn; i++)
		if (!(b[i] >= 'a' && b[i] <= 'z') && !(b[i] >= '0' && b[i] <= '9') &&
		    b[i] != '-' && b[i] != '.')
			return herr(err, HEARTH_EINVAL,
				    "'%s': a bucket name holds lowercase letters, digits, '-' "
				    "and '.' only", arg);
	while (*p == '/')
		p++;
	char *prefix = path_strip_slashes(p);
	if (!strcmp(prefix, "/"))
		prefix[0] = '\0';
	if (*prefix && !path_is_safe_rel(prefix)) {
		free(prefix);
		return herr(err, HEARTH_EINVAL,
			    "'%s': the prefix must be a plain path (no '..', no empty names)",
			    arg);
	}
	out->kind = DEPLOY_S3;
	out->where = xstrdup(arg);
	out->bucket = xstrndup(b, bn);
	out->prefix = prefix;
	return 0;
}

int deploy_dest_parse(const char *arg, struct deploy_dest *out, struct hearth_err *err)
{
	memset(out, 0, sizeof *out);
	if (!arg || !*arg)
		return herr(err, HEARTH_EINVAL, "no destination given");
	for (const char *p = arg; *p; p++)
		if ((unsigned char)*p < ' ')
			return herr(err, HEARTH_EINVAL, "the destination holds a control character");
	if (!strncmp(arg, "s3://", 5))
		return parse_s3(arg, out, err);
	if (strstr(arg, "://"))
		return herr(err, HEARTH_EINVAL,
			    "'%s': expected a folder, [user@]host:path or s3://bucket/prefix", arg);
	size_t colon = strcspn(arg, ":/");
	if (arg[colon] == ':' && colon > 0) {
		if (arg[0] == '-')
			return herr(err, HEARTH_EINVAL, "'%s': a host must not start with '-'", arg);
		out->kind = DEPLOY_RSYNC;
		out->where = xstrdup(arg);
		return 0;
	}
	out->kind = DEPLOY_FOLDER;
	out->where = xstrdup(arg);
	return 0;
}

void deploy_dest_release(struct deploy_dest *d)
{
	if (!d)
		return;
	free(d->where);
	free(d->bucket);
	free(d->prefix);
	memset(d, 0, sizeof *d);
}

/* ---- what a file is ----------------------------------------------------- */

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcasecmp(s + n - t, tail);
}

/* feed.xml, atom.xml and their archives (archive/feed-2.xml, archive/atom-3.xml) */
static bool is_feed_named(const char *rel, const char *stem)
{
	const char *base = path_base(rel);
	size_t sn = strlen(stem);
	if (strncmp(base, stem, sn))
		return false;
	if (!strcmp(base + sn, ".xml"))
		return true;
	if (base[sn] != '-' || !ends_with(rel, ".xml"))
		return false;
	const char *d = base + sn + 1;
	size_t nd = strspn(d, "0123456789");
	return nd > 0 && !strcmp(d + nd, ".xml") && strstr(rel, "archive/") != NULL;
}

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{"html", "text/html; charset=utf-8"},
	{"css", "text/css; charset=utf-8"},
	{"js", "text/javascript; charset=utf-8"},
	{"mjs", "text/javascript; charset=utf-8"},
	{"json", "application/json"},
	{"vtt", "text/vtt; charset=utf-8"},
	{"srt", "application/x-subrip"},
	{"txt", "text/plain; charset=utf-8"},
	{"xml", "application/xml"},
	{"xsl", "application/xslt+xml"},
	{"opml", "text/x-opml; charset=utf-8"},
	{"mp3", "audio/mpeg"},
	{"m4a", "audio/mp4"},
	{"mp4", "audio/mp4"},
	{"aac", "audio/aac"},
	{"ogg", "audio/ogg"},
	{"oga", "audio/ogg"},
	{"opus", "audio/ogg"},
	{"flac", "audio/flac"},
	{"wav", "audio/wav"},
	{"jpg", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"png", "image/png"},
	{"webp", "image/webp"},
	{"avif", "image/avif"},
	{"gif", "image/gif"},
	{"svg", "image/svg+xml"},
	{"ico", "image/x-icon"},
	{"woff2", "font/woff2"},
	{"woff", "font/woff"},
	{"pdf", "application/pdf"},
	{"webmanifest", "application/manifest+json"},
};

const char *deploy_content_type(const char *path)
{
	if (ends_with(path, ".chapters.json"))
		return "application/json+chapters";
	if (is_feed_named(path, "feed"))
		return "application/rss+xml";
	if (is_feed_named(path, "atom"))
		return "application/atom+xml";
	const char *ext = path_ext(path_base(path));
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (!strcasecmp(ext, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

const char *deploy_cache_control(const char *path)
{
	static const char *const fresh[] = {"html", "xml", "opml", "json", "vtt", "srt", "txt",
					    NULL};
	const char *ext = path_ext(path_base(path));
	for (size_t i = 0; fresh[i]; i++)
		if (!strcasecmp(ext, fresh[i]))
			return "no-cache";
	return "public, max-age=300";
}

enum dep_phase dep_phase_of(const char *rel)
{
	if (!strncmp(rel, "media/", 6))
		return DEP_MEDIA;
	if (ends_with(rel, ".html"))
		return DEP_PAGES;
	if (ends_with(rel, ".xml") || ends_with(rel, ".opml"))
		return DEP_FEEDS;
	return DEP_FILES;
}

bool dep_hidden(const char *rel)
{
	for (const char *p = rel; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (*p == '.')
			return true;
	}
	return false;
}

void dep_note(const struct deploy_opts *o, enum deploy_action a, const char *rel)
{
	if (o && o->note)
		o->note(o->note_arg, a, rel);
}

/* ---- the site ----------------------------------------------------------- */

static int by_phase(const void *a, const void *b)
{
	const struct dep_file *x = a, *y = b;
	if (x->phase != y->phase)
		return x->phase < y->phase ? -1 : 1;
	return strcmp(x->rel, y->rel);
}

static int by_rel(const void *a, const void *b)
{
	const struct dep_file *const *x = a, *const *y = b;
	return strcmp((*x)->rel, (*y)->rel);
}

static int deletion_order(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	enum dep_phase px = dep_phase_of(*x), py = dep_phase_of(*y);
	if (px != py)
		return px > py ? -1 : 1;
	return strcmp(*x, *y);
}

void dep_sort_for_deletion(char **paths, size_t n)
{
	if (n > 1)
		qsort(paths, n, sizeof *paths, deletion_order);
}

struct walk {
	struct dep_file *files;
	size_t n, cap;
};

/* Adds the files under dir/rel (rel "" for the top), depth first. */
static int walk_dir(const char *top, const char *rel, struct walk *w, int depth,
		    struct hearth_err *err)
{
	char *dir = *rel ? path_join(top, rel) : xstrdup(top);
	DIR *d = NULL;
	struct dirent *e;
	int rc = 0;

	if (depth > 64) {
		rc = herr(err, HEARTH_EINVAL, "'%s': folders nested too deep", dir);
		goto end;
	}
	if (!(d = opendir(dir))) {
		rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", dir, strerror(errno));
		goto end;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *sub = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = herr(err, HEARTH_EIO, "cannot read '%s/%s': %s", dir, e->d_name,
				  strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk_dir(top, sub, w, depth + 1, err);
		} else if (S_ISREG(st.st_mode)) {
			if (w->n == w->cap) {
				w->cap = w->cap ? 2 * w->cap : 256;
				w->files = xrealloc(w->files, w->cap * sizeof *w->files);
			}
			w->files[w->n++] = (struct dep_file){
				.rel = sub, .size = st.st_size, .mtime = st.st_mtim,
				.phase = dep_phase_of(sub)};
			sub = NULL;
		} else {
			rc = herr(err, HEARTH_EINVAL,
				  "'%s/%s': a link or a special file in the site; a build "
				  "writes none", dir, e->d_name);
		}
		free(sub);
		if (rc)
			break;
	}
end:
	if (d)
		closedir(d);
	free(dir);
	return rc;
}

int dep_site_list(const char *dir, struct dep_site *out, struct hearth_err *err)
{
	struct walk w = {0};
	char *mark = path_join(dir, ".hearth-site");
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (!path_is_dir(dir)) {
		rc = herr(err, HEARTH_ENOENT, "no built site in '%s': run 'hearth build' first", dir);
		goto end;
	}
	if (!path_is_file(mark)) {
		rc = herr(err, HEARTH_EINVAL,
			  "'%s' is not a site 'hearth build' made (it has no .hearth-site)", dir);
		goto end;
	}
	if ((rc = walk_dir(dir, "", &w, 0, err)))
		goto end;
	if (w.n)
		qsort(w.files, w.n, sizeof *w.files, by_phase);
	out->dir = xstrdup(dir);
	out->files = w.files;
	out->n = w.n;
	out->by_rel = xcalloc(w.n + 1, sizeof *out->by_rel);
	for (size_t i = 0; i < w.n; i++)
		out->by_rel[i] = &w.files[i];
	if (w.n)
		qsort(out->by_rel, w.n, sizeof *out->by_rel, by_rel);
	w.files = NULL;
	w.n = 0;
end:
	for (size_t i = 0; i < w.n; i++)
		free(w.files[i].rel);
	free(w.files);
	free(mark);
	return rc;
}

void dep_site_release(struct dep_site *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->files[i].rel);
	free(s->files);
	free(s->by_rel);
	free(s->dir);
	memset(s, 0, sizeof *s);
}

const struct dep_file *dep_site_find(const struct dep_site *s, const char *rel)
{
	struct dep_file key = {.rel = (char *)(uintptr_t)rel};
	const struct dep_file *kp = &key;
	struct dep_file **hit;

	if (!s->n)
		return NULL;
	hit = bsearch(&kp, s->by_rel, s->n, sizeof *s->by_rel, by_rel);
	return hit ? *hit : NULL;
}

