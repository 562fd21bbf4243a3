/*
 * search.c - the search index of the site, made from the public records of
 * the stories with a page (the site view) and their bodies, and the search
 * page's document. The index is split so a reader's query downloads
 * little: the terms are spread by a hash over small binary shards of
 * postings (search/t/<n>.bin), and the stories' display records over small
 * JSON chunks (search/d/<n>.json) that the page fetches only for the
 * results it shows. docs/search.md describes the format; the theme's
 * search.js reads it, and normalises and splits a query exactly as
 * site_search_tokens does here.
 *
 * Everything in a file follows from what it holds, never from the order
 * of the build or the number of stories elsewhere: a story's number (its
 * place in the index) comes from a hash of its slug, and a posting's
 * weight from the story alone (the reader's side adds how rare the term
 * is). So an edit of one story changes only the shards of the terms it
 * gains or loses and its own chunk, and a withdrawn story leaves the
 * files that named it.
 *
 * Text is normalised as JavaScript's String.normalize("NFKD") then
 * removing every mark (\p{M}) and lowercasing does it, and split into runs
 * of letters and digits (\p{L}, \p{N}). ICU does the Unicode part; it is
 * loaded (dlopen) the first time a character beyond ASCII needs it.
 */
#define _GNU_SOURCE
#include "siteInt.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uvernum.h>

/* ---- normalising and splitting text --------------------------------------- */

#define S_STR_(x) #x
#define S_STR(x) S_STR_(x)
#define ICU_UC_LIB "libicuuc.so." S_STR(U_ICU_VERSION_MAJOR_NUM)

static struct {
	__typeof__(&u_charType) type;
	__typeof__(&u_tolower) lower;
	__typeof__(&unorm2_getNFKDInstance) nfkd_get;
	__typeof__(&unorm2_getDecomposition) decomp;
	const UNormalizer2 *nfkd;
	bool ok;
} icu;
static pthread_once_t icu_once = PTHREAD_ONCE_INIT;

/* Loads ICU's common library for good; icu.ok says whether it worked. */
static void icu_load(void)
{
	void *h = dlopen(ICU_UC_LIB, RTLD_NOW | RTLD_LOCAL);
	UErrorCode st = U_ZERO_ERROR;
	if (!h)
		return;
	if (!text_dlsym(h, S_STR(u_charType), &icu.type, sizeof icu.type) ||
	    !text_dlsym(h, S_STR(u_tolower), &icu.lower, sizeof icu.lower) ||
	    !text_dlsym(h, S_STR(unorm2_getNFKDInstance), &icu.nfkd_get, sizeof icu.nfkd_get) ||
	    !text_dlsym(h, S_STR(unorm2_getDecomposition), &icu.decomp, sizeof icu.decomp))
		return;
	icu.nfkd = icu.nfkd_get(&st);
	icu.ok = U_SUCCESS(st) && icu.nfkd;
}

/* The next code point of [*p, end); an ill-formed byte gives U+FFFD. */
static uint32_t next_cp(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t c = *s;
	int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
			 : (c & 0xf8) == 0xf0 ? 4 : 0;
	if (!len || end - s < len) {
		*p = s + 1;
		return 0xfffd;
	}
	c &= 0x7f >> (len > 1 ? len : 0);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p = s + 1;
			return 0xfffd;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	*p = s + len;
	return c;
}

