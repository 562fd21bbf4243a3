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
 * done for every story is kept lean: one digest each (on two threads), no
 * string made per story, and no large file held whole: stories.txt and
 * the shards go through buffers of a window or a shard, since fresh
 * memory costs a page fault a page.
 */
#define _GNU_SOURCE /* copy_file_range */
#include "pipelineInt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


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

/* Half of the stories' keys: [from, to) of s into keys, their digests into all. */
struct keys_part {
	const site_search *s;
	short_key *keys;
	size_t from, to;
	unsigned char all[32];
};

static void *keys_part(void *arg)
{
	struct keys_part *p = arg;
	struct sha256 all;
	sha256_init(&all);
	for (size_t i = p->from; i < p->to; i++) {
		struct sha256 h;
		unsigned char d[32];
		sha256_init(&h);
		key_search_entry(&h, site_search_entry(p->s, i));
		sha256_final(&h, d);
		sha256_update(&all, d, sizeof d);
		memcpy(p->keys[i], d, sizeof p->keys[i]);
	}
	sha256_final(&all, p->all);
	return NULL;
}

/* From this many stories the keys are made on two threads. */
#define KEYS_SPLIT 2048

/*
 * The key of what the index holds of each story, by its number in s
 * (key_search_entry), of which stories.txt shows the first 16 hex digits
 * (*keys, a new array: free it); and into inputs the key of everything
 * the index is made from: the digests of each half of the stories' whole
 * digests, in s's order (so two threads can make them).
 */
