/*
 * search.c - the search index's files in a build: search/meta.json, the
 * shards of terms (search/t/), the chunks of display records (search/d/)
 * that site-gen/search.c makes from the stories with a page and their
 * bodies, and the theme's search.js (search/search.js). The search page
 * itself is a page like the others (build.c).
 *
 * Every file gets a key. meta.json's covers everything the index is made
 * from (every story with a page, by its record, its body's hash and its
 * transcript, and what every page shows, the program among it): when it
 * is the current site's, the index is kept as it is, without reading a
 * body. Otherwise the index is brought up to date: search/stories.txt
 * names every story of the current index with its number and the key of
 * what the index holds of it, so the stories that changed, came or went
 * are known; the current shards are read back without their postings,
 * and only their bodies are read and added again. When many changed (or
 * the current index cannot be trusted), every body is read and the index
 * made anew; both ways make the same bytes. Each shard and chunk is keyed
 * by its own bytes, so only the files whose bytes changed are written, and
 * a story that left the site view is in none of them.
 */
#include "pipelineInt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/*
 * What the search page shows of the stories: their number, and each one's
 * kind, themes, tags and warnings, from which the page's lists and counts
 * are made (site_page_search).
 */
void pipe_search_page_key(struct sha256 *h, const struct site_ctx *c)
{
	key_str(h, "search page 1");
	key_int(h, (int64_t)c->on_site.n);
	for (size_t i = 0; i < c->on_site.n; i++) {
		const struct pub_story *s = c->on_site.v[i]->s;
		key_str(h, site_search_kind(s));
		key_search_labels(h, s);
	}
}

#define STORIES_REL "search/stories.txt"

/* The key of what the index holds of one story: 16 hex digits. */
static void entry_key(const struct site_entry *e, char out[17])
{
	struct sha256 h;
	char hex[65];
	sha256_init(&h);
	key_search_entry(&h, e);
	key_hex(&h, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

/* The first line of search/stories.txt: the format and the index's shape. */
static void base_line(const struct site_search_params *p, char out[65])
{
	snprintf(out, 65, "hearth search stories 1 %d %d %d", p->id_bits, p->shard_bits,
		 p->chunk_bits);
}

/*
 * The key of search/stories.txt in the build state: its bytes and what
 * every page shows (the program and the theme among it), so a current
 * index made by another program or theme is never brought up to date,
 * only made anew.
 */
static void stories_key(const struct pipe_search_out *o, const struct buf *b, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth search stories 1");
	key_str(&h, o->common);
	sha256_update(&h, b->data, b->len);
	key_hex(&h, out);
}

/* The key of everything the index is made from. */
static void inputs_key(const struct site_ctx *c, const struct pipe_search_out *o, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth search index 1");
	key_str(&h, o->common);
	key_int(&h, (int64_t)c->on_site.n);
	for (size_t i = 0; i < c->on_site.n; i++)
		key_search_entry(&h, c->on_site.v[i]);
	key_hex(&h, out);
}

static bool index_file(const char *rel)
{
	return !strncmp(rel, "search/t/", 9) || !strncmp(rel, "search/d/", 9) ||
	       !strcmp(rel, STORIES_REL);
}

/*
 * Keeps the current site's index when it was made from the same inputs
 * and every file of it is as it was made: true then.
 */
static bool keep_all(const struct pipe_search_out *o, const char key[65])
{
	const struct pipe_state *old = o->old;
	if (!old || !pipe_state_match(old, "search/meta.json", key))
		return false;
	for (size_t i = 0; i < old->n; i++)
		if (index_file(old->f[i].rel) && !pipe_state_match(old, old->f[i].rel, old->f[i].key))
			return false;
	for (size_t i = 0; i < old->n; i++)
		if (index_file(old->f[i].rel))
			o->keep(o->arg, old->f[i].rel, old->f[i].key);
	o->keep(o->arg, "search/meta.json", key);
	return true;
}

/* The body of s for the index, as build.c reads it for its page. */
static int read_body(const struct pipe_search_out *o, const struct pub_story *s, char **body,
		     struct hearth_err *err)
{
	char sha[65];
	int rc;
	if (s->body) {
		*body = xstrdup(s->body);
		return 0;
	}
	if (!o->bodies)
		return herr(err, HEARTH_EINVAL, "story '%s': no body to index", s->slug);
	rc = lib_public_body(o->bodies, s->slug, body, sha, err);
	if (rc == HEARTH_ENOENT || (!rc && (!s->body_sha256 || strcmp(sha, s->body_sha256))))
		rc = SITE_AGAIN; /* it changed since the view was read: start again */
	if (rc)
		xfree(body);
	return rc;
}

/* One story of the current index, as search/stories.txt names it. */
struct was {
	uint32_t id;
	char *slug;
	char key[17];
};

static int was_by_slug(const void *pa, const void *pb)
{
	const struct was *a = pa, *b = pb;
	return strcmp(a->slug, b->slug);
}

static int id_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

/* The current site's file rel, when the build state trusts it. */
static bool read_current(const struct pipe_search_out *o, const char *rel, struct buf *out)
{
	const struct pipe_file *f = o->old ? pipe_state_find(o->old, rel) : NULL;
	struct hearth_err ignored;
	if (!f || !pipe_state_match(o->old, rel, f->key))
		return false;
	char *path = path_join(o->out_dir, rel);
	bool ok = file_read(path, out, &ignored) == 0;
	free(path);
	return ok;
}

/*
 * The stories of the current index (sorted by slug), when it was made with
 * the same base key. *v is a new array, free each slug and it.
 */
static bool read_stories(const struct pipe_search_out *o, const char base[65], struct was **v,
			 size_t *n)
{
	struct buf b = BUF_INIT;
	size_t cap = 0;
	bool ok = false;

	char key[65];

	*v = NULL;
	*n = 0;
	if (!read_current(o, STORIES_REL, &b))
		return false;
	stories_key(o, &b, key);
	if (strcmp(key, pipe_state_find(o->old, STORIES_REL)->key))
		goto end; /* made by another program or theme */
	buf_putc(&b, '\0');
	char *line = b.data, *nl = strchr(line, '\n');
	if (!nl || (size_t)(nl - line) != strlen(base) || strncmp(line, base, strlen(base)))
		goto end;
	for (line = nl + 1; *line; line = nl + 1) {
		unsigned long id;
		int slug_at = 0, slug_end = 0, key_at = 0;
		if (!(nl = strchr(line, '\n')))
			goto end;
		*nl = '\0';
		if (sscanf(line, "%lu %n%*s%n %n", &id, &slug_at, &slug_end, &key_at) < 1 ||
		    !key_at || strlen(line + key_at) != 16 || id > UINT32_MAX)
			goto end;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*v = xrealloc(*v, cap * sizeof **v);
		}
		struct was *w = &(*v)[(*n)++];
		w->id = (uint32_t)id;
		w->slug = xasprintf("%.*s", slug_end - slug_at, line + slug_at);
		memcpy(w->key, line + key_at, 17);
	}
	if (*n)
		qsort(*v, *n, sizeof **v, was_by_slug);
	ok = true;
end:
	buf_release(&b);
	return ok;
}

static void was_free(struct was *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].slug);
	free(v);
}

