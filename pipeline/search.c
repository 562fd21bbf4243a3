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
 * names every story of the current index with its number, the key of
 * what the index holds of it and the shards it has postings in, so the
 * stories that changed, came or went are known, and the shards they were
 * and are in: only those shards are read back (without the postings of
 * those stories) and made again, with the chunks of those stories, and
 * only their bodies are read and added again; every other file of the
 * index is kept as it is. When many changed (or the current index cannot
 * be trusted), every body is read and the index made anew; both ways
 * make the same bytes. Each shard and chunk made is keyed by its own
 * bytes, so only the files whose bytes changed are written, and a story
 * that left the site view is in none of them.
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

/*
 * The key of what the index holds of each story, by its number in s
 * (site_search_entry): 64 hex digits each, of which stories.txt shows 16.
 * *out is a new array, free it.
 */
static char (*entry_keys(const site_search *s))[65]
{
	size_t n = site_search_count(s);
	char (*keys)[65] = xcalloc(n ? n : 1, sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		struct sha256 h;
		sha256_init(&h);
		key_search_entry(&h, site_search_entry(s, i));
		key_hex(&h, keys[i]);
	}
	return keys;
}

/* The first line of search/stories.txt: the format and the index's shape. */
static void base_line(const struct site_search_params *p, char out[65])
{
	snprintf(out, 65, "hearth search stories 2 %d %d %d", p->id_bits, p->shard_bits,
		 p->chunk_bits);
}

/*
 * The key of search/stories.txt in the build state: the first half says
 * what every page shows (the program and the theme among it), so a
 * current index made by another program or theme is never brought up to
 * date, only made anew; the second half, what the index is made from
 * (inputs_key's), which decides the file's bytes.
 */
static void stories_key_head(const struct pipe_search_out *o, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth search stories 2");
	key_str(&h, o->common);
	key_hex(&h, out);
}

static void stories_key(const struct pipe_search_out *o, const char inputs[65], char out[65])
{
	struct sha256 h;
	char tail[65];
	stories_key_head(o, out);
	sha256_init(&h);
	key_str(&h, "hearth search stories of");
	key_str(&h, inputs);
	key_hex(&h, tail);
	memcpy(out + 32, tail, 32);
	out[64] = '\0';
}

/* The key of everything the index is made from: each story's key, in s's order. */
static void inputs_key(const site_search *s, const char (*keys)[65],
		       const struct pipe_search_out *o, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth search index 2");
	key_str(&h, o->common);
	key_int(&h, (int64_t)site_search_count(s));
	for (size_t i = 0; i < site_search_count(s); i++)
		sha256_update(&h, keys[i], 64);
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
	const struct pipe_file *meta = old ? pipe_state_find(old, "search/meta.json") : NULL;
	const struct pipe_file **v = NULL;
	bool *ok = NULL, all = false;
	size_t n = 0;

	if (!meta || strcmp(meta->key, key))
		return false;
	v = xcalloc(old->n + 1, sizeof *v);
	v[n++] = meta;
	for (size_t i = 0; i < old->n; i++)
		if (index_file(old->f[i].rel))
			v[n++] = &old->f[i];
	ok = xcalloc(n, sizeof *ok);
	pipe_state_check(old, v, n, ok);
	for (all = true; all && n; n--)
		all = ok[n - 1];
	for (size_t i = 0; all && v[i]; i++)
		o->kept(o->arg, v[i]);
	free(ok);
	free(v);
	return all;
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

/*
 * How a story's shards are written in stories.txt: in ascending order,
 * each as its distance from the one before (the first from 0), in hex,
 * the last digit of a number as 0-9a-f and the ones before it as g-v
 * (16 + the digit): "3" is shard 3, "3j4" shards 3 and 55. Most shards
 * are near the one before, so most take one or two characters.
 */
static void put_shards(struct buf *b, const uint32_t *v, size_t n)
{
	static const char hx[] = "0123456789abcdefghijklmnopqrstuv";
	uint32_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t d = v[i] - prev;
		char t[8];
		int k = (int)sizeof t;
		t[--k] = hx[d & 15];
		for (d >>= 4; d; d >>= 4)
			t[--k] = hx[16 + (d & 15)];
		buf_add(b, t + k, sizeof t - (size_t)k);
		prev = v[i];
	}
}

static char *shards_text(const uint32_t *v, size_t n)
{
	struct buf b = BUF_INIT;
	put_shards(&b, v, n);
	return buf_detach(&b);
}

