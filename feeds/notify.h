/*
 * notify.h - telling listeners' apps that the feeds changed: a WebSub
 * publish to every hub in the settings and the Podcast Index's pubnotify,
 * for each feed of a built site whose bytes changed since the last time
 * they were announced. The feeds' writers are in feeds.h; this is the
 * one part of feeds/ that speaks to the network (libcurl), so only
 * hearth-media links it.
 *
 * What was announced is kept beside the output folder, in
 * ".hearth-notified.<name>" (never in the site): for each feed and each
 * place told, the SHA-256 of the feed's bytes when it was accepted. A
 * feed is announced again to a place only when its bytes, its address or
 * the place differ from that record; a place that failed keeps its old
 * record, so the next run tries it again.
 */
#ifndef HEARTH_FEEDS_NOTIFY_H
#define HEARTH_FEEDS_NOTIFY_H

#include "../core/core.h"

/* Seconds one request may take when the caller gives none. */
#define FEED_NOTIFY_TIMEOUT 30

enum feed_notify_kind {
	NOTIFY_WEBSUB,       /* POST hub.mode=publish&hub.url=<feed> to a hub */
	NOTIFY_PODCASTINDEX  /* GET <endpoint>?url=<feed> */
};

struct feed_notify_opts {
	char *const *hubs;            /* WebSub hubs, NULL-terminated; may be NULL */
	const char *podcastindex_url; /* the pubnotify endpoint; NULL: not told */
	bool all;                     /* every feed, changed or not */
	bool dry_run;                 /* decide and describe; send and record nothing */
	long timeout;                 /* seconds for one request; 0: FEED_NOTIFY_TIMEOUT */
	const char *user_agent;       /* e.g. "hearth/0.1.0"; may be NULL */
};

/* One request: made, or (dry run) only described. */
struct feed_notify_send {
	enum feed_notify_kind kind;
	char *endpoint;   /* the hub or the pubnotify endpoint, as in the settings */
	char *feed;       /* the feed's path in the site ("collections/x/feed.xml") */
	char *feed_url;   /* the address announced: the feed's own atom:link rel=self */
	char *method;     /* "POST" or "GET" */
	char *url;        /* what is requested (for GET, with the query) */
	char *body;       /* the form sent with POST, else NULL */
	long status;      /* the HTTP status of the answer, 0 when none came */
	char *error;      /* why it failed (names neither endpoint nor feed), or NULL */
};

struct feed_notify_report {
	size_t feeds;                  /* feeds found in the site */
	size_t changed;                /* of them, announced to at least one place */
	struct feed_notify_send *sends; /* in order: by feed, then hubs, then the index */
	size_t n_sends;
	size_t failed;                 /* sends with an error */
};

/*
 * Checks the address of a place to tell: https, or http only to a
 * loopback address (127.0.0.0/8, ::1, localhost) for tests and local
 * hubs; no credentials, no fragment, nothing a request could misread.
 * The message says what is wrong without naming the setting.
 */
int feed_notify_check_url(const char *url, struct hearth_err *err);

/*
 * Announces the feeds of the site in out_dir: feed.xml, atom.xml and
 * collections/<slug>/feed.xml, each found by its own atom:link rel=self
 * (an RSS feed is a podcast, for the Podcast Index too; atom.xml goes to
 * the hubs only). Feeds unchanged since their last announcement to a
 * place are left out unless opts->all. Requests follow at most three
 * redirects and only to https; a place that does not answer at all is
 * not asked again in this run (its later sends fail with it).
 *
 * Returns 0 when it could try (report says what was sent and what
 * failed; a failed send is not an error of this call), or an error when
 * nothing could be tried: a bad endpoint, no site in out_dir, a feed
 * without an address or under init's placeholder address, the record
 * unreadable. The record is written atomically after the sends, with
 * what was accepted; a dry run writes nothing. report is filled on
 * success; release it with feed_notify_report_release.
 */
int feed_notify(const char *out_dir, const struct feed_notify_opts *opts,
		struct feed_notify_report *report, struct hearth_err *err);

/* Frees what report holds and zeroes it; accepts NULL. */
void feed_notify_report_release(struct feed_notify_report *report);

/* The record's path for out_dir: ".hearth-notified.<name>" beside it. New allocation. */
char *feed_notify_record_path(const char *out_dir);

#endif