static void put_cp(struct buf *b, uint32_t c)
{
	char u[4];
	size_t n;
	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

/* What one code point of normalised text is: part of a term, a mark, or a gap. */
enum cp_class { CP_GAP, CP_TERM, CP_MARK };

static enum cp_class cp_class(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
			       ? CP_TERM : CP_GAP;
	if (!icu.ok) /* no ICU: every character beyond ASCII is a letter */
		return CP_TERM;
	int8_t t = icu.type((UChar32)c);
	if (t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK)
		return CP_MARK;
	if ((t >= U_UPPERCASE_LETTER && t <= U_OTHER_LETTER) ||
	    (t >= U_DECIMAL_DIGIT_NUMBER && t <= U_OTHER_NUMBER))
		return CP_TERM;
	return CP_GAP;
}

static uint32_t cp_lower(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	return icu.ok ? (uint32_t)icu.lower((UChar32)c) : c;
}

/* A term longer than this (in code points) is no word a reader types: left out. */
#define TERM_MAX_CPS 40

struct splitter {
	struct buf term;
	size_t cps;
	void (*fn)(void *arg, const char *term, size_t n);
	void *arg;
};

static void split_end(struct splitter *sp)
{
	if (sp->term.len && sp->cps <= TERM_MAX_CPS)
		sp->fn(sp->arg, sp->term.data, sp->term.len);
	buf_reset(&sp->term);
	sp->cps = 0;
}

/* One code point of NFKD text: a mark is dropped, a letter lowercased. */
static void split_cp(struct splitter *sp, uint32_t c)
{
	switch (cp_class(c)) {
	case CP_MARK:
		return;
	case CP_GAP:
		split_end(sp);
		return;
	case CP_TERM:
		put_cp(&sp->term, cp_lower(c));
		sp->cps++;
		return;
	}
}

void site_search_tokens(const char *text, void (*fn)(void *arg, const char *term, size_t n),
			void *arg)
{
	struct splitter sp = {BUF_INIT, 0, fn, arg};
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	const unsigned char *end = p + strlen((const char *)p);

	while (p < end) {
		uint32_t c = next_cp(&p, end);
		if (c < 0x80) {
			split_cp(&sp, c);
			continue;
		}
		pthread_once(&icu_once, icu_load);
		UChar d[32];
		UErrorCode st = U_ZERO_ERROR;
		int32_t n = icu.ok ? icu.decomp(icu.nfkd, (UChar32)c, d, 32, &st) : -1;
		if (n < 0 || U_FAILURE(st)) { /* no decomposition */
			split_cp(&sp, c);
			continue;
		}
		for (int32_t i = 0; i < n; i++) {
			uint32_t x = d[i];
			if (x >= 0xd800 && x < 0xdc00 && i + 1 < n && d[i + 1] >= 0xdc00 &&
			    d[i + 1] < 0xe000) {
				x = 0x10000 + ((x - 0xd800) << 10) + (d[i + 1] - 0xdc00);
				i++;
			}
			split_cp(&sp, x);
		}
	}
	split_end(&sp);
	buf_release(&sp.term);
}

/* ---- the shape of the index ------------------------------------------------ */

/* 32-bit FNV-1a: search.js computes the same over the term's UTF-8. */
static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int ceil_log2(size_t n)
{
	int b = 0;
	while (((size_t)1 << b) < n)
		b++;
	return b;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void site_search_params(size_t n, struct site_search_params *p)
{
	int lg = ceil_log2(n ? n : 1);
	p->stories = n;
	p->id_bits = clamp(lg + 6, 16, 30);
	p->shard_bits = clamp(lg - 3, 0, 12);
	p->chunk_bits = clamp(lg - 3, 0, 12);
}

uint32_t site_search_shard(const struct site_search_params *p, const char *term, size_t n)
{
	return p->shard_bits ? fnv1a(term, n) >> (32 - p->shard_bits) : 0;
}

/* What a story is, for the filter by kind: its first sound or picture decides. */
const char *site_search_kind(const struct pub_story *s)
{
	bool audio = false, music = false, art = false;
	for (size_t i = 0; i < s->n_assets; i++) {
		audio |= s->assets[i].role == ROLE_AUDIO;
		music |= s->assets[i].role == ROLE_MUSIC;
		art |= s->assets[i].role == ROLE_ART;
	}
	return audio ? "audio" : music ? "music" : art ? "art" : "text";
}

/* ---- the index in memory ---------------------------------------------------- */

/* How much a word counts where it is found. */
#define W_TITLE 4
#define W_LABEL 3   /* themes and tags */
#define W_SUMMARY 2
#define W_TEXT 1    /* body, transcript, warnings */

struct posting {
	uint32_t id;    /* the story's number */
	uint32_t w;     /* its weighted count of the term while the story is added, then the weight */
};

struct term {
	char *s;
	size_t len;
	uint32_t hash;
	uint32_t shard; /* set when the terms are sorted (by_shard) */
	bool label;     /* "kind:", "theme:", "tag:", "warn:": a filter, not a word */
	bool unsorted;  /* a posting came in out of order */
	size_t stamp;   /* the story being added has a posting here when it is s->stamp */
	struct posting *p;
	size_t n, cap;
};

struct doc {
	const struct site_entry *e;
	uint32_t id;
	uint32_t len;   /* the weighted count of its words */
};

struct site_search {
	struct site_search_params par;
	struct doc *docs;
	size_t n_docs;
	struct term **tab;     /* open addressing, by hash */
	size_t tab_cap, n_terms;
	/* the story being added */
	size_t cur, stamp;
	uint32_t cur_weight;
	bool cur_label;
	size_t cur_words;      /* the distinct words it has postings for (not filters) */
	struct term **touched; /* the terms it has postings in */
	size_t n_touched, cap_touched;
	/* the terms with postings by shard, then bytes (by_shard), until the next add */
	struct term **sorted;
	size_t n_sorted;
};

static int doc_by_id(const void *pa, const void *pb)
{
	const struct doc *a = pa, *b = pb;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return strcmp(a->e->s->slug, b->e->s->slug);
}

/*
 * The docs (numbers of bits bits) in order of number, then slug
 * (doc_by_id's order): a radix sort of the numbers, 11 bits a pass, then
 * the rare runs of one number put in order of slug. On ten thousand
 * stories a comparison sort took more than the rest of site_search_new.
 */
static void docs_sort(struct doc *d, size_t n, int bits)
{
	struct doc *tmp = xcalloc(n ? n : 1, sizeof *tmp), *from = d, *to = tmp;
	for (int shift = 0; shift < bits; shift += 11) {
		size_t count[2049] = {0};
		for (size_t i = 0; i < n; i++)
			count[(from[i].id >> shift & 2047) + 1]++;
		for (size_t b = 1; b < 2049; b++)
			count[b] += count[b - 1];
		for (size_t i = 0; i < n; i++)
			to[count[from[i].id >> shift & 2047]++] = from[i];
		struct doc *t = from;
		from = to;
		to = t;
	}
	if (from != d)
		memcpy(d, from, n * sizeof *d);
	free(tmp);
	for (size_t i = 1; i < n; i++) /* one number, two slugs: by slug */
		for (size_t j = i; j > 0 && doc_by_id(&d[j - 1], &d[j]) > 0; j--) {
			struct doc t = d[j];
			d[j] = d[j - 1];
			d[j - 1] = t;
		}
}

site_search *site_search_new(const struct site_ctx *c)
{
	site_search *s = xcalloc(1, sizeof *s);
	size_t n = c->on_site.n;
	site_search_params(n, &s->par);
	s->docs = xcalloc(n ? n : 1, sizeof *s->docs);
	s->n_docs = n;
	uint32_t mask = (uint32_t)((1u << s->par.id_bits) - 1);
	for (size_t i = 0; i < n; i++) {
		const char *slug = c->on_site.v[i]->s->slug;
		s->docs[i].e = c->on_site.v[i];
		s->docs[i].id = fnv1a(slug, strlen(slug)) >> (32 - s->par.id_bits);
	}
	docs_sort(s->docs, n, s->par.id_bits);
	/* two slugs of one number: the later (by slug) takes the next free number */
	bool wrapped = false;
	for (size_t i = 1; i < n; i++)
		if (s->docs[i].id <= s->docs[i - 1].id) {
			s->docs[i].id = (s->docs[i - 1].id + 1) & mask;
			wrapped |= s->docs[i].id == 0;
		}
	/* a number past the top wrapped to 0: sort again (only ever a few) */
	if (wrapped)
		qsort(s->docs, n, sizeof *s->docs, doc_by_id);
	for (size_t i = 1; i < n; i++)
		if (s->docs[i].id == s->docs[i - 1].id) /* cannot be with id_bits > log2(n) */
			s->docs[i].id = (s->docs[i - 1].id + 1) & mask;
	s->tab_cap = 1024; /* grows with the terms: an update adds few */
	s->tab = xcalloc(s->tab_cap, sizeof *s->tab);
	return s;
}

void site_search_get_params(const site_search *s, struct site_search_params *p)
{
	*p = s->par;
}

size_t site_search_count(const site_search *s)
{
	return s->n_docs;
}

const struct site_entry *site_search_entry(const site_search *s, size_t i)
{
	return s->docs[i].e;
}

uint32_t site_search_id(const site_search *s, size_t i)
{
	return s->docs[i].id;
}

static void grow(site_search *s)
{
	size_t cap = s->tab_cap * 2;
	struct term **t = xcalloc(cap, sizeof *t);
	for (size_t i = 0; i < s->tab_cap; i++) {
		if (!s->tab[i])
			continue;
		size_t j = s->tab[i]->hash & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = s->tab[i];
	}
	free(s->tab);
	s->tab = t;
	s->tab_cap = cap;
}

/* The term w, made when it is new unless !make (then NULL). */
static struct term *term_get(site_search *s, const char *w, size_t n, bool make)
{
	uint32_t h = fnv1a(w, n);
	size_t j = h & (s->tab_cap - 1);
	for (; s->tab[j]; j = (j + 1) & (s->tab_cap - 1))
		if (s->tab[j]->hash == h && s->tab[j]->len == n && !memcmp(s->tab[j]->s, w, n))
			return s->tab[j];
	if (!make)
		return NULL;
	struct term *t = xcalloc(1, sizeof *t);
	t->s = xmalloc(n + 1);
	memcpy(t->s, w, n);
	t->s[n] = '\0';
	t->len = n;
	t->hash = h;
	t->label = memchr(w, ':', n) != NULL; /* a word never has one */
	s->tab[j] = t;
	if (++s->n_terms * 2 > s->tab_cap)
		grow(s);
	return t;
}

/*
 * Most distinct words a story adds to the index; its filters (kind,
 * themes, tags, warnings) always go in. A book of 100,000 words has about
 * 10,000 distinct ones; a transcript of 16 MB of distinct made-up words
 * had 2.3 million, which took the build 340 MB more and put 27 MB into
 * the shards a reader downloads. Past the limit, a word the story has
 * already counts again and a new one is left out: which ones follows
 * from the story alone (title, summary, terms, body, transcript, in that
 * order), as every posting does.
 */
#define SEARCH_MAX_STORY_WORDS 30000

/* Counts the term w for the story being added, with the current weight. */
static void add_term(void *arg, const char *w, size_t n)
{
	site_search *s = arg;
	bool full = !s->cur_label && s->cur_words >= SEARCH_MAX_STORY_WORDS;
	struct term *t = term_get(s, w, n, !full);
	if (full && (!t || t->stamp != s->stamp))
		return;
	struct doc *d = &s->docs[s->cur];
	if (t->stamp == s->stamp) {
		t->p[t->n - 1].w += s->cur_weight;
	} else {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 4;
			t->p = xrealloc(t->p, t->cap * sizeof *t->p);
		}
		if (t->n && t->p[t->n - 1].id > d->id)
			t->unsorted = true;
		t->p[t->n++] = (struct posting){d->id, s->cur_weight};
		t->stamp = s->stamp;
		if (s->n_touched == s->cap_touched) {
			s->cap_touched = s->cap_touched ? s->cap_touched * 2 : 256;
			s->touched = xrealloc(s->touched, s->cap_touched * sizeof *s->touched);
		}
		s->touched[s->n_touched++] = t;
		s->cur_words += !s->cur_label;
	}
	if (!s->cur_label)
		d->len += s->cur_weight;
}

/*
 * A posting's weight, 1 to 255: BM25's saturation of the weighted count,
 * with the story's length against a fixed length (not the site's average,
 * which would change every shard with every story).
 */
#define BM25_K1 1.2
#define BM25_B 0.75
#define REF_LEN 400.0

static unsigned impact(uint32_t wtf, uint32_t len)
{
	double norm = BM25_K1 * (1 - BM25_B + BM25_B * (double)len / REF_LEN);
	double v = (double)wtf * (BM25_K1 + 1) / ((double)wtf + norm);
	long q = (long)(v / (BM25_K1 + 1) * 255.0 + 0.5);
	return (unsigned)(q < 1 ? 1 : q > 255 ? 255 : q);
}

static void add_text(site_search *s, const char *text, uint32_t weight)
{
	s->cur_weight = weight;
	s->cur_label = false;
	site_search_tokens(text, add_term, s);
}

/* A filter's term: "<prefix>:<slug of name>", never a word (a word has no ':'). */
static void add_label(site_search *s, const char *prefix, const char *name)
{
	char *slug = slugify(name);
	char *w = xasprintf("%s:%s", prefix, slug);
	s->cur_weight = 1;
	s->cur_label = true;
	add_term(s, w, strlen(w));
	free(w);
	free(slug);
}

void site_search_add(site_search *s, size_t i, const char *body)
{
	const struct site_entry *e = s->docs[i].e;
	const struct pub_story *st = e->s;

	s->cur = i;
	s->stamp++;
	s->n_touched = 0;
	s->cur_words = 0;
	s->docs[i].len = 0;
	free(s->sorted); /* made again when asked for */
	s->sorted = NULL;

	add_text(s, st->title, W_TITLE);
	add_text(s, st->summary, W_SUMMARY);
	for (char **v = st->themes; v && *v; v++)
		add_text(s, *v, W_LABEL);
	for (char **v = st->tags; v && *v; v++)
		add_text(s, *v, W_LABEL);
	for (char **v = st->warnings; v && *v; v++)
		add_text(s, *v, W_TEXT);
	add_text(s, body, W_TEXT);
	add_text(s, e->m.transcript, W_TEXT);
	add_label(s, "kind", site_search_kind(st));
	for (char **v = st->themes; v && *v; v++)
		add_label(s, "theme", *v);
	for (char **v = st->tags; v && *v; v++)
		add_label(s, "tag", *v);
	for (char **v = st->warnings; v && *v; v++)
		add_label(s, "warn", *v);
	/* the story's length is known now: its counts become weights */
	for (size_t k = 0; k < s->n_touched; k++) {
		struct posting *p = &s->touched[k]->p[s->touched[k]->n - 1];
		p->w = s->touched[k]->label ? 1 : impact(p->w, s->docs[i].len);
	}
}

/* The first place in v (n of them, ascending) whose number is not below id. */
static size_t lower_bound(const uint32_t *v, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The first number of drop from id on (UINT64_MAX: none), id one of a
 * term's ascending numbers: *at is the place in drop to look from, moved
 * on as the numbers go up (SIZE_MAX before the first number).
 */
static uint64_t drop_from(const uint32_t *drop, size_t n_drop, size_t *at, uint64_t id)
{
	if (!n_drop)
		return UINT64_MAX;
	if (*at == SIZE_MAX)
		*at = lower_bound(drop, n_drop, id);
	while (*at < n_drop && drop[*at] < id)
		(*at)++;
	return *at < n_drop ? drop[*at] : UINT64_MAX;
}

/* Whether id is in drop, *at moved on as drop_from does. */
static bool dropped(const uint32_t *drop, size_t n_drop, size_t *at, uint32_t id)
{
	return drop_from(drop, n_drop, at, id) == id;
}

static bool get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	if (*p < end && **p < 0x80) { /* most distances between numbers take one byte */
		*v = *(*p)++;
		return true;
	}
	*v = 0;
	for (int sh = 0; sh < 64 && *p < end; sh += 7) {
		unsigned char x = *(*p)++;
		*v |= (uint64_t)(x & 0x7f) << sh;
		if (!(x & 0x80))
			return true;
	}
	return false;
}

static int u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

size_t site_search_last_shards(const site_search *s, uint32_t **out)
{
	uint32_t *v = xcalloc(s->n_touched ? s->n_touched : 1, sizeof *v);
	size_t n = 0;
	for (size_t k = 0; k < s->n_touched; k++)
		v[k] = site_search_shard(&s->par, s->touched[k]->s, s->touched[k]->len);
	if (s->n_touched)
		qsort(v, s->n_touched, sizeof *v, u32_cmp);
	for (size_t k = 0; k < s->n_touched; k++)
		if (!n || v[n - 1] != v[k])
			v[n++] = v[k];
	*out = v;
	return n;
}

/* ---- the shards ---------------------------------------------------------------- */

static void put_varint(struct buf *b, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;
	while (v >= 0x80) {
		t[n++] = (unsigned char)(0x80 | (v & 0x7f));
		v >>= 7;
	}
	t[n++] = (unsigned char)v;
	buf_add(b, t, n);
}

static int posting_cmp(const void *pa, const void *pb)
{
	const struct posting *a = pa, *b = pb;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Byte order of two terms' UTF-8: a prefix first. */
static int bytes_cmp(const void *a, size_t na, const void *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : na < nb ? -1 : na > nb;
}

static int term_cmp(const void *pa, const void *pb)
{
	const struct term *const *a = pa, *const *b = pb;
	if ((*a)->shard != (*b)->shard)
		return (*a)->shard < (*b)->shard ? -1 : 1;
	return bytes_cmp((*a)->s, (*a)->len, (*b)->s, (*b)->len);
}

/*
 * The terms with postings, by shard and then in byte order, each one's
 * postings in order of number: made once after the last story is added.
 */
static void by_shard(site_search *s)
{
	if (s->sorted)
		return;
	s->sorted = xcalloc(s->n_terms ? s->n_terms : 1, sizeof *s->sorted);
	s->n_sorted = 0;
	for (size_t i = 0; i < s->tab_cap; i++) {
		struct term *t = s->tab[i];
		if (!t || !t->n)
			continue;
		t->shard = site_search_shard(&s->par, t->s, t->len);
		if (t->unsorted)
			qsort(t->p, t->n, sizeof *t->p, posting_cmp);
		t->unsorted = false;
		s->sorted[s->n_sorted++] = t;
	}
	qsort(s->sorted, s->n_sorted, sizeof *s->sorted, term_cmp);
}

/* The postings of a term as a shard holds them: df, then each number's distance and weight. */
static void put_postings(struct buf *b, const struct posting *p, size_t n)
{
	uint32_t prev = 0;
	put_varint(b, n);
	for (size_t j = 0; j < n; j++) {
		put_varint(b, p[j].id - prev);
		prev = p[j].id;
		buf_putc(b, (char)p[j].w);
	}
}

static void put_term(struct buf *b, const struct term *t)
{
	put_varint(b, t->len);
	buf_add(b, t->s, t->len);
	put_postings(b, t->p, t->n);
}

/* One term of a shard's bytes: where it is, and its postings. */
struct old_term {
	const unsigned char *w;     /* the term */
	uint64_t len, df;
	const unsigned char *post;  /* its first posting */
	const unsigned char *end;   /* the byte after its last, once read */
};

/*
 * Reads the term at *p of a shard's bytes up to its postings; with scan,
 * its postings too, checking they are well formed and in order (*p then
 * past them).
 */
static bool old_term(const unsigned char **p, const unsigned char *end, bool scan,
		     struct old_term *t)
{
	uint64_t id = 0, d;
	if (!get_varint(p, end, &t->len) || t->len > (uint64_t)(end - *p))
		return false;
	t->w = *p;
	*p += t->len;
	if (!get_varint(p, end, &t->df) || t->df > (uint64_t)(end - *p) / 2)
		return false;
	t->post = *p;
	t->end = NULL;
	for (uint64_t j = 0; scan && j < t->df; j++) {
		if (!get_varint(p, end, &d) || *p >= end || (j && !d) || (id += d) > UINT32_MAX)
			return false;
		(*p)++; /* the weight */
	}
	if (scan)
		t->end = *p;
	return true;
}

static void put_posting(struct buf *b, uint32_t delta, unsigned w)
{
	put_varint(b, delta);
	buf_putc(b, (char)w);
}

/*
 * A term of the current shard o (its postings up to end) made again into
 * b: its postings without drop's numbers, with add's (n_add of them,
 * sorted) merged in; nothing when none is left. Runs of postings whose
 * distance to the one before stays the same are copied as they are, into
 * tmp first, since how many there are comes before them; a term that
 * keeps every posting as it is goes straight from o to b. Sets o->end;
 * false when the postings are not well formed or in order.
 *
 * Most postings of a shard are neither dropped nor next to one added, and
 * most distances take one or two bytes: those are passed over without
 * the general step, up to the next number dropped or added.
 */
static bool merge_term(struct buf *b, struct buf *tmp, struct old_term *o,
		       const unsigned char *end, const struct posting *add, size_t n_add,
		       const uint32_t *drop, size_t n_drop)
{
	const unsigned char *q = o->post, *run = NULL;
	uint64_t id = 0, d, j = 0;
	uint32_t was, out = 0;
	size_t k = 0, at_drop = SIZE_MAX, n = 0;

	buf_reset(tmp);
	while (j < o->df) {
		if (out == id) { /* the next posting keeps its bytes unless it is dropped or added to */
			uint64_t stop = k < n_add ? add[k].id : (uint64_t)UINT32_MAX + 1;
			uint64_t next = drop_from(drop, n_drop, &at_drop, id + 1);
			if (next < stop)
				stop = next;
			if (!run)
				run = q;
			while (j < o->df && end - q >= 2) {
				size_t len = 1; /* of the distance: one byte or two */
				uint64_t dd = q[0];
				if (dd >= 0x80) {
					if (end - q < 3 || q[1] >= 0x80)
						break;
					dd = (dd & 0x7f) | (uint64_t)q[1] << 7;
					len = 2;
				}
				if ((!dd && j) || id + dd >= stop)
					break;
				id += dd;
				q += len + 1;
				j++;
				n++;
			}
			out = (uint32_t)id;
			if (j == o->df)
				break;
		}
		const unsigned char *at = q;
		if (!get_varint(&q, end, &d) || q >= end || (j && !d) || id + d > UINT32_MAX)
			return false;
		was = (uint32_t)id;
		id += d;
		j++;
		unsigned char w = *q++;
		for (; k < n_add && add[k].id < id; k++, n++) {
			if (run)
				buf_add(tmp, run, (size_t)(at - run));
			run = NULL;
			put_posting(tmp, add[k].id - out, add[k].w);
			out = add[k].id;
		}
		if (dropped(drop, n_drop, &at_drop, (uint32_t)id)) {
			if (run)
				buf_add(tmp, run, (size_t)(at - run));
			run = NULL;
			continue;
		}
		n++;
		if (out == was) { /* the same distance: the same bytes */
			if (!run)
				run = at;
		} else {
			if (run)
				buf_add(tmp, run, (size_t)(at - run));
			run = NULL;
			put_posting(tmp, (uint32_t)id - out, w);
		}
		out = (uint32_t)id;
	}
	o->end = q;
	if (run == o->post && !tmp->len && k == n_add) { /* every posting as it was */
		if (n) {
			put_varint(b, o->len);
			buf_add(b, o->w, o->len);
			put_varint(b, n);
			buf_add(b, o->post, (size_t)(q - o->post));
		}
		return true;
	}
	if (run)
		buf_add(tmp, run, (size_t)(q - run));
	for (; k < n_add; k++, n++) {
		put_posting(tmp, add[k].id - out, add[k].w);
		out = add[k].id;
	}
	if (n) {
		put_varint(b, o->len);
		buf_add(b, o->w, o->len);
		put_varint(b, n);
		buf_add(b, tmp->data, tmp->len);
	}
	return true;
}

int site_search_merge(site_search *s, uint32_t shard, const void *data, size_t len,
		      const uint32_t *drop, size_t n_drop, struct buf *out)
{
	const unsigned char *p = data, *end = p + len;
	struct old_term o = {0}, prev = {0};
	struct buf tmp = BUF_INIT;
	bool have = false, first = true;
	size_t a, a_end;
	int rc = 0;

	if (shard >> s->par.shard_bits)
		return -1;
	by_shard(s);
	/* the terms added of this shard: [a, a_end) of the sorted ones */
	size_t lo = 0, hi = s->n_sorted;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->sorted[mid]->shard < shard)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (a = a_end = lo; a_end < s->n_sorted && s->sorted[a_end]->shard == shard; a_end++)
		;
	for (;;) {
		if (!have && p < end) {
			/* merging reads the postings as it copies them; checking alone, here */
			if (!old_term(&p, end, !out, &o) ||
			    site_search_shard(&s->par, (const char *)o.w, (size_t)o.len) != shard ||
			    (!first && bytes_cmp(prev.w, prev.len, o.w, o.len) >= 0)) {
				rc = -1; /* not a shard this index wrote */
				break;
			}
			have = true;
			first = false;
			prev = o;
		}
		const struct term *t = a < a_end ? s->sorted[a] : NULL;
		if (!have && !t)
			break;
		int c = !have ? 1 : !t ? -1 : bytes_cmp(o.w, o.len, t->s, t->len);
		if (c >= 0)
			a++;
		if (c > 0) { /* a term only the stories added hold */
			if (out)
				put_term(out, t);
			continue;
		}
		have = false;
		if (out && !merge_term(out, &tmp, &o, end, c ? NULL : t->p, c ? 0 : t->n, drop,
				       n_drop)) {
			rc = -1;
			break;
		}
		if (out)
			p = o.end;
	}
	buf_release(&tmp);
	return rc;
}

/* ---- the files ---------------------------------------------------------------- */

static void file_add(struct site_search_file **v, size_t *n, size_t *cap, char *rel,
		     struct buf *data)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[*n].rel = rel;
	(*v)[*n].data = *data;
	(*n)++;
	*data = (struct buf)BUF_INIT;
}

