/*
 * pipeline.h - the build: from the library's public view to a static site
 * and its feeds in one folder that any static host can serve.
 *
 * site_build() runs the whole pipeline: it takes the public view from the
 * library, asks media/ for renditions, asks site-gen/ for a page per
 * record, asks feeds/ for the podcast feed, and swaps the finished folder
 * in atomically, so a failed build leaves the previous site whole.
 */
#ifndef HEARTH_PIPELINE_H
#define HEARTH_PIPELINE_H

#include "../core/core.h"

/* the build sees only the public side of the library */
#include "../library/public.h"

/* How far the media step of a build has come, for a progress line. */
struct site_progress {
	size_t done;           /* renditions finished (made, cached or skipped) */
	size_t total;          /* renditions the build needs */
	double elapsed;        /* seconds since the media step began */
};

struct site_opts {
	const char *out_dir;   /* NULL: public/ in the library */
	const char *base_url;  /* NULL: base_url from hearth.yaml */
	const char *theme_dir; /* NULL: the default theme */
	int jobs;              /* media work and pages in parallel; 0 = all cores */
	/*
	 * Called (when not NULL) each time a media job is finished, the
	 * last time with done == total; never after the build has given up.
	 * Calls come from the build's worker threads one at a time, so it
	 * must be quick; p is valid only during the call.
	 */
	void (*progress)(void *arg, const struct site_progress *p);
	void *progress_arg;
	/*
	 * One build at a time per library. When another build holds the
	 * library, no_wait fails at once (the message names the holder);
	 * else waiting(waiting_arg, holder) is called once (may be NULL) and
	 * the build waits for it.
	 */
	bool no_wait;
	void (*waiting)(void *arg, const struct lib_lock_holder *holder);
	void *waiting_arg;
	/*
	 * A build takes the files of the current site it keeps as they were
	 * made, without looking at each (pipeline/state.c). verify looks at
	 * every one, makes again any that was changed or removed by hand,
	 * and replaces the site whole, so a file put there by hand goes too.
	 */
	bool verify;
};

/* A story left out of a build because its media could not be made. */
struct site_failure {
	char *slug;
	char *reason;          /* media/'s message: the file and what is wrong */
};

struct site_stats {
	size_t stories;        /* pages written for stories */
	size_t collections;
	size_t feed_items;
	size_t media_made;     /* renditions made in this build */
	size_t media_cached;   /* renditions taken from the cache */
	int rounds;            /* builds made: more than 1 when the catalogue changed meanwhile */
	struct site_failure *failed; /* owned: release with site_stats_release */
	size_t n_failed;
};

/* Frees stats' list of failures and zeroes it; accepts NULL. */
void site_stats_release(struct site_stats *stats);

/*
 * Builds the site, making only what changed since the current site was
 * built (nothing, and writing nothing, when nothing changed: stats then
 * gives the current site's counts, its renditions as cached); stats (may
 * be NULL) gets the counts. It holds the
 * library's build lock throughout, first removes what killed builds left
 * (staging folders, temporary files in cache/), and publishes only a site
 * made from the catalogue as it is at the swap: when the catalogue changed
 * while it built, it builds again (a few times at most, then it fails and
 * publishes nothing). Files a deploy keeps in the output folder (.git,
 * CNAME, ...) are carried into the new site. A story whose media cannot be
 * made is left out of every page and the feed, and the build goes on with
 * the others: it returns 0 and lists the story and the reason in
 * stats->failed (the caller decides how to end).
 */
int site_build(hearth_lib *lib, const struct site_opts *opts,
	       struct site_stats *stats, struct hearth_err *err);

/*
 * What site_build returns, having written nothing, in a program built
 * without media/ (hearth-site) when the records call for a rendition:
 * the build is hearth-media's. Not an error.
 */
#define SITE_NEEDS_MEDIA 2

/*
 * The salt of what media/ remembers of the building programs' work (its
 * memos: media_cover_check_lookup and the like): the identities of
 * hearth-media and hearth-site. media is hearth-media's path, from the
 * lean hearth; NULL in hearth-media or hearth-site, which find themselves.
 * Both ways give the same salt for the same programs.
 */
void site_programs_salt(const char *media, char out[65]);

/*
 * Decides, without reading the public view and without media/ or
 * site-gen/, whether site_build with opts would find nothing to do, from
 * the quick record the last build left (see pipeline/quick.c). program is
 * the hearth-media that would build (borrowed). Takes and releases the
 * build lock as site_build does, and writes nothing. Returns 1 when there
 * is nothing to do (stats, which may be NULL, then gets what site_build
 * would give), 0 when it cannot tell (run site_build), or an error.
 */
int site_build_quick(hearth_lib *lib, const struct site_opts *opts, const char *program,
		     struct site_stats *stats, struct hearth_err *err);

#endif