static void entry_keys(const site_search *s, const struct pipe_search_out *o,
		       short_key **keys, char inputs[65])
{
	size_t n = site_search_count(s);
	struct keys_part a = {s, NULL, 0, n / 2, {0}}, b = {s, NULL, n / 2, n, {0}};
	struct sha256 h;

	*keys = a.keys = b.keys = xcalloc(n ? n : 1, sizeof **keys);
	run_pair(keys_part, &a, &b, n >= KEYS_SPLIT);
	sha256_init(&h);
	key_str(&h, "hearth search index 4");
	key_str(&h, o->common);
	key_int(&h, (int64_t)n);
	sha256_update(&h, a.all, sizeof a.all);
	sha256_update(&h, b.all, sizeof b.all);
	key_hex(&h, inputs);
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
	snprintf(out, 65, "hearth search stories 3 %d %d %d", p->id_bits, p->shard_bits,
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
	key_str(&h, "hearth search stories 3");
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

int pipe_body_read(lib_body_reader *r, pthread_mutex_t *mu, const struct pub_story *s,
		   char **body, struct hearth_err *err)
{
	char sha[65];
	int rc;

	*body = NULL;
	if (!r)
		return herr(err, HEARTH_EINVAL, "story '%s': no body to show", s->slug);
	pthread_mutex_lock(mu);
	rc = lib_public_body(r, s->slug, body, sha, err);
	pthread_mutex_unlock(mu);
	if (rc == HEARTH_ENOENT || (!rc && (!s->body_sha256 || strcmp(sha, s->body_sha256))))
		rc = SITE_AGAIN; /* it changed since the view was read: start again */
	if (rc)
		xfree(body);
	return rc;
}

/* The body of s for the index: the record's, or read as its page reads it. */
static int read_body(const struct pipe_search_out *o, const struct pub_story *s, char **body,
		     struct hearth_err *err)
{
	if (s->body) {
		*body = xstrdup(s->body);
		return 0;
	}
	return pipe_body_read(o->bodies, o->body_mu, s, body, err);
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

/* Up to n bytes of fd at off into b, fewer only at its end; -1 on error. */
static ssize_t read_at(int fd, void *b, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)b + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * The shards' folder: the current site's and the next one's search/t/ are
 * each opened once, so a shard is read or written by its name alone, not
 * by a path the kernel walks again for every file.
 */
#define SHARDS_REL "search/t/"

/* The folder rel of dir, opened to be read from; -1 when it cannot be. */
static int open_dir(const char *dir, const char *rel)
{
	char *path = path_join(dir, rel);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(path);
	return fd;
}

/*
 * The current site's file f into out (reset first), of the size the build
 * state has for it, read by its name in the folder dir: one read asks for
 * a byte more, to see that it ends there. False when it cannot be read or
 * is not that size.
 */
static bool read_known(int dir, const struct pipe_file *f, struct buf *out)
{
	size_t n = (size_t)(f->size > 0 ? f->size : 0);
	const char *name = strrchr(f->rel, '/');
	int fd = dir >= 0 ? openat(dir, name ? name + 1 : f->rel, O_RDONLY | O_CLOEXEC) : -1;
	buf_reset(out);
	buf_reserve(out, n + 1);
	bool ok = fd >= 0 && read_at(fd, out->data, n + 1, 0) == (ssize_t)n;
	if (fd >= 0)
		close(fd);
	out->len = ok ? n : 0;
	out->data[out->len] = '\0';
	return ok;
}

/*
 * The current stories.txt, read a window at a time: it names every story
 * and an edit changes few of its lines, so it is read once to compare and
 * once to copy into the new one, without holding it whole. Both read the
 * same open file.
 */
#define WINDOW 65536

struct reader {
	int fd;              /* -1 when not open */
	uint64_t size;       /* as it was when opened */
	struct buf win;      /* bytes of the file from offset base */
	uint64_t base;
	size_t p;            /* the next line's place in win */
};

static bool reader_open(const struct pipe_search_out *o, const char *rel, struct reader *r)
{
	const struct pipe_file *f = pipe_state_find(o->old, rel);
	struct stat st;
	if (!f || !pipe_state_match(o->old, rel, f->key))
		return false;
	char *path = path_join(o->out_dir, rel);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (r->fd < 0 || fstat(r->fd, &st) || !S_ISREG(st.st_mode))
		return false;
	r->size = (uint64_t)st.st_size;
	buf_reserve(&r->win, WINDOW);
	return true;
}

/* The next line, *start to its '\n' at *nl (in r->win, until the next call): 1, 0 at the end, -1 else. */
static int reader_next(struct reader *r, const char **start, const char **nl)
{
	for (;;) {
		char *s = r->win.data + r->p, *end = r->win.data + r->win.len;
		char *q = memchr(s, '\n', (size_t)(end - s));
		if (q) {
			*start = s;
			*nl = q;
			r->p += (size_t)(q + 1 - s);
			return 1;
		}
		if (r->base + r->win.len >= r->size)
			return s == end ? 0 : -1;
		/* what is left to the front, then more after it */
		memmove(r->win.data, s, (size_t)(end - s));
		r->base += r->p;
		r->win.len = (size_t)(end - s);
		r->p = 0;
		size_t room = r->win.cap - r->win.len - 1;
		if (room > r->size - r->base - r->win.len)
			room = (size_t)(r->size - r->base - r->win.len);
		ssize_t n = room ? read_at(r->fd, r->win.data + r->win.len, room,
					   r->base + r->win.len) : -1;
		if (n <= 0) /* a line longer than the window, or the file shrank */
			return -1;
		r->win.len += (size_t)n;
	}
}

/* One line of the current stories.txt: "<number> <slug> <key> <shards>\n". */
struct line {
	uint32_t id;
	uint64_t at;              /* its place in the file */
	size_t len;               /* with its '\n' */
	const char *slug, *key;   /* in the reader's window; key has 16 hex digits */
	const char *shards;       /* in the reader's window, as put_shards writes them */
	size_t slug_len, shards_len;
};

/* 1 with the next line in l, 0 at the end, -1 when it does not have its four fields. */
static int next_line(struct reader *r, struct line *l)
{
	const char *s, *nl, *q;
	uint64_t v = 0;
	int rc = reader_next(r, &s, &nl);

	if (rc <= 0)
		return rc;
	for (q = s; q < nl && *q >= '0' && *q <= '9' && v <= UINT32_MAX; q++)
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
	l->len = (size_t)(nl + 1 - s);
	l->at = r->base + r->p - l->len;
	return 1;
}

/* A shard made again: its key (by its bytes), whether it has any, and whether it was written. */
struct made {
	uint32_t shard;
	bool empty, written;
	char key[65];
};

/* A line of the current stories.txt that goes. */
struct gone {
	uint64_t at;
	size_t len;
};

/*
 * The work of bringing the current index up to date, or of making it
 * anew: the stories to add (by their number in s) and their shards (as
 * stories.txt writes them), the lines of the current stories.txt that go
 * and where the new ones go, and the shards and chunks whose files are
 * made again (the others are the current site's, kept as they are).
 */
struct plan {
	struct reader cur;    /* the current stories.txt */
	size_t *todo, n_todo;
	uint64_t *todo_at;    /* per story added: the line of cur it goes before */
	char **own;           /* per story added: its shards as stories.txt writes them */
	uint32_t *drop;       /* the numbers of the lines of cur that go, ascending */
	struct gone *gone;    /* those lines */
	size_t n_drop, cap_drop;
	bool *shard_made;     /* per shard: made again (NULL: every one) */
	bool *chunk_made;     /* per chunk: made again (NULL: every one) */
	const struct pipe_file **kept; /* the current site's files kept as they are */
	size_t n_kept;
	struct made *made;    /* the shards made again, as merge_shards made them */
	size_t n_made;
	int shards_dir;       /* the next site's search/t/ once a shard is written there, or -1 */
};

static void plan_release(struct plan *pl)
{
	if (pl->cur.fd >= 0)
		close(pl->cur.fd);
	buf_release(&pl->cur.win);
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
	free(pl->made);
	if (pl->shards_dir >= 0)
		close(pl->shards_dir);
	memset(pl, 0, sizeof *pl);
	pl->cur.fd = -1;
	pl->shards_dir = -1;
}

/*
 * pipe_read_ahead: fetch on a thread of its own, through a ring of
 * PIPE_AHEAD slots, so at most that many items wait in memory.
 */
struct ahead {
	int (*fetch)(void *arg, size_t k, char **item, struct hearth_err *err);
	void *arg;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t filled, taken; /* slots the reader filled, the taker took */
	bool stop;            /* the taker is done: read no more */
	struct ahead_slot {
		char *item;
		int rc;
		struct hearth_err err;
	} ring[PIPE_AHEAD];
};

static void *read_ahead(void *arg)
{
	struct ahead *a = arg;
	for (size_t k = 0; k < a->n; k++) {
		pthread_mutex_lock(&a->mu);
		while (!a->stop && a->filled - a->taken == PIPE_AHEAD)
			pthread_cond_wait(&a->cv, &a->mu);
		bool stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			break;
		struct ahead_slot *sl = &a->ring[k % PIPE_AHEAD];
		sl->item = NULL;
		sl->rc = a->fetch(a->arg, k, &sl->item, &sl->err);
		pthread_mutex_lock(&a->mu);
		a->filled++;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (sl->rc)
			break; /* the taker stops at this slot */
	}
	return NULL;
}

int pipe_read_ahead(size_t n, bool beside,
		    int (*fetch)(void *arg, size_t k, char **item, struct hearth_err *err),
		    void *fetch_arg, void (*take)(void *arg, size_t k, char *item), void *take_arg,
		    struct hearth_err *err)
{
	struct ahead a = {.fetch = fetch, .arg = fetch_arg, .n = n};
	pthread_t reader;
	int rc = 0;

	if (!beside || n < 2) {
		for (size_t k = 0; k < n && !rc; k++) {
			char *item = NULL;
			if (!(rc = fetch(fetch_arg, k, &item, err)))
				take(take_arg, k, item);
		}
		return rc;
	}
	pthread_mutex_init(&a.mu, NULL);
	pthread_cond_init(&a.cv, NULL);
	if (pthread_create(&reader, NULL, read_ahead, &a) != 0) {
		pthread_cond_destroy(&a.cv);
		pthread_mutex_destroy(&a.mu);
		return pipe_read_ahead(n, false, fetch, fetch_arg, take, take_arg, err);
	}
	for (size_t k = 0; k < n && !rc; k++) {
		pthread_mutex_lock(&a.mu);
		while (a.filled == k)
			pthread_cond_wait(&a.cv, &a.mu);
		pthread_mutex_unlock(&a.mu);
		struct ahead_slot *sl = &a.ring[k % PIPE_AHEAD];
		char *item = sl->item;
		sl->item = NULL;
		if ((rc = sl->rc)) {
			*err = sl->err;
			break;
		}
		pthread_mutex_lock(&a.mu);
		a.taken++;
		pthread_cond_broadcast(&a.cv);
		pthread_mutex_unlock(&a.mu);
		take(take_arg, k, item);
	}
	pthread_mutex_lock(&a.mu);
	a.stop = true;
	pthread_cond_broadcast(&a.cv);
	pthread_mutex_unlock(&a.mu);
	/* the taker stops only at the slot that failed, where the reader stopped: nothing is left */
	pthread_join(reader, NULL);
	pthread_cond_destroy(&a.cv);
	pthread_mutex_destroy(&a.mu);
	return rc;
}

/* Fewer stories to add than this (an edit): their bodies are read in turn. */
#define AHEAD_FROM 64

/*
 * The stories to add and where their bodies come from. Reading one (the
 * catalogue, then its digest) costs about as much as splitting it into
 * the index, so with a core to spare the bodies are read ahead on a
 * thread of their own (pipe_read_ahead) and the index of a clean build
 * takes about half as long. The reader sees the stories' records, never
 * the index this thread changes.
 */
struct todo {
	const struct pipe_search_out *o;
	const struct pub_story **s; /* in the order they are added */
	site_search *index;
	struct plan *pl;
};

static int todo_read(void *arg, size_t k, char **body, struct hearth_err *err)
{
	const struct todo *t = arg;
	return read_body(t->o, t->s[k], body, err);
}

/* Adds story pl->todo[k] with body (taken), noting the shards it is in. */
static void todo_take(void *arg, size_t k, char *body)
{
	struct todo *t = arg;
	struct plan *pl = t->pl;
	uint32_t *sh = NULL;
	site_search_add(t->index, pl->todo[k], body);
	free(body);
	size_t n = site_search_last_shards(t->index, &sh);
	pl->own[k] = shards_text(sh, n);
	if (pl->shard_made)
		for (size_t j = 0; j < n; j++)
			pl->shard_made[sh[j]] = true;
	free(sh);
}

/* Reads and adds the stories of pl->todo, noting the shards each is in. */
static int add_todo(const struct pipe_search_out *o, site_search *s, struct plan *pl,
		    struct hearth_err *err)
{
	struct todo t = {.o = o, .index = s, .pl = pl};
	bool beside = pl->n_todo >= AHEAD_FROM && pipe_cores(o->jobs) > 1;

	pl->own = xcalloc(pl->n_todo + 1, sizeof *pl->own);
	t.s = xcalloc(pl->n_todo + 1, sizeof *t.s);
	for (size_t k = 0; k < pl->n_todo; k++)
		t.s[k] = site_search_entry(s, pl->todo[k])->s;
	int rc = pipe_read_ahead(pl->n_todo, beside, todo_read, &t, todo_take, &t, err);
	free(t.s);
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
	pl->gone[pl->n_drop++] = (struct gone){l->at, l->len};
	pl->chunk_made[l->id >> (par->id_bits - par->chunk_bits)] = true;
	return true;
}

/*
 * Compares the current stories.txt (its first line read) with the site
 * view, both in ascending order of number: a story whose line is the same
 * (number, slug, key) keeps its postings; every other line goes, and
 * every other story is added (pl->todo). False when the file is not one
 * of this index.
 */
static bool compare(site_search *s, const struct site_search_params *par,
		    const short_key *keys, struct plan *pl)
{
	size_t count = site_search_count(s);
	struct line l;
	int have = next_line(&pl->cur, &l);
	bool any = false;
	uint32_t last = 0;

	for (size_t i = 0; i < count && have >= 0; i++) {
		uint32_t id = site_search_id(s, i);
		char hex[16];
		while (have > 0 && l.id < id) {
			if ((any && l.id <= last) || !drop_line(pl, par, &l))
				return false;
			any = true;
			last = l.id;
			have = next_line(&pl->cur, &l);
		}
		if (have < 0)
			break;
		if (have > 0 && any && l.id <= last)
			return false;
		if (have > 0 && l.id == id) {
			/* the key covers the slug: no need to reach for the record's */
			short_hex(keys[i], hex);
			if (!memcmp(l.key, hex, 16)) {
				any = true;
				last = l.id;
				have = next_line(&pl->cur, &l);
				continue;
			}
		}
		pl->todo_at[pl->n_todo] = have > 0 ? l.at : pl->cur.size;
		pl->todo[pl->n_todo++] = i;
	}
	for (; have > 0; have = next_line(&pl->cur, &l)) {
		if ((any && l.id <= last) || !drop_line(pl, par, &l))
			return false;
		any = true;
		last = l.id;
	}
	return have == 0;
}

/* The key of a shard or chunk: its own bytes. */
static void file_key(const void *data, size_t n, char key[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth search file 1");
	sha256_update(&h, data, n);
	key_hex(&h, key);
}

/*
 * The shard rel (its bytes data, n of them) written into the next site's
 * search/t/ (made and opened at the first), replacing one that is there,
 * by its name in that folder.
 */
static int write_shard(const struct pipe_search_out *o, struct plan *pl, const char *rel,
		       const void *data, size_t n, struct hearth_err *err)
{
	int rc = 0;

	if (pl->shards_dir < 0) {
		char *path = path_join(o->staging, SHARDS_REL);
		rc = mkdir_p(path, err);
		free(path);
		if (rc)
			return rc;
		if ((pl->shards_dir = open_dir(o->staging, SHARDS_REL)) < 0)
			return herr(err, HEARTH_EIO, "cannot open '%s': %s", SHARDS_REL,
				    strerror(errno));
	}
	return site_write_at(pl->shards_dir, rel + strlen(SHARDS_REL), rel, data, n, err);
}

/* Takes out of the next site the shards merge_shards wrote (the index is made anew). */
static void unwrite_shards(struct plan *pl)
{
	char rel[32];
	for (size_t i = 0; i < pl->n_made; i++)
		if (pl->made[i].written) {
			snprintf(rel, sizeof rel, "%03" PRIx32 ".bin", pl->made[i].shard);
			(void)unlinkat(pl->shards_dir, rel, 0);
			pl->made[i].written = false;
		}
}

/*
 * Each shard of pl->shard_made made again from its bytes in the current
 * site (when it has it), each shard's bytes read and walked once, and
 * written at once into the next site when they changed; they are noted
 * in it (note_shards) only once every one is made. *ok is false when one
 * is not as it was made, or not a shard of this index: what was written
 * is taken out again, and the index is to be made anew.
 */
static int merge_shards(const struct pipe_search_out *o, site_search *s,
			const struct site_search_params *par, struct plan *pl, bool *ok,
			struct hearth_err *err)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	char rel[32];
	int dir = open_dir(o->out_dir, SHARDS_REL), rc = 0;
	size_t n = 0;

	*ok = true;
	for (size_t v = 0; v < (size_t)1 << par->shard_bits; v++)
		n += pl->shard_made[v];
	pl->made = xcalloc(n + 1, sizeof *pl->made);
	for (size_t v = 0; v < (size_t)1 << par->shard_bits && *ok && !rc; v++) {
		if (!pl->shard_made[v])
			continue;
		snprintf(rel, sizeof rel, SHARDS_REL "%03zx.bin", v);
		const struct pipe_file *f = pipe_state_find(o->old, rel);
		struct made *m = &pl->made[pl->n_made++];
		m->shard = (uint32_t)v;
		buf_reset(&in);
		buf_reset(&out);
		/* none now: made from the stories added alone */
		*ok = !f || (pipe_state_match(o->old, rel, f->key) && read_known(dir, f, &in));
		*ok = *ok && !site_search_merge(s, (uint32_t)v, in.data ? in.data : "", in.len,
						pl->drop, pl->n_drop, &out);
		if (!*ok || (m->empty = !out.len))
			continue;
		file_key(out.data, out.len, m->key);
		if (!pipe_state_match(o->old, rel, m->key)) {
			rc = write_shard(o, pl, rel, out.data, out.len, err);
			m->written = !rc;
		}
	}
	if (!*ok || rc)
		unwrite_shards(pl);
	if (dir >= 0)
		close(dir);
	buf_release(&in);
	buf_release(&out);
	return rc;
}

/*
 * Plans bringing the current index up to date in s: the stories that
 * changed, came or went lose their postings and their chunks, and the
 * changed and new are added again (their bodies read); the shards any of
 * them was or is in are to be made again from their current bytes. *ok
 * is false when that cannot be done (no index that can be trusted, other
 * parameters, or too much changed): s is then to be made anew.
 */
static int plan_update(const struct pipe_search_out *o, site_search *s, const char base[65],
		       const short_key *keys, struct plan *pl, bool *ok, struct hearth_err *err)
{
	struct site_search_params par;
	const struct pipe_file *f = pipe_state_find(o->old, STORIES_REL);
	size_t count = site_search_count(s);
	const char *first, *nl;
	char key[65];
	int rc = 0;

	*ok = false;
	site_search_get_params(s, &par);
	stories_key_head(o, key);
	if (!f || strncmp(key, f->key, 32)) /* none, or made by another program or theme */
		return 0;
	if (!reader_open(o, STORIES_REL, &pl->cur) || reader_next(&pl->cur, &first, &nl) <= 0 ||
	    (size_t)(nl - first) != strlen(base) || memcmp(first, base, strlen(base)))
		return 0;
	pl->todo = xcalloc(count + 1, sizeof *pl->todo);
	pl->todo_at = xcalloc(count + 1, sizeof *pl->todo_at);
	pl->shard_made = xcalloc((size_t)1 << par.shard_bits, sizeof *pl->shard_made);
	pl->chunk_made = xcalloc((size_t)1 << par.chunk_bits, sizeof *pl->chunk_made);
	if (!compare(s, &par, keys, pl))
		return 0;
	/* more than a quarter to do: reading every body costs about the same */
	if (pl->n_todo > count / 4 + 8)
		return 0;
	for (size_t k = 0; k < pl->n_todo; k++)
		pl->chunk_made[site_search_id(s, pl->todo[k]) >> (par.id_bits - par.chunk_bits)] =
			true;
	if ((rc = add_todo(o, s, pl, err)))
		return rc;
	/*
	 * every other file is kept when it is as it was made: a shard that is
	 * not cannot be made from what is left (the index is made anew), a
	 * chunk is made again
	 */
	if (!keep_others(o, pl, par.shard_bits, par.chunk_bits))
		return 0;
	return merge_shards(o, s, &par, pl, ok, err);
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

/* search/stories.txt made anew: the base line, then "<number> <slug> <key> <shards>" per story. */
static void stories_file(const site_search *s, const char base[65], const short_key *keys,
			 char *const *own, struct buf *out)
{
	size_t n = site_search_count(s);
	buf_reserve(out, 64 + n * 96);
	buf_puts(out, base);
	buf_putc(out, '\n');
	for (size_t i = 0; i < n; i++)
		put_line(out, s, i, keys[i], own[i]);
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
	char key[65];
	file_key(data, n, key);
	int rc = put(o, rel, key, data, n, err);
	if (rc)
		herr_prefix(err, "'%s'", rel);
	return rc;
}

/*
 * Appends the bytes [from, to) of the current stories.txt to what b and
 * fd hold: by the kernel from file to file (after what b holds), where it
 * can, else through b.
 */
static int copy_lines(struct reader *r, uint64_t from, uint64_t to, struct buf *b, int fd,
		      struct hearth_err *err)
{
	if (from < to && b->len) {
		if (fd_write_all(fd, b->data, b->len))
			return herr(err, HEARTH_EIO, "cannot write '%s': %s", STORIES_REL,
				    strerror(errno));
		buf_reset(b);
	}
	while (from < to) {
		loff_t off = (loff_t)from;
		ssize_t n = copy_file_range(r->fd, &off, fd, NULL, (size_t)(to - from), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* not between these files (or the file shrank): through b */
		from += (uint64_t)n;
	}
	while (from < to) {
		size_t n = to - from > WINDOW ? WINDOW : (size_t)(to - from);
		buf_reserve(b, n);
		if (read_at(r->fd, b->data + b->len, n, from) != (ssize_t)n)
			return herr(err, HEARTH_EIO, "'%s' changed while the build read it",
				    STORIES_REL);
		b->len += n;
		from += n;
		if (b->len >= WINDOW) {
			if (fd_write_all(fd, b->data, b->len))
				return herr(err, HEARTH_EIO, "cannot write '%s': %s", STORIES_REL,
					    strerror(errno));
			buf_reset(b);
		}
	}
	return 0;
}

/*
 * search/stories.txt brought up to date: the current file with the lines
 * that go left out and the new ones put in their places, a window at a
 * time, unless the current site has it with key.
 */
static int update_stories(const struct pipe_search_out *o, const site_search *s,
			  const short_key *keys, struct plan *pl, const char key[65],
			  struct hearth_err *err)
{
	struct buf *b = &pl->cur.win; /* done with reading lines */
	uint64_t p = 0;
	size_t g = 0, k = 0;
	int rc, fd = -1;

	if (o->keep(o->arg, STORIES_REL, key))
		return 0;
	if ((rc = site_write(o->staging, STORIES_REL, "", 0, err)))
		return rc;
	char *path = path_join(o->staging, STORIES_REL);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
	free(path);
	buf_reset(b);
	while (!rc && (g < pl->n_drop || k < pl->n_todo)) {
		/* at the same place, the new line goes before the line that goes */
		bool add = k < pl->n_todo && (g == pl->n_drop || pl->todo_at[k] <= pl->gone[g].at);
		uint64_t at = add ? pl->todo_at[k] : pl->gone[g].at;
		rc = copy_lines(&pl->cur, p, at, b, fd, err);
		p = at;
		if (add) {
			put_line(b, s, pl->todo[k], keys[pl->todo[k]], pl->own[k]);
			k++;
		} else {
			p += pl->gone[g++].len;
		}
	}
	if (!rc)
		rc = copy_lines(&pl->cur, p, pl->cur.size, b, fd, err);
	if (!rc && fd_write_all(fd, b->data, b->len))
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", STORIES_REL, strerror(errno));
	if (fd >= 0 && close(fd) && !rc)
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", STORIES_REL, strerror(errno));
	return rc;
}

/*
 * Notes each shard merge_shards made in the next site: as the current
 * site's file when it has it with the same key, else as the one written.
 */
static int note_shards(const struct pipe_search_out *o, struct plan *pl, struct hearth_err *err)
{
	char rel[32];

	for (size_t i = 0; i < pl->n_made; i++) {
		const struct made *m = &pl->made[i];
		snprintf(rel, sizeof rel, SHARDS_REL "%03" PRIx32 ".bin", m->shard);
		if (m->empty) /* no term left: no file */
			continue;
		bool kept = o->keep(o->arg, rel, m->key);
		if (kept && m->written && unlinkat(pl->shards_dir, rel + strlen(SHARDS_REL), 0))
			return herr(err, HEARTH_EIO, "cannot remove '%s': %s", rel, strerror(errno));
		if (!kept && !m->written) /* the current state cannot have changed meanwhile */
			return herr(err, HEARTH_EIO, "'%s' changed while the build read it", rel);
	}
	return 0;
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
	struct plan pl = {.cur.fd = -1, .shards_dir = -1};
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
	stories_key(o, meta_key, key);
	if (update) {
		if ((rc = update_stories(o, s, (const short_key *)keys, &pl, key, err)))
			goto end;
		if ((rc = note_shards(o, &pl, err)))
			goto end;
	} else {
		stories_file(s, base, (const short_key *)keys, pl.own, &list);
		if ((rc = put(o, STORIES_REL, key, list.data, list.len, err)))
			goto end;
	}
	if ((rc = site_search_files(s, !update, update ? pl.chunk_made : NULL, &files, &n, err)))
		goto end;
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