/* The shards: per shard, its terms in byte order, each with its postings. */
static void shard_files(site_search *s, struct site_search_file **v, size_t *n, size_t *cap)
{
	struct buf b = BUF_INIT;

	by_shard(s);
	for (size_t i = 0; i < s->n_sorted;) {
		uint32_t shard = s->sorted[i]->shard;
		for (; i < s->n_sorted && s->sorted[i]->shard == shard; i++)
			put_term(&b, s->sorted[i]);
		file_add(v, n, cap, xasprintf("search/t/%03" PRIx32 ".bin", shard), &b);
	}
	buf_release(&b);
}

/* The summary a result shows: at most this many code points. */
#define SUMMARY_MAX_CPS 160

static char *short_summary(const char *s)
{
	size_t cps = 0, i = 0;
	if (!s)
		return xstrdup("");
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && cps++ == SUMMARY_MAX_CPS)
			break;
	}
	if (!s[i])
		return xstrdup(s);
	size_t cut = i;
	while (cut > 0 && s[cut - 1] != ' ') /* at a space, when there is one */
		cut--;
	if (cut < i / 2)
		cut = i;
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	return xasprintf("%.*s\xe2\x80\xa6", (int)cut, s);
}

static void json_strv(struct jw *w, char **v)
{
	jw_arr(w);
	for (; v && *v; v++)
		jw_str(w, *v);
	jw_arr_end(w);
}

