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
 * and are in: only their bodies are read and added again, and only those
 * shards are made again, each from its current bytes (the postings of
 * those stories taken out, theirs merged in, everything else copied as
 * it is), with the chunks of those stories and stories.txt (its other
 * lines copied as they are); every other file of the index is kept as it
 * is. When many changed (or the current index cannot be trusted), every
 * body is read and the index made anew; both ways make the same bytes.
 * Each shard and chunk made is keyed by its own bytes, so only the files
 * whose bytes changed are written, and a story that left the site view
 * is in none of them.
 *
 * On a large site an edit's work is small against the site's, so what is
 * done for every story is kept lean: one digest each, no string made
 * per story, and large buffers made present at once (pipe_populate).
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

/* A story's key as stories.txt shows it: the first 8 bytes of its digest. */
typedef unsigned char short_key[8];

/*
 * The key of what the index holds of each story, by its number in s
 * (key_search_entry), of which stories.txt shows the first 16 hex digits
 * (*keys, a new array: free it); and into inputs the key of everything
 * the index is made from, each story's whole digest in s's order.
 */
static void entry_keys(const site_search *s, const struct pipe_search_out *o,
		       short_key **keys, char inputs[65])
{
	size_t n = site_search_count(s);
	struct sha256 all;
	*keys = xcalloc(n ? n : 1, sizeof **keys);
	sha256_init(&all);
	key_str(&all, "hearth search index 3");
	key_str(&all, o->common);
	key_int(&all, (int64_t)n);
	for (size_t i = 0; i < n; i++) {
		struct sha256 h;
		unsigned char d[32];
		sha256_init(&h);
		key_search_entry(&h, site_search_entry(s, i));
		sha256_final(&h, d);
		sha256_update(&all, d, sizeof d);
		memcpy((*keys)[i], d, sizeof (*keys)[i]);
	}
	key_hex(&all, inputs);
}

