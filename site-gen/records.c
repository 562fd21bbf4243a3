/*
 * records.c - the build's records in memory (struct site_ctx): the union
 * of the site and podcast views by slug, newest first, with what media/
 * made for each story, and the lists the pages show (every story with a
 * page, each collection's). build.c fills them, view.c and the feed read
 * them, from several threads once the lists are made; this file calls no
 * other file of site-gen/.
 */
#include "siteInt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int by_date_then_slug(const void *pa, const void *pb)
{
	const struct site_entry *a = pa, *b = pb;
	if (a->s->published_at != b->s->published_at)
		return a->s->published_at > b->s->published_at ? -1 : 1;
	return strcmp(a->s->slug, b->s->slug);
}

static int by_slug(const void *pa, const void *pb)
{
	const struct site_entry *a = pa, *b = pb;
	return strcmp(a->s->slug, b->s->slug);
}

void site_ctx_entries(struct site_ctx *c, struct pub_story **site, size_t n_site,
		      struct pub_story **pod, size_t n_pod)
{
	c->e = xcalloc(n_site + n_pod + 1, sizeof *c->e);
	c->n = 0;
	for (size_t i = 0; i < n_site; i++) {
		c->e[c->n].s = site[i];
		c->e[c->n++].on_site = true;
	}
	/* a slug in both views is one entry; the site's record is kept */
	qsort(c->e, c->n, sizeof *c->e, by_slug);
	size_t n_site_entries = c->n;
	for (size_t i = 0; i < n_pod; i++) {
		struct site_entry key = {.s = pod[i]};
		struct site_entry *hit = n_site_entries
			? bsearch(&key, c->e, n_site_entries, sizeof *c->e, by_slug)
			: NULL;
		if (hit) {
			hit->on_podcast = true;
		} else {
			c->e[c->n].s = pod[i];
			c->e[c->n++].on_podcast = true;
		}
	}
	qsort(c->e, c->n, sizeof *c->e, by_date_then_slug);
}

/*
 * The slug index is a hash table (FNV-1a, open addressing, at most half
 * full): a lookup reads one slug of the entries, where a search of them
 * in slug order read a dozen scattered ones, and making it needs no sort.
 */
static size_t slug_hash(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return (size_t)(h ^ (h >> 32));
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
	size_t size = 16;
	while (size < 2 * c->n)
		size *= 2;
	c->by_slug = xcalloc(size, sizeof *c->by_slug);
	c->slug_mask = size - 1;
	for (size_t i = 0; i < c->n; i++) {
		size_t k = slug_hash(c->e[i].s->slug) & c->slug_mask;
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
	for (size_t k = slug_hash(slug) & c->slug_mask; c->by_slug[k];
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