/*
 * The chunks (those of want, when not NULL): per chunk, the display
 * record of each story in it, by number.
 */
static int chunk_files(site_search *s, const bool *want, struct site_search_file **v, size_t *n,
		       size_t *cap, struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	int shift = s->par.id_bits - s->par.chunk_bits, rc = 0;

	for (size_t i = 0; i < s->n_docs && !rc;) {
		uint32_t chunk = s->docs[i].id >> shift;
		struct jw w;
		if (want && !want[chunk]) {
			while (i < s->n_docs && s->docs[i].id >> shift == chunk)
				i++;
			continue;
		}
		jw_init(&w, &b, false);
		jw_arr(&w);
		for (; i < s->n_docs && s->docs[i].id >> shift == chunk; i++) {
			const struct pub_story *st = s->docs[i].e->s;
			char *href = xasprintf("stories/%s/index.html", st->slug);
			char *sum = short_summary(st->summary);
			jw_arr(&w);
			jw_int(&w, s->docs[i].id);
			jw_str(&w, st->title ? st->title : "");
			jw_str(&w, href);
			jw_str(&w, sum);
			jw_str(&w, site_search_kind(st));
			json_strv(&w, st->themes);
			json_strv(&w, st->warnings);
			jw_arr_end(&w);
			free(href);
			free(sum);
		}
		jw_arr_end(&w);
		if ((rc = jw_end(&w, err)))
			break;
		buf_putc(&b, '\n');
		file_add(v, n, cap, xasprintf("search/d/%03" PRIx32 ".json", chunk), &b);
	}
	buf_release(&b);
	return rc;
}

