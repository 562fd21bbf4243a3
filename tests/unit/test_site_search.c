/*
 * test_site_search.c - the search index brought up to date shard by
 * shard (site_search_merge): from a clean index's shards, without the
 * postings of the stories that changed or left and with those added
 * again, each shard must be the bytes a clean index of the new stories
 * gives; and bytes that are not such a shard are refused.
 */
#include "../../core/core.h"
#include "../../site-gen/siteInt.h"
#include "t.h"

#include <inttypes.h>

/* ---- fixtures ------------------------------------------------------------ */

#define N_STORIES 300

static struct lib_settings set;

/* A story and the strings it owns (the record's fields only borrow). */
struct owned {
	struct pub_story s; /* first: a story is its owner */
	char *slug, *title, *summary, *body;
};

/* Story i: words every story has, words some have, and its own. */
static struct pub_story *story(size_t i, const char *extra)
{
	struct owned *o = xcalloc(1, sizeof *o);
	o->s.slug = o->slug = xasprintf("story-%zu", i);
	o->s.title = o->title = xasprintf("Story %zu", i);
	o->s.summary = o->summary = xasprintf("The summary of story %zu.", i);
	o->s.body = o->body = xasprintf("The body of story %zu: what happened, what helped. "
					"Word%zu and group%zu, kind%zu.%s",
					i, i, i % 7, i % 31, extra ? extra : "");
	o->s.on_site = true;
	o->s.published_at = 1700000000 + (int64_t)i;
	return &o->s;
}

static void story_free(struct pub_story *s)
{
	struct owned *o = (struct owned *)s;
	free(o->slug);
	free(o->title);
	free(o->summary);
	free(o->body);
	free(o);
}

/* The stories of v (n of them) as the site view. */
static void make_ctx(struct site_ctx *c, struct pub_story **v, size_t n)
{
	memset(c, 0, sizeof *c);
	c->set = &set;
	c->base_url = "https://stories.example.org";
	site_ctx_entries(c, v, n, NULL, 0);
	site_ctx_lists(c);
}

/* The index of c with every story added: its files (free with site_search_files_free). */
static struct site_search_file *clean_index(const struct site_ctx *c, size_t *n)
{
	site_search *s = site_search_new(c);
	struct site_search_file *files = NULL;
	struct hearth_err err;
	for (size_t i = 0; i < site_search_count(s); i++)
		site_search_add(s, i, site_search_entry(s, i)->s->body);
	if (site_search_files(s, true, NULL, &files, n, &err))
		files = NULL;
	site_search_free(&s);
	return files;
}

static const struct site_search_file *find(const struct site_search_file *v, size_t n,
					   const char *rel)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].rel, rel))
			return &v[i];
	return NULL;
}

/* The number story slug has in an index of c. */
static uint32_t number_of(const struct site_ctx *c, const char *slug)
{
	site_search *s = site_search_new(c);
	uint32_t id = UINT32_MAX;
	for (size_t i = 0; i < site_search_count(s); i++)
		if (!strcmp(site_search_entry(s, i)->s->slug, slug))
			id = site_search_id(s, i);
	site_search_free(&s);
	return id;
}

/*
 * Brings the index of before up to date with after: drops the numbers
 * drop (sorted) in before, adds the stories of after named in add, and
 * merges every shard; true when each is the bytes of after's clean index
 * (and a shard it does not have is left empty).
 */
static bool merged_equals_clean(const struct site_ctx *before, const struct site_ctx *after,
				const char *const *add, const uint32_t *drop, size_t n_drop)
{
	size_t n_old = 0, n_new = 0;
	struct site_search_file *old = clean_index(before, &n_old);
	struct site_search_file *clean = clean_index(after, &n_new);
	site_search *s = site_search_new(after);
	struct site_search_params par;
	struct buf out = BUF_INIT;
	bool same = old && clean;
	char rel[32];

	for (size_t i = 0; i < site_search_count(s); i++)
		for (size_t k = 0; add[k]; k++)
			if (!strcmp(site_search_entry(s, i)->s->slug, add[k]))
				site_search_add(s, i, site_search_entry(s, i)->s->body);
	site_search_get_params(s, &par);
	for (uint32_t v = 0; same && v < (1u << par.shard_bits); v++) {
		snprintf(rel, sizeof rel, "search/t/%03" PRIx32 ".bin", v);
		const struct site_search_file *was = find(old, n_old, rel);
		const struct site_search_file *want = find(clean, n_new, rel);
		buf_reset(&out);
		same = !site_search_merge(s, v, was ? was->data.data : "", was ? was->data.len : 0,
					  drop, n_drop, &out);
		same = same && (want ? out.len == want->data.len &&
					       !memcmp(out.data, want->data.data, out.len)
				     : out.len == 0);
		/* checking alone says the same */
		same = same && !site_search_merge(s, v, was ? was->data.data : "",
						  was ? was->data.len : 0, drop, n_drop, NULL);
	}
	buf_release(&out);
	site_search_free(&s);
	site_search_files_free(old, n_old);
	site_search_files_free(clean, n_new);
	return same;
}