/*
 * Brings the current index up to date in s: its shards without the
 * postings of the stories that changed, came or went, whose indices go
 * to todo (*n_todo of them). False when that cannot be done (no index
 * that can be trusted, other parameters, or too much changed): s is then
 * to be made anew.
 */
static bool load_current(const struct pipe_search_out *o, site_search *s, const char base[65],
			 const char (*keys)[17], size_t *todo, size_t *n_todo)
{
	struct was *v = NULL, probe;
	size_t n = 0, same = 0, n_drop = 0;
	uint32_t *drop = NULL;
	bool *kept = NULL, ok = false;
	struct buf b = BUF_INIT;
	size_t count = site_search_count(s);

	*n_todo = 0;
	if (!read_stories(o, base, &v, &n))
		goto end;
	kept = xcalloc(n ? n : 1, sizeof *kept);
	for (size_t i = 0; i < count; i++) {
		probe.slug = (char *)site_search_entry(s, i)->s->slug;
		struct was *w = n ? bsearch(&probe, v, n, sizeof *v, was_by_slug) : NULL;
		if (w && w->id == site_search_id(s, i) && !strcmp(w->key, keys[i])) {
			kept[w - v] = true;
			same++;
		} else {
			todo[(*n_todo)++] = i;
		}
	}
	/* more than a quarter to do: reading every body costs about the same */
	if (*n_todo > count / 4 + 8)
		goto end;
	drop = xcalloc(n - same + 1, sizeof *drop);
	for (size_t i = 0; i < n; i++)
		if (!kept[i])
			drop[n_drop++] = v[i].id;
	qsort(drop, n_drop, sizeof *drop, id_cmp);
	for (size_t i = 0; i < o->old->n; i++) {
		const char *rel = o->old->f[i].rel;
		if (strncmp(rel, "search/t/", 9))
			continue;
		buf_reset(&b);
		if (!read_current(o, rel, &b) || site_search_load(s, b.data, b.len, drop, n_drop))
			goto end;
	}
	ok = true;
end:
	buf_release(&b);
	free(drop);
	free(kept);
	was_free(v, n);
	return ok;
}

