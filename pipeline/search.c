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
 * body. Otherwise every body is read and the index made again; then each
 * shard and chunk is keyed by its own bytes, so only the files whose bytes
 * changed are written, and a story that left the site view is in none of
 * them.
 */
#include "pipelineInt.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

void pipe_search_page_key(struct sha256 *h, const struct site_ctx *c)
{
	xmlChar *mem = NULL;
	int n = 0;
	xmlDocPtr doc = site_page_search(c);
	xmlDocDumpMemory(doc, &mem, &n);
	key_int(h, n);
	if (mem)
		sha256_update(h, mem, (size_t)n);
	xmlFree(mem);
	xmlFreeDoc(doc);
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
	return !strncmp(rel, "search/t/", 9) || !strncmp(rel, "search/d/", 9);
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
	size_t n = 0;
	char meta_key[65], key[65];
	int rc;

	if ((rc = write_script(o, err)))
		return rc;
	inputs_key(c, o, meta_key);
	if (keep_all(o, meta_key))
		return 0;
	s = site_search_new(c);
	for (size_t i = 0; i < site_search_count(s); i++) {
		char *body = NULL;
		if ((rc = read_body(o, site_search_entry(s, i)->s, &body, err)))
			goto end;
		site_search_add(s, body);
		free(body);
	}
	if ((rc = site_search_files(s, &files, &n, err)))
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
	return rc;
}