static void short_hex(const short_key k, char out[16])
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(short_key); i++) {
		out[2 * i] = hx[k[i] >> 4];
		out[2 * i + 1] = hx[k[i] & 15];
	}
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
 * (entry_keys' inputs), which decides the file's bytes.
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

/* The files of the current state whose rel starts with prefix: [*from, *to). */
static void state_range(const struct pipe_state *old, const char *prefix, size_t *from,
			size_t *to)
{
	size_t lo = 0, hi = old->n, n = strlen(prefix);
	while (lo < hi) { /* the state is sorted by rel (strcmp) */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(old->f[mid].rel, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = *to = lo;
	while (*to < old->n && !strncmp(old->f[*to].rel, prefix, n))
		(*to)++;
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
	static const char *const dirs[] = {"search/d/", "search/t/"};
	bool *ok = NULL, all = false;
	size_t n = 0;

	if (!meta || strcmp(meta->key, key))
		return false;
	v = xcalloc(old->n + 1, sizeof *v);
	v[n++] = meta;
	for (size_t d = 0; d < 2; d++) {
		size_t from, to;
		state_range(old, dirs[d], &from, &to);
		for (size_t i = from; i < to; i++)
			v[n++] = &old->f[i];
	}
	const struct pipe_file *list = pipe_state_find(old, STORIES_REL);
	if (list)
		v[n++] = list;
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

/* Sets mark[shard] for each shard t (n bytes) names; false when t is not such a list. */
static bool mark_shards(const struct site_search_params *p, const char *t, size_t n,
			bool *mark)
{
	uint32_t v = 0, at = 0;
	bool first = true, open = false;
	for (const char *end = t + n; t < end; t++) {
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

/* The current site's file rel into out, when the build state trusts it. */
static bool read_current(const struct pipe_search_out *o, const char *rel, struct buf *out)
{
	const struct pipe_file *f = o->old ? pipe_state_find(o->old, rel) : NULL;
	struct hearth_err ignored;
	if (!f || !pipe_state_match(o->old, rel, f->key))
		return false;
	char *path = path_join(o->out_dir, rel);
	buf_reserve(out, (size_t)(f->size > 0 ? f->size : 0) + 1);
	pipe_populate(out->data + out->len, (size_t)(f->size > 0 ? f->size : 0));
	bool ok = file_read(path, out, &ignored) == 0;
	free(path);
	return ok;
}

/* One line of the current stories.txt: "<number> <slug> <key> <shards>\n". */
struct line {
	uint32_t id;
	size_t at, len;           /* its place in the text, with its '\n' */
	const char *slug, *key;   /* in the text; key has 16 hex digits */
	const char *shards;       /* in the text, as put_shards writes them */
	size_t slug_len, shards_len;
};

/* 1 when *p starts a line of four fields (read into l, *p then past it), 0 at end, -1 else. */
static int next_line(const char *text, size_t *p, size_t len, struct line *l)
{
	const char *s = text + *p, *end = text + len, *q = s, *nl;
	uint64_t v = 0;

	if (s == end)
		return 0;
	if (!(nl = memchr(s, '\n', (size_t)(end - s))))
		return -1;
	for (; q < nl && *q >= '0' && *q <= '9' && v <= UINT32_MAX; q++)
		v = v * 10 + (uint64_t)(*q - '0');
	if (q == s || v > UINT32_MAX || q == nl || *q++ != ' ')
		return -1;
	l->slug = q;
	if (!(q = memchr(q, ' ', (size_t)(nl - q))) || q == l->slug)
		return -1;
	l->slug_len = (size_t)(q - l->slug);
	l->key = ++q;
	if (nl - q < 18 || memchr(q, ' ', 16) || q[16] != ' ')
		return -1;
	l->shards = q + 17;
	l->shards_len = (size_t)(nl - l->shards);
	if (memchr(l->shards, ' ', l->shards_len))
		return -1;
	l->id = (uint32_t)v;
	l->at = *p;
	l->len = (size_t)(nl + 1 - s);
	*p += l->len;
	return 1;
}

/*
 * The work of bringing the current index up to date, or of making it
 * anew: the stories to add (by their number in s) and their shards (as
 * stories.txt writes them), the lines of the current stories.txt that go
 * and where the new ones go, and the shards and chunks whose files are
 * made again (the others are the current site's, kept as they are).
 */
struct plan {
	struct buf cur;       /* the current stories.txt, when read */
	size_t *todo, n_todo;
	size_t *todo_at;      /* per story added: the line of cur it goes before */
	char **own;           /* per story added: its shards as stories.txt writes them */
	uint32_t *drop;       /* the numbers of the lines of cur that go, ascending */
	struct line *gone;    /* those lines */
	size_t n_drop, cap_drop;
	bool *shard_made;     /* per shard: made again (NULL: every one) */
	bool *chunk_made;     /* per chunk: made again (NULL: every one) */
	const struct pipe_file **kept; /* the current site's files kept as they are */
	size_t n_kept;
	struct buf made;      /* the shards made again, one after the other */
	struct made { uint32_t shard; size_t at, len; } *shards;
	size_t n_shards;
};

static void plan_release(struct plan *pl)
{
	buf_release(&pl->cur);
	for (size_t k = 0; pl->own && k < pl->n_todo; k++)
		free(pl->own[k]);
	free(pl->own);
	free(pl->todo);
	free(pl->todo_at);
	free(pl->drop);
	free(pl->gone);
	free(pl->shard_made);
	free(pl->chunk_made);
	free(pl->kept);
	buf_release(&pl->made);
	free(pl->shards);
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
	size_t n = 0, from[2], to[2];

	state_range(old, "search/d/", &from[0], &to[0]);
	state_range(old, "search/t/", &from[1], &to[1]);
	pl->kept = xcalloc(to[0] - from[0] + to[1] - from[1] + 1, sizeof *pl->kept);
	for (size_t d = 0; d < 2; d++)
		for (size_t i = from[d]; i < to[d]; i++) {
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

/* Notes that the line l of the current stories.txt goes; false when it is not one of this index. */
static bool drop_line(struct plan *pl, const struct site_search_params *par, const struct line *l)
{
	if (l->id >> par->id_bits || !mark_shards(par, l->shards, l->shards_len, pl->shard_made))
		return false;
	if (pl->n_drop == pl->cap_drop) {
		pl->cap_drop = pl->cap_drop ? pl->cap_drop * 2 : 16;
		pl->drop = xrealloc(pl->drop, pl->cap_drop * sizeof *pl->drop);
		pl->gone = xrealloc(pl->gone, pl->cap_drop * sizeof *pl->gone);
	}
	pl->drop[pl->n_drop] = l->id;
	pl->gone[pl->n_drop++] = *l;
	pl->chunk_made[l->id >> (par->id_bits - par->chunk_bits)] = true;
	return true;
}

/*
 * Compares the current stories.txt with the site view, both in ascending
 * order of number: a story whose line is the same (number, slug, key)
 * keeps its postings; every other line goes, and every other story is
 * added (pl->todo). False when the file is not one of this index.
 */
static bool compare(site_search *s, const struct site_search_params *par,
		    const short_key *keys, size_t head, struct plan *pl)
{
	const char *text = pl->cur.data;
	size_t count = site_search_count(s), p = head;
	struct line l;
	int have = next_line(text, &p, pl->cur.len, &l);
	bool any = false;
	uint32_t last = 0;

	for (size_t i = 0; i < count && have >= 0; i++) {
		uint32_t id = site_search_id(s, i);
		const char *slug = site_search_entry(s, i)->s->slug;
		char hex[16];
		while (have > 0 && l.id < id) {
			if ((any && l.id <= last) || !drop_line(pl, par, &l))
				return false;
			any = true;
			last = l.id;
			have = next_line(text, &p, pl->cur.len, &l);
		}
		if (have < 0)
			break;
		if (have > 0 && (any && l.id <= last))
			return false;
		short_hex(keys[i], hex);
		if (have > 0 && l.id == id && l.slug_len == strlen(slug) &&
		    !memcmp(l.slug, slug, l.slug_len) && !memcmp(l.key, hex, 16)) {
			any = true;
			last = l.id;
			have = next_line(text, &p, pl->cur.len, &l);
			continue;
		}
		pl->todo_at[pl->n_todo] = have > 0 ? l.at : pl->cur.len;
		pl->todo[pl->n_todo++] = i;
	}
	for (; have > 0; have = next_line(text, &p, pl->cur.len, &l)) {
		if ((any && l.id <= last) || !drop_line(pl, par, &l))
			return false;
		any = true;
		last = l.id;
	}
	return have == 0;
}

/*
 * Makes again each shard of pl->shard_made from its current bytes into
 * pl->made; false when one of them cannot be trusted or is not a shard.
 */
static bool merge_shards(const struct pipe_search_out *o, site_search *s,
			 const struct site_search_params *par, struct plan *pl)
{
	size_t n = (size_t)1 << par->shard_bits, total = 0, cap = 0;
	struct buf b = BUF_INIT;
	bool ok = true;
	char rel[32];

	for (size_t v = 0; v < n; v++) {
		snprintf(rel, sizeof rel, "search/t/%03zx.bin", v);
		const struct pipe_file *f = pl->shard_made[v] ? pipe_state_find(o->old, rel) : NULL;
		if (f && f->size > 0)
			total += (size_t)f->size;
	}
	/* about as many bytes as they hold now, present at once */
	buf_reserve(&pl->made, total + total / 8 + 4096);
	pipe_populate(pl->made.data, pl->made.cap);
	for (size_t v = 0; v < n && ok; v++) {
		if (!pl->shard_made[v])
			continue;
		snprintf(rel, sizeof rel, "search/t/%03zx.bin", v);
		buf_reset(&b);
		if (pipe_state_find(o->old, rel) && !read_current(o, rel, &b)) {
			ok = false;
			break;
		}
		size_t at = pl->made.len;
		if (site_search_merge(s, (uint32_t)v, b.data, b.len, pl->drop, pl->n_drop,
				      &pl->made)) {
			ok = false;
			break;
		}
		if (pl->made.len == at)
			continue; /* no term left: no file */
		if (pl->n_shards == cap) {
			cap = cap ? cap * 2 : 64;
			pl->shards = xrealloc(pl->shards, cap * sizeof *pl->shards);
		}
		pl->shards[pl->n_shards++] = (struct made){(uint32_t)v, at, pl->made.len - at};
	}
	buf_release(&b);
	return ok;
}

/*
 * Plans bringing the current index up to date in s: the stories that
 * changed, came or went lose their postings and their chunks, and the
 * changed and new are added again (their bodies read); the shards any of
 * them was or is in are made again from their current bytes. *ok is
 * false when that cannot be done (no index that can be trusted, other
 * parameters, or too much changed): s is then to be made anew.
 */
static int plan_update(const struct pipe_search_out *o, site_search *s, const char base[65],
		       const short_key *keys, struct plan *pl, bool *ok, struct hearth_err *err)
{
	struct site_search_params par;
	const struct pipe_file *f = pipe_state_find(o->old, STORIES_REL);
	size_t count = site_search_count(s), head = strlen(base);
	char key[65];
	int rc = 0;

	*ok = false;
	site_search_get_params(s, &par);
	stories_key_head(o, key);
	if (!f || strncmp(key, f->key, 32)) /* none, or made by another program or theme */
		return 0;
	if (!read_current(o, STORIES_REL, &pl->cur) || pl->cur.len <= head ||
	    memcmp(pl->cur.data, base, head) || pl->cur.data[head] != '\n')
		return 0;
	pl->todo = xcalloc(count + 1, sizeof *pl->todo);
	pl->todo_at = xcalloc(count + 1, sizeof *pl->todo_at);
	pl->shard_made = xcalloc((size_t)1 << par.shard_bits, sizeof *pl->shard_made);
	pl->chunk_made = xcalloc((size_t)1 << par.chunk_bits, sizeof *pl->chunk_made);
	if (!compare(s, &par, keys, head + 1, pl))
		return 0;
	/* more than a quarter to do: reading every body costs about the same */
	if (pl->n_todo > count / 4 + 8)
		return 0;
	for (size_t k = 0; k < pl->n_todo; k++)
		pl->chunk_made[site_search_id(s, pl->todo[k]) >> (par.id_bits - par.chunk_bits)] =
			true;
	if ((rc = add_todo(o, s, pl, err)))
		return rc;
	if (!merge_shards(o, s, &par, pl))
		return 0;
	/*
	 * every other file is kept when it is as it was made: a shard that is
	 * not cannot be made from what is left (the index is made anew), a
	 * chunk is made again
	 */
	*ok = keep_others(o, pl, par.shard_bits, par.chunk_bits);
	return 0;
}

/* The line of story i in stories.txt. */
static void put_line(struct buf *b, const site_search *s, size_t i, const short_key key,
		     const char *shards)
{
	char d[12], hex[18];
	size_t k = sizeof d;
	uint32_t id = site_search_id(s, i);
	d[--k] = ' ';
	do {
		d[--k] = (char)('0' + id % 10);
		id /= 10;
	} while (id);
	buf_add(b, d + k, sizeof d - k);
	buf_puts(b, site_search_entry(s, i)->s->slug);
	hex[0] = ' ';
	short_hex(key, hex + 1);
	hex[17] = ' ';
	buf_add(b, hex, sizeof hex);
	buf_puts(b, shards);
	buf_putc(b, '\n');
}

/*
 * search/stories.txt: the base line, then "<number> <slug> <key> <shards>"
 * per story. Brought up to date, the current file with the lines that go
 * left out and the new ones put in their places; made anew, every story's.
 */
static void stories_file(const site_search *s, const char base[65], const short_key *keys,
			 const struct plan *pl, bool update, struct buf *out)
{
	size_t n = site_search_count(s);
	if (!update) {
		buf_reserve(out, 64 + n * 96);
		pipe_populate(out->data, out->cap);
		buf_puts(out, base);
		buf_putc(out, '\n');
		for (size_t i = 0; i < n; i++)
			put_line(out, s, i, keys[i], pl->own[i]);
		return;
	}
	size_t p = 0, g = 0, k = 0;
	buf_reserve(out, pl->cur.len + pl->n_todo * 128);
	pipe_populate(out->data, out->cap);
	while (g < pl->n_drop || k < pl->n_todo) {
		/* at the same place, the new line goes before the line that goes */
		bool put = k < pl->n_todo && (g == pl->n_drop || pl->todo_at[k] <= pl->gone[g].at);
		size_t at = put ? pl->todo_at[k] : pl->gone[g].at;
		buf_add(out, pl->cur.data + p, at - p);
		p = at;
		if (put) {
			put_line(out, s, pl->todo[k], keys[pl->todo[k]], pl->own[k]);
			k++;
		} else {
			p += pl->gone[g++].len;
		}
	}
	buf_add(out, pl->cur.data + p, pl->cur.len - p);
}

/* Writes staging/rel unless the current site has it with this key. */
static int put(const struct pipe_search_out *o, const char *rel, const char key[65],
	       const void *data, size_t n, struct hearth_err *err)
{
	if (o->keep(o->arg, rel, key))
		return 0;
	return site_write(o->staging, rel, data, n, err);
}

/* A shard's or chunk's key: its own bytes. */
static int put_file(const struct pipe_search_out *o, const char *rel, const void *data,
		    size_t n, struct hearth_err *err)
{
	struct sha256 h;
	char key[65];
	sha256_init(&h);
	key_str(&h, "hearth search file 1");
	sha256_update(&h, data, n);
	key_hex(&h, key);
	int rc = put(o, rel, key, data, n, err);
	if (rc)
		herr_prefix(err, "'%s'", rel);
	return rc;
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
	short_key *keys = NULL;
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
	entry_keys(s, o, &keys, meta_key);
	if (keep_all(o, meta_key))
		goto end;
	if (o->old && (rc = plan_update(o, s, base, (const short_key *)keys, &pl, &update, err)))
		goto end;
	if (update) {
		for (size_t i = 0; i < pl.n_kept; i++)
			o->kept(o->arg, pl.kept[i]);
	} else {
		site_search_free(&s); /* made anew, from every body */
		plan_release(&pl);
		s = site_search_new(c);
		pl.todo = xcalloc(count + 1, sizeof *pl.todo);
		for (pl.n_todo = 0; pl.n_todo < count; pl.n_todo++)
			pl.todo[pl.n_todo] = pl.n_todo;
		if ((rc = add_todo(o, s, &pl, err)))
			goto end;
	}
	if ((rc = site_search_files(s, !update, update ? pl.chunk_made : NULL, &files, &n, err)))
		goto end;
	stories_file(s, base, (const short_key *)keys, &pl, update, &list);
	stories_key(o, meta_key, key);
	if ((rc = put(o, STORIES_REL, key, list.data, list.len, err)))
		goto end;
	for (size_t i = 0; i < pl.n_shards && !rc; i++) {
		char rel[32];
		snprintf(rel, sizeof rel, "search/t/%03" PRIx32 ".bin", pl.shards[i].shard);
		rc = put_file(o, rel, pl.made.data + pl.shards[i].at, pl.shards[i].len, err);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const struct site_search_file *f = &files[i];
		if (strcmp(f->rel, "search/meta.json")) {
			rc = put_file(o, f->rel, f->data.data, f->data.len, err);
		} else if ((rc = put(o, f->rel, meta_key, f->data.data, f->data.len, err))) {
			herr_prefix(err, "'%s'", f->rel);
		}
	}
end:
	site_search_files_free(files, n);
	site_search_free(&s);
	plan_release(&pl);
	buf_release(&list);
	free(keys);
	return rc;
}