/* ---- tests --------------------------------------------------------------- */

/* An edit of one story's body: its words' postings move, a word it loses goes. */
static void test_merge_edit(void)
{
	struct pub_story *a[N_STORIES], *b[N_STORIES];
	struct site_ctx before, after;
	for (size_t i = 0; i < N_STORIES; i++) {
		a[i] = story(i, i == 37 ? " Marigolds." : NULL);
		b[i] = i == 37 ? story(i, " Sunflowers and more words than before.") : a[i];
	}
	make_ctx(&before, a, N_STORIES);
	make_ctx(&after, b, N_STORIES);
	uint32_t id = number_of(&before, "story-37");
	const char *add[] = {"story-37", NULL};
	bool same = merged_equals_clean(&before, &after, add, &id, 1);
	site_ctx_release(&before);
	site_ctx_release(&after);
	story_free(b[37]);
	for (size_t i = 0; i < N_STORIES; i++)
		story_free(a[i]);
	CHECK(same);
}

/* A story that leaves and one that comes, in one update. */
static void test_merge_leave_and_come(void)
{
	struct pub_story *a[N_STORIES], *b[N_STORIES];
	struct site_ctx before, after;
	for (size_t i = 0; i < N_STORIES; i++)
		a[i] = story(i, NULL);
	memcpy(b, a, sizeof b);
	b[5] = story(N_STORIES + 1, " Xylophonist."); /* story-5 left, story-301 came */
	make_ctx(&before, a, N_STORIES);
	make_ctx(&after, b, N_STORIES);
	uint32_t id = number_of(&before, "story-5");
	const char *add[] = {"story-301", NULL};
	bool same = merged_equals_clean(&before, &after, add, &id, 1);
	site_ctx_release(&before);
	site_ctx_release(&after);
	story_free(b[5]);
	for (size_t i = 0; i < N_STORIES; i++)
		story_free(a[i]);
	CHECK(same);
}

static int id_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

/* 32-bit FNV-1a of s, as docs/search.md gives it. */
static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/*
 * The numbers of s in ascending order, each the top id_bits of its slug's
 * hash unless a story before it in slug order holds that one: then the
 * next free one.
 */
static bool numbers_as_documented(const site_search *s)
{
	struct site_search_params par;
	site_search_get_params(s, &par);
	for (size_t i = 0; i < site_search_count(s); i++) {
		const char *slug = site_search_entry(s, i)->s->slug;
		uint32_t id = site_search_id(s, i), own = fnv(slug) >> (32 - par.id_bits);
		if (i && id <= site_search_id(s, i - 1))
			return false;
		if (id == own)
			continue;
		/* taken: by the story before, whose hash is as high, and whose slug is first */
		const char *prev = i ? site_search_entry(s, i - 1)->s->slug : NULL;
		if (!prev || id != site_search_id(s, i - 1) + 1 ||
		    (fnv(prev) >> (32 - par.id_bits)) < own || (own == fnv(prev) >> (32 - par.id_bits) &&
							       strcmp(prev, slug) > 0))
			return false;
	}
	return true;
}

/*
 * Enough stories that most distances between numbers take one byte (the
 * postings passed over a pair of bytes at a time): three edited, among
 * them the first and the last by number, one gone and one come.
 */
#define N_MANY 2500