/* Sets mark[shard] for each shard t names; false when t is not such a list. */
static bool mark_shards(const struct site_search_params *p, const char *t, bool *mark)
{
	uint32_t v = 0, at = 0;
	bool first = true, open = false;
	for (; *t; t++) {
		char c = *t;
		if (c >= 'g' && c <= 'v') {
			v = v << 4 | (uint32_t)(c - 'g');
			open = true;
		} else {
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			v = v << 4 | (uint32_t)d;
			if (d < 0 || (!first && !v) || v >> p->shard_bits || (at += v) >> p->shard_bits)
				return false;
			mark[at] = true;
			v = 0;
			first = open = false;
		}
		if (v >> p->shard_bits)
			return false;
	}
	return !open && !first;
}

/* One story of the current index, as search/stories.txt names it. */
struct was {
	uint32_t id;
	const char *slug;    /* in the file's text */
	const char *key;     /* 16 hex digits, in the file's text */
	const char *shards;  /* shards_text's, in the file's text */
};

/* The current index as search/stories.txt names it. */
struct current {
	struct buf text;     /* the file, its lines cut into fields */
	struct was *v;       /* by number, ascending (as written) */
	size_t n;
};

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

/* The field at *p up to the next space, cut there; NULL when empty or last. */
static char *field(char **p)
{
	char *f = *p, *q = strchr(f, ' ');
	if (!q || q == f)
		return NULL;
	*q = '\0';
	*p = q + 1;
	return f;
}

/*
 * The stories of the current index, when it was made with the same base
 * line and the build state trusts it. Release cur with current_release.
 */
static bool read_stories(const struct pipe_search_out *o, const char base[65],
			 struct current *cur)
{
	size_t cap = 0;
	char key[65];

	if (!read_current(o, STORIES_REL, &cur->text))
		return false;
	stories_key_head(o, key);
	if (strncmp(key, pipe_state_find(o->old, STORIES_REL)->key, 32))
		return false; /* made by another program or theme */
	buf_putc(&cur->text, '\0');
	char *line = cur->text.data, *nl = strchr(line, '\n');
	if (!nl || (size_t)(nl - line) != strlen(base) || strncmp(line, base, strlen(base)))
		return false;
	for (line = nl + 1; *line; line = nl + 1) {
		char *p = line, *id, *slug, *k, *sh, *end;
		if (!(nl = strchr(line, '\n')))
			return false;
		*nl = '\0';
		if (!(id = field(&p)) || !(slug = field(&p)) || !(k = field(&p)) ||
		    !*(sh = p) || strlen(k) != 16 || strchr(sh, ' '))
			return false;
		unsigned long v = strtoul(id, &end, 10);
		if (*end || v > UINT32_MAX || (cur->n && v <= cur->v[cur->n - 1].id))
			return false;
		if (cur->n == cap) {
			cap = cap ? cap * 2 : 1024;
			cur->v = xrealloc(cur->v, cap * sizeof *cur->v);
		}
		cur->v[cur->n++] = (struct was){(uint32_t)v, slug, k, sh};
	}
	return true;
}

static void current_release(struct current *cur)
{
	buf_release(&cur->text);
	free(cur->v);
	memset(cur, 0, sizeof *cur);
}

/*
 * The work of bringing the current index up to date, or of making it
 * anew: the stories to add (by their number in s), each story's shards
 * (as stories.txt writes them), and the shards and chunks whose files are
 * made again (the others are the current site's, kept as they are).
 */
struct plan {
	struct current cur;   /* the current stories.txt, when read */
	size_t *todo, n_todo;
	const char **shards;  /* per story: the current file's, or one of own */
	char **own;           /* shards_text's of the stories added, n_todo of them */
	bool *shard_made;     /* per shard: made again (NULL: every one) */
	bool *chunk_made;     /* per chunk: made again (NULL: every one) */
	const struct pipe_file **kept; /* the current site's files kept as they are */
	size_t n_kept;
};

static void plan_release(struct plan *pl)
{
	current_release(&pl->cur);
	for (size_t k = 0; pl->own && k < pl->n_todo; k++)
		free(pl->own[k]);
	free(pl->own);
	free(pl->todo);
	free(pl->shards);
	free(pl->shard_made);
	free(pl->chunk_made);
	free(pl->kept);
	memset(pl, 0, sizeof *pl);
}

