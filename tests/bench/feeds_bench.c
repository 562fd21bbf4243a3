/*
 * feeds_bench.c - how long every feed of a large library takes, and the
 * memory it needs: pipe_feeds_write (pipeline/feeds.c) on the records of
 * N published audio stories (default 10,000) in C collections (default
 * 100, every one a podcast, half of them serial), each story with its
 * Markdown text (rendered into content:encoded and Atom's content), a
 * transcript, chapters and an M4A, each record keyed once as a build
 * keys it before its pages and feeds (key_entries). It writes feed.xml,
 * every collection's feed, atom.xml, feeds.opml and the archives into a
 * folder of its own.
 *
 * Prints one line of figures: the medians over RUNS runs of writing every
 * feed (nothing kept), of a run that keeps every feed (the keys alone, as
 * a build with nothing changed), of a run that makes again only what one
 * new episode changes, the bytes written and the process's peak
 * resident memory, records included. Usage: feeds_bench [N [C [RUNS
 * [DIR]]]]; with DIR, every feed is written once more into DIR and kept
 * there, to compare the bytes of two versions.
 * Timings are never asserted; tests/bench/feeds_bench.sh reads the line.
 */
#define _GNU_SOURCE
#include "../../pipeline/pipelineInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static bool keep_none(void *arg, const char *rel, const char key[65])
{
	(void)arg, (void)rel, (void)key;
	return false;
}

static bool keep_all(void *arg, const char *rel, const char key[65])
{
	(void)arg, (void)rel, (void)key;
	return true;
}

/*
 * What a build after one new episode makes again: the show's feed, the
 * feed of the collection it joined and atom.xml (their archives, the
 * other collections' feeds and feeds.opml are kept).
 */
static bool keep_but_newest(void *arg, const char *rel, const char key[65])
{
	(void)arg, (void)key;
	return strcmp(rel, "feed.xml") && strcmp(rel, "atom.xml") &&
	       strcmp(rel, "collections/collection-000/feed.xml");
}

/* Bytes of every file under dir (du -sb without running it). */
static int64_t tree_bytes(const char *dir)
{
	int64_t n = 0;
	char **names = dir_list(dir, true);
	for (size_t i = 0; names && names[i]; i++) {
		char *p = path_join(dir, names[i]);
		if (path_is_dir(p)) {
			n += tree_bytes(p);
		} else {
			struct buf b = BUF_INIT;
			struct hearth_err ignored;
			if (!file_read(p, &b, &ignored))
				n += (int64_t)b.len;
			buf_release(&b);
		}
		free(p);
	}
	strv_free(names);
	return n;
}