/* search/stories.txt: the base key, then "<number> <slug> <key>" per story. */
static void stories_file(const site_search *s, const char base[65], const char (*keys)[17],
			 struct buf *out)
{
	buf_printf(out, "%s\n", base);
	for (size_t i = 0; i < site_search_count(s); i++)
		buf_printf(out, "%" PRIu32 " %s %s\n", site_search_id(s, i),
			   site_search_entry(s, i)->s->slug, keys[i]);
}

/* Writes staging/rel unless the current site has it with this key. */
static int put(const struct pipe_search_out *o, const char *rel, const char key[65],
	       const void *data, size_t n, struct hearth_err *err)
{
	if (o->keep(o->arg, rel, key))
		return 0;
	return site_write(o->staging, rel, data, n, err);
}

/* The theme's search.js, or the default theme's. */
static int write_script(const struct pipe_search_out *o, struct hearth_err *err)
{
	struct sha256 h;
	char key[65];
	char *src = path_join(o->theme_dir, "search.js");
	int rc = 0;

	if (!path_is_file(src) && o->def_theme) {
		free(src);
		src = path_join(o->def_theme, "search.js");
	}
	if (!path_is_file(src))
		goto end; /* a theme without a script: the search page links the themes */
	sha256_init(&h);
	key_str(&h, o->common); /* the theme's files are among it */
	key_str(&h, "search.js");
	key_hex(&h, key);
	if (!o->keep(o->arg, "search/search.js", key)) {
		char *dst = path_join(o->staging, "search/search.js");
		rc = site_copy(src, dst, err);
		free(dst);
	}
end:
	free(src);
	return rc;
}

int pipe_search_write(const struct site_ctx *c, const struct pipe_search_out *o,
		      struct hearth_err *err)
{
	site_search *s = NULL;
	struct site_search_file *files = NULL;
	struct site_search_params par;
	struct buf list = BUF_INIT;
	char (*keys)[17] = NULL;
	size_t n = 0, *todo = NULL, n_todo = 0;
	char meta_key[65], key[65], base[65];
	int rc;

	if ((rc = write_script(o, err)))
		return rc;
	inputs_key(c, o, meta_key);
	if (keep_all(o, meta_key))
		return 0;
	s = site_search_new(c);
	site_search_get_params(s, &par);
	base_line(&par, base);
	keys = xcalloc(site_search_count(s) + 1, sizeof *keys);
	todo = xcalloc(site_search_count(s) + 1, sizeof *todo);
	for (size_t i = 0; i < site_search_count(s); i++)
		entry_key(site_search_entry(s, i), keys[i]);
	if (!load_current(o, s, base, (const char (*)[17])keys, todo, &n_todo)) {
		site_search_free(&s); /* made anew, from every body */
		s = site_search_new(c);
		n_todo = site_search_count(s);
		for (size_t i = 0; i < n_todo; i++)
			todo[i] = i;
	}
	for (size_t k = 0; k < n_todo; k++) {
		char *body = NULL;
		if ((rc = read_body(o, site_search_entry(s, todo[k])->s, &body, err)))
			goto end;
		site_search_add(s, todo[k], body);
		free(body);
	}
	if ((rc = site_search_files(s, &files, &n, err)))
		goto end;
	stories_file(s, base, (const char (*)[17])keys, &list);
	stories_key(o, &list, key);
	if ((rc = put(o, STORIES_REL, key, list.data, list.len, err)))
		goto end;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct site_search_file *f = &files[i];
		if (!strcmp(f->rel, "search/meta.json")) {
			memcpy(key, meta_key, sizeof key);
		} else {
			struct sha256 h;
			sha256_init(&h);
			key_str(&h, "hearth search file 1");
			sha256_update(&h, f->data.data, f->data.len);
			key_hex(&h, key);
		}
		rc = put(o, f->rel, key, f->data.data, f->data.len, err);
		if (rc)
			herr_prefix(err, "'%s'", f->rel);
	}
end:
	site_search_files_free(files, n);
	site_search_free(&s);
	buf_release(&list);
	free(keys);
	free(todo);
	return rc;
}