int site_search_files(site_search *s, bool shards, const bool *chunks,
		      struct site_search_file **out, size_t *n_out, struct hearth_err *err)
{
	struct site_search_file *v = NULL;
	size_t n = 0, cap = 0;
	struct buf b = BUF_INIT;
	struct jw w;
	int rc;

	if (shards)
		shard_files(s, &v, &n, &cap);
	rc = chunk_files(s, chunks, &v, &n, &cap, err);
	if (!rc) {
		jw_init(&w, &b, false);
		jw_obj(&w);
		jw_kint(&w, "version", 1);
		jw_kint(&w, "stories", (int64_t)s->n_docs);
		jw_kint(&w, "id_bits", s->par.id_bits);
		jw_kint(&w, "shard_bits", s->par.shard_bits);
		jw_kint(&w, "chunk_bits", s->par.chunk_bits);
		jw_obj_end(&w);
		rc = jw_end(&w, err);
		buf_putc(&b, '\n');
		file_add(&v, &n, &cap, xstrdup("search/meta.json"), &b);
	}
	buf_release(&b);
	if (rc) {
		site_search_files_free(v, n);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void site_search_files_free(struct site_search_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].rel);
		buf_release(&v[i].data);
	}
	free(v);
}

void site_search_free(site_search **sp)
{
	site_search *s = *sp;
	if (!s)
		return;
	for (size_t i = 0; i < s->tab_cap; i++) {
		if (!s->tab[i])
			continue;
		free(s->tab[i]->s);
		free(s->tab[i]->p);
		free(s->tab[i]);
	}
	free(s->tab);
	free(s->touched);
	free(s->sorted);
	free(s->docs);
	free(s);
	*sp = NULL;
}