static const char body_text[] =
	"I did not expect the group to help. The first week I sat by the door,\n"
	"coat on, and said my name and nothing else.\n\n"
	"## What changed\n\n"
	"Someone made tea for me without asking how I took it, and got it right.\n"
	"It is a *small* thing. It is the thing I remember.\n\n"
	"- we met on Tuesdays\n- nobody had to talk\n- the kettle was always on\n\n"
	"> You do not have to be fixed to belong here.\n\n"
	"I go every week now. I am the one by the kettle.\n";

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	size_t nc = argc > 2 ? strtoul(argv[2], NULL, 10) : 100;
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	const char *keep_dir = argc > 4 ? argv[4] : NULL;
	struct lib_settings set = {0};
	struct site_ctx c = {0};
	struct pub_story *stories = NULL, **view = NULL;
	struct pub_asset *sound = NULL;
	struct pub_collection *colls = NULL, **collv = NULL;
	char **strs = NULL;      /* every string the records borrow */
	size_t n_strs = 0;
	struct hearth_err err;
	char tmpl[] = "/tmp/feeds-bench.XXXXXX";
	int rc = 1;

	if (!n || !nc || runs < 1 || !mkdtemp(tmpl)) {
		fprintf(stderr, "usage: feeds_bench [STORIES [COLLECTIONS [RUNS [DIR]]]]\n");
		return 2;
	}
	unsetenv("SOURCE_DATE_EPOCH");
	static char title[] = "Hearth Stories", desc[] = "Peer stories", base[] =
		"https://stories.example.org", lang[] = "en", author[] = "The editors",
		cat[] = "Health & Fitness", sub[] = "Mental Health", lic[] = "CC-BY-NC-ND-4.0",
		owner[] = "The editors", email[] = "editors@stories.example.org",
		social[] = "disabled", guid[] = "0a6c1c1e-5a2f-5c43-9d34-6d1f7b4a2e11";
	set.title = title;
	set.description = desc;
	set.base_url = base;
	set.language = lang;
	set.author = author;
	set.category = cat;
	set.subcategory = sub;
	set.license = lic;
	set.owner_name = owner;
	set.owner_email = email;
	set.locked = true;
	set.social_interact = social;
	set.podcast_guid = guid;
	set.media_origin = base;
	set.archive_after = LIB_ARCHIVE_AFTER;

	/* the records: every story on both channels, newest first */
	strs = xcalloc(3 * n + nc + 1, sizeof *strs);
	stories = xcalloc(n, sizeof *stories);
	view = xcalloc(n, sizeof *view);
	sound = xcalloc(n, sizeof *sound);
	char sha[65];
	sha256_hex(body_text, strlen(body_text), sha);
	for (size_t i = 0; i < n; i++) {
		struct pub_story *s = &stories[i];
		char g[37];
		s->slug = strs[n_strs++] = xasprintf("story-%05zu", i);
		uuid5("ead4c236-bf58-58c6-a2c6-a6b28d128cb6", s->slug, g);
		s->guid = strs[n_strs++] = xstrdup(g);
		s->title = strs[n_strs++] =
			xasprintf("Story number %zu: the kettle and the chair", i);
		s->summary = "A short summary of what the story is about, told plainly.";
		s->body = body_text;
		s->body_sha256 = sha;
		s->byline = i % 3 ? "Casey Example" : "Anonymous";
		s->anonymous = i % 3 == 0;
		s->language = "en";
		s->license = "CC-BY-NC-ND-4.0";
		s->published_at = 1700000000 - (int64_t)i * 3600;
		s->on_site = s->on_podcast = true;
		sound[i] = (struct pub_asset){.role = ROLE_AUDIO, .size = 1000000, .duration = 300};
		s->assets = &sound[i];
		s->n_assets = 1;
		s->sound = &sound[i];
		view[i] = s;
	}
	site_ctx_entries(&c, view, n, view, n);
	for (size_t i = 0; i < c.n; i++) {
		struct site_media *m = &c.e[i].m;
		const char *sl = c.e[i].s->slug;
		m->n_audio = 1;
		m->audio[0] = (struct site_audio){
			.src = xasprintf("media/%s/%s.mp3", sl, sl),
			.role = ROLE_AUDIO,
			.size = 3600000 + (int64_t)i,
			.duration = 300,
			.m4a_src = xasprintf("media/%s/%s.m4a", sl, sl),
			.m4a_size = 2400000 + (int64_t)i,
		};
		m->vtt_src = xasprintf("media/%s/%s.vtt", sl, sl);
		m->chapters_src = xasprintf("media/%s/%s.chapters.json", sl, sl);
	}
	/*
	 * each record hashed once, as a build does before its pages and feeds
	 * (pipeline/build.c): the feeds take the records as a build gives
	 * them, and the record's digest is not theirs to make (not timed)
	 */
	key_entries(c.e, c.n);
	/* the collections: story i in collection i % nc, half of them serial */
	colls = xcalloc(nc, sizeof *colls);
	collv = xcalloc(nc, sizeof *collv);
	for (size_t k = 0; k < nc; k++) {
		size_t per = n / nc + 2, at = 0;
		colls[k].slug = strs[n_strs++] = xasprintf("collection-%03zu", k);
		colls[k].title = colls[k].slug;
		colls[k].description = "A collection of stories";
		colls[k].podcast = true;
		colls[k].serial = k % 2;
		colls[k].stories = xcalloc(per, sizeof *colls[k].stories);
		colls[k].episodes = xcalloc(per, sizeof *colls[k].episodes);
		for (size_t i = k; i < n && at + 1 < per; i += nc, at++) {
			colls[k].stories[at] = xstrdup(stories[i].slug);
			colls[k].episodes[at] = xstrdup(stories[i].slug);
		}
		collv[k] = &colls[k];
	}
	c.set = &set;
	c.base_url = base;
	c.cover_src = "cover.jpg";
	c.colls = collv;
	c.n_colls = nc;
	site_ctx_lists(&c);

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double records_mb = (double)ru.ru_maxrss / 1024;
	double *cold = xcalloc((size_t)runs, sizeof *cold);
	double *kept = xcalloc((size_t)runs, sizeof *kept);
	double *cold_cpu = xcalloc((size_t)runs, sizeof *cold_cpu);
	double *one = xcalloc((size_t)runs, sizeof *one);
	int64_t bytes = 0;
	sync(); /* nothing of what ran before still being written back */
	for (int r = 0; r < runs; r++) {
		char *dir = xasprintf("%s/%d", tmpl, r);
		struct pipe_feed_out none = {dir, keep_none, NULL}, all = {dir, keep_all, NULL},
				     newest = {dir, keep_but_newest, NULL};
		struct site_stats st = {0};
		double t0 = now(), c0 = cpu();
		if (pipe_feeds_write(NULL, &c, &none, &st, &err)) {
			fprintf(stderr, "feeds_bench: %s\n", err.msg);
			free(dir);
			goto end;
		}
		cold[r] = now() - t0;
		cold_cpu[r] = cpu() - c0;
		t0 = now();
		if (pipe_feeds_write(NULL, &c, &all, &st, &err)) {
			fprintf(stderr, "feeds_bench: %s\n", err.msg);
			free(dir);
			goto end;
		}
		kept[r] = now() - t0;
		t0 = now();
		if (pipe_feeds_write(NULL, &c, &newest, &st, &err)) {
			fprintf(stderr, "feeds_bench: %s\n", err.msg);
			free(dir);
			goto end;
		}
		one[r] = now() - t0;
		if (!r)
			bytes = tree_bytes(dir);
		rm_rf(dir, &err);
		free(dir);
		/* the next run starts with this one's bytes on the disk, not with
		 * the kernel writing them back under it */
		sync();
	}
	if (keep_dir) {
		struct pipe_feed_out none = {keep_dir, keep_none, NULL};
		if (pipe_feeds_write(NULL, &c, &none, NULL, &err)) {
			fprintf(stderr, "feeds_bench: %s\n", err.msg);
			goto end;
		}
	}
	qsort(cold, (size_t)runs, sizeof *cold, cmp_dbl);
	qsort(kept, (size_t)runs, sizeof *kept, cmp_dbl);
	qsort(cold_cpu, (size_t)runs, sizeof *cold_cpu, cmp_dbl);
	qsort(one, (size_t)runs, sizeof *one, cmp_dbl);
	getrusage(RUSAGE_SELF, &ru);
	printf("stories %zu collections %zu runs %d every_feed_ms %.1f every_feed_cpu_ms %.1f "
	       "kept_ms %.1f one_new_episode_ms %.1f bytes %lld records_rss_mb %.1f peak_rss_mb %.1f\n",
	       n, nc, runs, cold[runs / 2] * 1000, cold_cpu[runs / 2] * 1000,
	       kept[runs / 2] * 1000, one[runs / 2] * 1000, (long long)bytes, records_mb,
	       (double)ru.ru_maxrss / 1024);
	rc = 0;
end:
	free(cold);
	free(kept);
	free(cold_cpu);
	free(one);
	rm_rf(tmpl, &err);
	c.colls = NULL;
	site_ctx_release(&c);
	for (size_t k = 0; k < nc; k++) {
		strv_free(colls[k].stories);
		strv_free(colls[k].episodes);
	}
	free(colls);
	free(collv);
	free(stories);
	free(view);
	free(sound);
	strv_free(strs);
	return rc;
}