static void test_merge_many(void)
{
	struct pub_story **a = xcalloc(N_MANY, sizeof *a), **b = xcalloc(N_MANY, sizeof *b);
	struct site_ctx before, after;
	for (size_t i = 0; i < N_MANY; i++)
		a[i] = b[i] = story(i, NULL);
	make_ctx(&before, a, N_MANY);
	site_search *s = site_search_new(&before);
	bool numbered = numbers_as_documented(s);
	size_t edit[3] = {0, 0, 0};
	const char *slugs[3] = {site_search_entry(s, 0)->s->slug,
				site_search_entry(s, N_MANY / 2)->s->slug,
				site_search_entry(s, N_MANY - 1)->s->slug};
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < N_MANY; i++)
			if (a[i]->slug == slugs[k])
				edit[k] = i;
	site_search_free(&s);
	uint32_t drop[4];
	for (size_t k = 0; k < 3; k++) {
		drop[k] = number_of(&before, a[edit[k]]->slug);
		b[edit[k]] = story(edit[k], k == 1 ? " Marigolds, word1 and group3." : " Sunflowers.");
	}
	drop[3] = number_of(&before, "story-9");
	b[9] = story(N_MANY + 1, " Xylophonist and group2.");
	qsort(drop, 4, sizeof *drop, id_cmp);
	make_ctx(&after, b, N_MANY);
	char *add[5] = {NULL};
	for (size_t k = 0; k < 3; k++)
		add[k] = xstrdup(b[edit[k]]->slug);
	add[3] = xasprintf("story-%d", N_MANY + 1);
	bool same = merged_equals_clean(&before, &after, (const char *const *)add, drop, 4);
	site_ctx_release(&before);
	site_ctx_release(&after);
	for (size_t k = 0; k < 4; k++)
		free(add[k]);
	for (size_t k = 0; k < 3; k++)
		story_free(b[edit[k]]);
	story_free(b[9]);
	for (size_t i = 0; i < N_MANY; i++)
		story_free(a[i]);
	free(a);
	free(b);
	CHECK(numbered);
	CHECK(same);
}

/* Bytes that are not the shard: cut short, another shard's, or out of order. */
static void test_merge_refuses(void)
{
	struct pub_story *a[N_STORIES];
	struct site_ctx c;
	size_t n = 0;
	for (size_t i = 0; i < N_STORIES; i++)
		a[i] = story(i, NULL);
	make_ctx(&c, a, N_STORIES);
	struct site_search_file *files = clean_index(&c, &n);
	site_search *s = site_search_new(&c);
	struct buf out = BUF_INIT;
	const struct site_search_file *f = files ? find(files, n, "search/t/000.bin") : NULL;
	const struct site_search_file *g = files ? find(files, n, "search/t/001.bin") : NULL;
	bool ok = f && g && f->data.len > 4;
	if (ok) {
		ok = !site_search_merge(s, 0, f->data.data, f->data.len, NULL, 0, &out) &&
		     out.len == f->data.len && !memcmp(out.data, f->data.data, out.len);
		ok = ok && site_search_merge(s, 0, f->data.data, f->data.len - 1, NULL, 0, NULL);
		ok = ok && site_search_merge(s, 0, g->data.data, g->data.len, NULL, 0, NULL);
		ok = ok && site_search_merge(s, 1u << 20, f->data.data, f->data.len, NULL, 0, NULL);
		/* the same term twice */
		struct buf twice = BUF_INIT;
		buf_add(&twice, f->data.data, f->data.len);
		buf_add(&twice, f->data.data, f->data.len);
		ok = ok && site_search_merge(s, 0, twice.data, twice.len, NULL, 0, NULL);
		buf_release(&twice);
		/* a term of one-byte distances: kept as it is; with a zero distance or cut short, refused */
		struct site_search_params par;
		char term[16];
		site_search_get_params(s, &par);
		for (int k = 0; k < 100000; k++) {
			snprintf(term, sizeof term, "zq%d", k);
			if (!site_search_shard(&par, term, strlen(term)))
				break;
		}
		unsigned char t[32] = {(unsigned char)strlen(term)};
		size_t len = 1 + strlen(term);
		memcpy(t + 1, term, strlen(term));
		static const unsigned char post[] = {3, 5, 1, 1, 7, 2, 9}; /* df 3: 5, 6, 8 */
		memcpy(t + len, post, sizeof post);
		len += sizeof post;
		buf_reset(&out);
		ok = ok && !site_search_merge(s, 0, t, len, NULL, 0, &out) && out.len == len &&
		     !memcmp(out.data, t, len);
		ok = ok && site_search_merge(s, 0, t, len - 1, NULL, 0, &out);
		t[len - 2] = 0; /* the third posting's distance */
		ok = ok && site_search_merge(s, 0, t, len, NULL, 0, &out);
	}
	buf_release(&out);
	site_search_free(&s);
	site_search_files_free(files, n);
	site_ctx_release(&c);
	for (size_t i = 0; i < N_STORIES; i++)
		story_free(a[i]);
	CHECK(ok);
}

int main(void)
{
	static char title[] = "Hearth Stories", base[] = "https://stories.example.org",
		    lang[] = "en";
	set.title = title;
	set.base_url = base;
	set.language = lang;
	RUN(test_merge_edit);
	RUN(test_merge_leave_and_come);
	RUN(test_merge_many);
	RUN(test_merge_refuses);
	return 0;
}