/* Reads and adds the stories of pl->todo, noting the shards each is in. */
static int add_todo(const struct pipe_search_out *o, site_search *s, struct plan *pl,
		    struct hearth_err *err)
{
	int rc = 0;
	pl->own = xcalloc(pl->n_todo + 1, sizeof *pl->own);
	for (size_t k = 0; k < pl->n_todo && !rc; k++) {
		char *body = NULL;
		uint32_t *sh = NULL;
		if ((rc = read_body(o, site_search_entry(s, pl->todo[k])->s, &body, err)))
			break;
		site_search_add(s, pl->todo[k], body);
		free(body);
		size_t n = site_search_last_shards(s, &sh);
		pl->own[k] = shards_text(sh, n);
		pl->shards[pl->todo[k]] = pl->own[k];
		if (pl->shard_made)
			for (size_t j = 0; j < n; j++)
				pl->shard_made[sh[j]] = true;
		free(sh);
	}
	return rc;
}

/* The shard or chunk number of a file of search/t/ or search/d/; -1 when not one. */
static long file_number(const char *rel, const char *dir, const char *ext)
{
	char *end;
	if (strncmp(rel, dir, 9))
		return -1;
	long v = strtol(rel + 9, &end, 16);
	return end == rel + 9 || strcmp(end, ext) || v < 0 ? -1 : v;
}

/*
 * The current site's shards and chunks that are not made again, when
 * each is as it was made, go to pl->kept; a chunk that is not is made
 * again. False when a shard is not (or is not one this index can have).
 */
static bool keep_others(const struct pipe_search_out *o, struct plan *pl, int shard_bits,
			int chunk_bits)
{
	const struct pipe_state *old = o->old;
	bool *ok = NULL, good = true;
	size_t n = 0;

	pl->kept = xcalloc(old->n + 1, sizeof *pl->kept);
	for (size_t i = 0; i < old->n; i++) {
		const struct pipe_file *f = &old->f[i];
		long v = file_number(f->rel, "search/t/", ".bin");
		if (v >= 0 && (v >> shard_bits || pl->shard_made[v]))
			continue;
		if (v < 0 && ((v = file_number(f->rel, "search/d/", ".json")) < 0 ||
			      v >> chunk_bits || pl->chunk_made[v]))
			continue;
		pl->kept[n++] = f;
	}
	ok = xcalloc(n + 1, sizeof *ok);
	pipe_state_check(old, pl->kept, n, ok);
	pl->n_kept = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pipe_file *f = pl->kept[i];
		long v = file_number(f->rel, "search/d/", ".json");
		if (ok[i])
			pl->kept[pl->n_kept++] = f;
		else if (v >= 0)
			pl->chunk_made[v] = true;
		else
			good = false;
	}
	free(ok);
	return good;
}

/*
 * Plans bringing the current index up to date in s: the stories that
 * changed, came or went lose their postings and their chunks, and the
 * changed and new are added again (their bodies read); the shards any of
 * them was or is in are read back from the current site without the
 * postings of those stories. *ok is false when that cannot be done (no
 * index that can be trusted, other parameters, or too much changed): s is
 * then to be made anew.
 */
