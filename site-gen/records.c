/*
 * records.c - the build's records in memory (struct site_ctx): the union
 * of the site and podcast views by slug, newest first, with what media/
 * made for each story, and the lists the pages show (every story with a
 * page, each collection's). build.c fills them, view.c and the feed read
 * them, from several threads once the lists are made; this file calls no
 * other file of site-gen/. It also holds the sort by precomputed keys the
 * records and the groups (view.c) are made with (in large blocks: core's
 * xmalloc_big).
 */
#include "siteInt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

uint64_t site_sort_prefix(const char *s)
{
	uint64_t k = 0;
	size_t i = 0;
	for (; i < 8 && s[i]; i++)
		k = k << 8 | (unsigned char)s[i];
	return i ? k << (8 * (8 - i)) : 0; /* the bytes after the end are 0 */
}

static int key_cmp(const struct site_sort_key *a, const struct site_sort_key *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	int d = strcmp(a->str, b->str);
	if (d)
		return d;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* Sorts v[0, n) by merging, through tmp (room for n). */
static void merge_sort(struct site_sort_key *v, struct site_sort_key *tmp, size_t n)
{
	if (n <= 12) { /* insertion: short runs cost less so */
		for (size_t i = 1; i < n; i++) {
			struct site_sort_key k = v[i];
			size_t j = i;
			for (; j && key_cmp(&v[j - 1], &k) > 0; j--)
				v[j] = v[j - 1];
			v[j] = k;
		}
		return;
	}
	size_t h = n / 2;
	merge_sort(v, tmp, h);
	merge_sort(v + h, tmp, n - h);
	if (key_cmp(&v[h - 1], &v[h]) <= 0)
		return; /* already in order */
	memcpy(tmp, v, h * sizeof *v);
	size_t a = 0, b = h, o = 0;
	while (a < h && b < n)
		v[o++] = key_cmp(&v[b], &tmp[a]) < 0 ? v[b++] : tmp[a++];
	while (a < h)
		v[o++] = tmp[a++];
}

void site_sort_keys(struct site_sort_key *v, size_t n, struct site_sort_key *tmp)
{
	merge_sort(v, tmp, n);
}

/*
 * The slug index is a hash table (FNV-1a, open addressing, at most half
 * full): a lookup reads one slug of the entries, where a search of them
 * in slug order read a dozen scattered ones, and making it needs no sort.
 */
size_t site_str_hash(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return (size_t)(h ^ (h >> 32));
}

size_t site_table_size(size_t n)
{
	size_t size = 16;
	while (size < 2 * n)
		size *= 2;
	return size;
}

/* A story of either view on its way into c->e. */
struct cand {
	const struct pub_story *s;
	bool on_site, on_podcast;
};

/*
 * The union is made with a hash table of the site's slugs (a slug in both
 * views is one entry, the site's record kept), and put in order once: the
 * candidates are sorted by keys (date, the slug's first eight bytes, then
 * the slug), so a comparison seldom leaves the keys' array, and each entry
 * is written once, in its place.
 */
void site_ctx_entries(struct site_ctx *c, struct pub_story **site, size_t n_site,
		      struct pub_story **pod, size_t n_pod)
{
	size_t all = n_site + n_pod, n = 0, size = n_pod ? site_table_size(n_site) : 0;
	/* one scratch block: candidates, keys, the sort's room, the table */
	size_t bytes = all * (sizeof(struct cand) + 2 * sizeof(struct site_sort_key)) +
		       size * sizeof(uint32_t);
	char *block = xmalloc_big(bytes);
	struct cand *cd = (struct cand *)(void *)block;
	struct site_sort_key *k = (struct site_sort_key *)(void *)(cd + all);
	struct site_sort_key *tmp = k + all;
	uint32_t *table = (uint32_t *)(void *)(tmp + all);

	for (size_t i = 0; i < n_site; i++)
		cd[n++] = (struct cand){site[i], true, false};
	if (n_pod) {
		size_t mask = size - 1;
		memset(table, 0, size * sizeof *table);
		for (size_t i = 0; i < n_site; i++) {
			size_t h = site_str_hash(site[i]->slug) & mask;
			while (table[h])
				h = (h + 1) & mask;
			table[h] = (uint32_t)(i + 1);
		}
		for (size_t i = 0; i < n_pod; i++) {
			size_t h = site_str_hash(pod[i]->slug) & mask;
			while (table[h] && strcmp(site[table[h] - 1]->slug, pod[i]->slug))
				h = (h + 1) & mask;
			if (table[h])
				cd[table[h] - 1].on_podcast = true;
			else
				cd[n++] = (struct cand){pod[i], false, true};
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct pub_story *s = cd[i].s;
		/* newest first: the date's order as unsigned, reversed */
		k[i] = (struct site_sort_key){~((uint64_t)s->published_at ^ (UINT64_C(1) << 63)),
					      site_sort_prefix(s->slug), s->slug, i};
	}
	site_sort_keys(k, n, tmp);

	c->e = xzalloc_big(all + 1, sizeof *c->e);
	c->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct cand *x = &cd[k[i].i];
		c->e[i].s = x->s;
		c->e[i].on_site = x->on_site;
		c->e[i].on_podcast = x->on_podcast;
	}
	free(block);
}

static void list_release(struct site_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

static void lists_release(struct site_ctx *c)
{
	xfree(&c->by_slug);
	list_release(&c->on_site);
	for (size_t i = 0; c->in_coll && i < c->n_colls; i++)
		list_release(&c->in_coll[i]);
	xfree(&c->in_coll);
}

void site_ctx_lists(struct site_ctx *c)
{
	lists_release(c);
	size_t size = site_table_size(c->n);
	/* ordinary pages: a huge one would hold eight times what the table needs */
	c->by_slug = xcalloc(size, sizeof *c->by_slug);
	c->slug_mask = size - 1;
	for (size_t i = 0; i < c->n; i++) {
		size_t k = site_str_hash(c->e[i].s->slug) & c->slug_mask;
		while (c->by_slug[k])
			k = (k + 1) & c->slug_mask;
		c->by_slug[k] = i + 1;
	}

	c->on_site.v = xcalloc(c->n + 1, sizeof *c->on_site.v);
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].on_site)
			c->on_site.v[c->on_site.n++] = &c->e[i];

	c->in_coll = xcalloc(c->n_colls + 1, sizeof *c->in_coll);
	for (size_t i = 0; i < c->n_colls; i++) {
		struct site_list *l = &c->in_coll[i];
		l->v = xcalloc(strv_len(c->colls[i]->stories) + 1, sizeof *l->v);
		for (char **p = c->colls[i]->stories; p && *p; p++) {
			const struct site_entry *e = site_ctx_find(c, *p);
			if (e && e->on_site)
				l->v[l->n++] = e;
		}
	}
}