/* ---- the search page ------------------------------------------------------------ */

/* A name and how many stories carry it, gathered by slug. */
struct facet {
	char *slug;
	const char *name;  /* the first spelling met, in the site's order */
	size_t count;
};

struct facets {
	struct facet *v;
	size_t n, cap;
};

static void facet_add(struct facets *f, const char *name)
{
	char *slug = slugify(name);
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].slug, slug)) {
			f->v[i].count++;
			free(slug);
			return;
		}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->v = xrealloc(f->v, f->cap * sizeof *f->v);
	}
	f->v[f->n++] = (struct facet){slug, name, 1};
}

static int facet_cmp(const void *pa, const void *pb)
{
	const struct facet *a = pa, *b = pb;
	return strcmp(a->slug, b->slug);
}

/* <list><item slug count>Name</item>...</list>, by slug; each slug freed. */
static void facet_nodes(xmlNodePtr parent, const char *list, const char *item, struct facets *f)
{
	xmlNodePtr l = xmlNewChild(parent, NULL, BAD_CAST list, NULL);
	char count[32];
	if (f->n)
		qsort(f->v, f->n, sizeof *f->v, facet_cmp);
	for (size_t i = 0; i < f->n; i++) {
		xmlNodePtr x = xmlNewTextChild(l, NULL, BAD_CAST item, BAD_CAST f->v[i].name);
		xmlSetProp(x, BAD_CAST "slug", BAD_CAST f->v[i].slug);
		snprintf(count, sizeof count, "%zu", f->v[i].count);
		xmlSetProp(x, BAD_CAST "count", BAD_CAST count);
		free(f->v[i].slug);
	}
	free(f->v);
	*f = (struct facets){0};
}