static int plan_update(const struct pipe_search_out *o, site_search *s, const char base[65],
		       const char (*keys)[65], struct plan *pl, bool *ok, struct hearth_err *err)
{
	struct current *cur = &pl->cur;
	struct site_search_params par;
	size_t count = site_search_count(s), n_drop = 0;
	uint32_t *drop = NULL;
	bool *kept = NULL;
	struct buf b = BUF_INIT;
	int rc = 0, shift;

	*ok = false;
	site_search_get_params(s, &par);
	shift = par.id_bits - par.chunk_bits;
	if (!read_stories(o, base, cur))
		goto end;
	kept = xcalloc(cur->n + 1, sizeof *kept);
	/* both in ascending order of number: a story is the same when its line is */
	for (size_t i = 0, j = 0; i < count; i++) {
		uint32_t id = site_search_id(s, i);
		while (j < cur->n && cur->v[j].id < id)
			j++;
		const struct was *w = j < cur->n ? &cur->v[j] : NULL;
		if (w && w->id == id && !strcmp(w->slug, site_search_entry(s, i)->s->slug) &&
		    !strncmp(w->key, keys[i], 16)) {
			kept[j] = true;
			pl->shards[i] = w->shards;
		} else {
			pl->todo[pl->n_todo++] = i;
		}
	}
	/* more than a quarter to do: reading every body costs about the same */
	if (pl->n_todo > count / 4 + 8)
		goto end;
	pl->shard_made = xcalloc((size_t)1 << par.shard_bits, sizeof *pl->shard_made);
	pl->chunk_made = xcalloc((size_t)1 << par.chunk_bits, sizeof *pl->chunk_made);
	drop = xcalloc(cur->n + 1, sizeof *drop);
	for (size_t i = 0; i < cur->n; i++) {
		if (kept[i])
			continue;
		if (cur->v[i].id >> par.id_bits || !mark_shards(&par, cur->v[i].shards, pl->shard_made))
			goto end;
		drop[n_drop++] = cur->v[i].id;
		pl->chunk_made[cur->v[i].id >> shift] = true;
	}
	qsort(drop, n_drop, sizeof *drop, id_cmp);
	for (size_t k = 0; k < pl->n_todo; k++)
		pl->chunk_made[site_search_id(s, pl->todo[k]) >> shift] = true;
	if ((rc = add_todo(o, s, pl, err)))
		goto end;
	/* the shards made again are read back */
	for (size_t i = 0; i < o->old->n; i++) {
		const struct pipe_file *f = &o->old->f[i];
		long v = file_number(f->rel, "search/t/", ".bin");
		if (v < 0 || !pl->shard_made[v])
			continue;
		buf_reset(&b);
		if (!read_current(o, f->rel, &b) || site_search_load(s, b.data, b.len, drop, n_drop))
			goto end;
	}
	/*
	 * every other file is kept when it is as it was made: a shard that is
	 * not cannot be made from what is left (the index is made anew), a
	 * chunk is made again
	 */
	if (!keep_others(o, pl, par.shard_bits, par.chunk_bits))
		goto end;
	*ok = true;
end:
	buf_release(&b);
	free(drop);
	free(kept);
	return rc;
}

/* search/stories.txt: the base line, then "<number> <slug> <key> <shards>" per story. */
static void stories_file(const site_search *s, const char base[65], const char (*keys)[65],
			 const char **shards, struct buf *out)
{
	size_t n = site_search_count(s);
	buf_reserve(out, 64 + n * 96);
	buf_puts(out, base);
	buf_putc(out, '\n');
	for (size_t i = 0; i < n; i++) {
		char d[12];
		size_t k = sizeof d;
		uint32_t id = site_search_id(s, i);
		d[--k] = ' ';
		do {
			d[--k] = (char)('0' + id % 10);
			id /= 10;
		} while (id);
		buf_add(out, d + k, sizeof d - k);
		buf_puts(out, site_search_entry(s, i)->s->slug);
		buf_putc(out, ' ');
		buf_add(out, keys[i], 16);
		buf_putc(out, ' ');
		buf_puts(out, shards[i]);
		buf_putc(out, '\n');
	}
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
	struct plan pl = {0};
	struct buf list = BUF_INIT;
	char (*keys)[65] = NULL;
	size_t n = 0, count;
	char meta_key[65], key[65], base[65];
	bool update = false;
	int rc;

	if ((rc = write_script(o, err)))
		return rc;
	s = site_search_new(c);
	count = site_search_count(s);
	site_search_get_params(s, &par);
	base_line(&par, base);
	keys = entry_keys(s);
	inputs_key(s, (const char (*)[65])keys, o, meta_key);
	if (keep_all(o, meta_key))
		goto end;
	pl.todo = xcalloc(count + 1, sizeof *pl.todo);
	pl.shards = xcalloc(count + 1, sizeof *pl.shards);
	if (o->old && (rc = plan_update(o, s, base, (const char (*)[65])keys, &pl, &update, err)))
		goto end;
	if (update) {
		for (size_t i = 0; i < pl.n_kept; i++)
			o->kept(o->arg, pl.kept[i]);
	} else {
		site_search_free(&s); /* made anew, from every body */
		plan_release(&pl);
		s = site_search_new(c);
		pl.todo = xcalloc(count + 1, sizeof *pl.todo);
		pl.shards = xcalloc(count + 1, sizeof *pl.shards);
		for (pl.n_todo = 0; pl.n_todo < count; pl.n_todo++)
			pl.todo[pl.n_todo] = pl.n_todo;
		if ((rc = add_todo(o, s, &pl, err)))
			goto end;
	}
	if ((rc = site_search_files(s, pl.chunk_made, &files, &n, err)))
		goto end;
	stories_file(s, base, (const char (*)[65])keys, pl.shards, &list);
	stories_key(o, meta_key, key);
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
	plan_release(&pl);
	buf_release(&list);
	free(keys);
	return rc;
}