const struct site_entry *site_ctx_find(const struct site_ctx *c, const char *slug)
{
	if (!c->by_slug) { /* no index yet */
		for (size_t i = 0; i < c->n; i++)
			if (!strcmp(c->e[i].s->slug, slug))
				return &c->e[i];
		return NULL;
	}
	/* the first of equal slugs comes first in e, and so in the table */
	for (size_t k = site_str_hash(slug) & c->slug_mask; c->by_slug[k];
	     k = (k + 1) & c->slug_mask)
		if (!strcmp(slug, c->e[c->by_slug[k] - 1].s->slug))
			return &c->e[c->by_slug[k] - 1];
	return NULL;
}

/* The non-blank lines of text. */
static size_t count_lines(const char *p)
{
	size_t n = 0;
	while (p && *p) {
		bool blank = true;
		for (; *p && *p != '\n'; p++)
			if (*p != ' ' && *p != '\t' && *p != '\r')
				blank = false;
		n += !blank;
		if (*p)
			p++;
	}
	return n;
}

/*
 * A WebVTT timestamp at p, "HH:MM:SS.mmm" or "MM:SS.mmm", in milliseconds;
 * -1 if p does not start with one.
 */
static int64_t vtt_ms(const char *p)
{
	int64_t part[3] = {0, 0, 0}, ms = 0;
	int n = 0;
	for (;;) {
		int64_t v = 0;
		const char *d = p;
		while (*p >= '0' && *p <= '9' && p - d < 9)
			v = v * 10 + (*p++ - '0');
		if (p == d || n == 3)
			return -1;
		part[n++] = v;
		if (*p != ':')
			break;
		p++;
	}
	if (n < 2 || *p != '.')
		return -1;
	p++;
	for (int k = 0; k < 3; k++, p++) {
		if (*p < '0' || *p > '9')
			return -1;
		ms = ms * 10 + (*p - '0');
	}
	if (n == 2)
		return (part[0] * 60 + part[1]) * 1000 + ms;
	return ((part[0] * 60 + part[1]) * 60 + part[2]) * 1000 + ms;
}

void site_media_cues(struct site_media *m, const char *vtt)
{
	size_t lines = count_lines(m->transcript), n = 0;
	int64_t *v;

	xfree(&m->cue_ms);
	m->n_cues = 0;
	if (!vtt || !lines)
		return;
	v = xcalloc(lines, sizeof *v);
	/* a timing line is the only kind that holds "-->": cue text has it escaped */
	for (const char *p = vtt; *p;) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		bool timing = strstr(line, " --> ") != NULL;
		int64_t ms = timing ? vtt_ms(line) : 0;
		free(line);
		if (timing && (ms < 0 || n == lines)) {
			free(v);
			return;
		}
		if (timing)
			v[n++] = ms;
		p += len;
		if (*p)
			p++;
	}
	if (n != lines) {
		free(v);
		return;
	}
	m->cue_ms = v;
	m->n_cues = n;
}

void site_media_release(struct site_media *m)
{
	for (size_t k = 0; k < m->n_audio; k++) {
		free(m->audio[k].src);
		free(m->audio[k].m4a_src);
		free(m->audio[k].peaks_src);
		free(m->audio[k].waveform_src);
	}
	for (size_t k = 0; k < m->n_art; k++) {
		struct site_art *a = &m->art[k];
		for (size_t w = 0; w < SITE_ART_SIZES; w++) {
			free(a->jpeg[w].src);
			free(a->webp[w].src);
		}
		free(a->stem);
		free(a->src);
	}
	free(m->art);
	free(m->cover_src);
	free(m->vtt_src);
	free(m->transcript);
	free(m->cue_ms);
	free(m->chapters_src);
	memset(m, 0, sizeof *m);
}

void site_ctx_release(struct site_ctx *c)
{
	lists_release(c);
	for (size_t i = 0; i < c->n; i++)
		site_media_release(&c->e[i].m);
	xfree(&c->e);
	c->n = 0;
}