xmlDocPtr site_page_search(const struct site_ctx *c)
{
	/* a page with the site's head, as every page has; its own type and content */
	xmlDocPtr doc = site_page_404(c);
	xmlNodePtr page = xmlDocGetRootElement(doc);
	struct site_search_params p;
	struct facets kinds = {0}, themes = {0}, tags = {0}, warns = {0};
	static const char *const kind_names[] = {"text", "art", "audio", "music"};
	char num[32];

	xmlSetProp(page, BAD_CAST "type", BAD_CAST "search");
	site_search_params(c->on_site.n, &p);
	xmlNodePtr se = xmlNewChild(page, NULL, BAD_CAST "search", NULL);
	snprintf(num, sizeof num, "%zu", p.stories);
	xmlSetProp(se, BAD_CAST "stories", BAD_CAST num);
	snprintf(num, sizeof num, "%d", p.id_bits);
	xmlSetProp(se, BAD_CAST "id-bits", BAD_CAST num);
	snprintf(num, sizeof num, "%d", p.shard_bits);
	xmlSetProp(se, BAD_CAST "shard-bits", BAD_CAST num);
	snprintf(num, sizeof num, "%d", p.chunk_bits);
	xmlSetProp(se, BAD_CAST "chunk-bits", BAD_CAST num);
	for (size_t k = 0; k < 4; k++) /* every kind, in this order, even when none */
		facet_add(&kinds, kind_names[k]);
	for (size_t k = 0; k < 4; k++)
		kinds.v[k].count = 0;
	for (size_t i = 0; i < c->on_site.n; i++) {
		const struct pub_story *s = c->on_site.v[i]->s;
		const char *kind = site_search_kind(s);
		for (size_t k = 0; k < 4; k++)
			kinds.v[k].count += !strcmp(kind, kind_names[k]);
		for (char **v = s->themes; v && *v; v++)
			facet_add(&themes, *v);
		for (char **v = s->tags; v && *v; v++)
			facet_add(&tags, *v);
		for (char **v = s->warnings; v && *v; v++)
			facet_add(&warns, *v);
	}
	xmlNodePtr kl = xmlNewChild(se, NULL, BAD_CAST "kinds", NULL);
	for (size_t k = 0; k < 4; k++) {
		xmlNodePtr x = xmlNewChild(kl, NULL, BAD_CAST "kind", NULL);
		xmlSetProp(x, BAD_CAST "slug", BAD_CAST kinds.v[k].slug);
		snprintf(num, sizeof num, "%zu", kinds.v[k].count);
		xmlSetProp(x, BAD_CAST "count", BAD_CAST num);
		free(kinds.v[k].slug);
	}
	free(kinds.v);
	facet_nodes(se, "themes", "theme", &themes);
	facet_nodes(se, "tags", "tag", &tags);
	facet_nodes(se, "warnings", "warning", &warns);
	return doc;
}
