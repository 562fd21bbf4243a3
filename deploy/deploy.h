/*
 * deploy.h - `hearth deploy`: publishing a built site where readers and
 * listeners reach it, to a local folder, over rsync (ssh), or to
 * S3-compatible object storage, and deleting there what the site no
 * longer has, so a withdrawn story leaves the host too.
 *
 * Every destination gets the same order: new and changed media first
 * (media/...), then the other files, the pages and the feeds last, then
 * the deletions (feeds and pages first, media last), so a listener never
 * meets a page or a feed item whose audio is missing. Only what changed is
 * sent: a folder compares size and time, then SHA-256; object storage
 * compares each object's ETag with the MD5 of the file; rsync compares as
 * rsync does. A failed send stops before any deletion, and a second run
 * finishes the job.
 *
 * Names starting with '.' (at any depth) are not part of what is
 * published: never sent, never deleted (a host's .well-known/ stays). A
 * destination that already holds files is refused unless it carries the
 * marker of an earlier deploy (DEPLOY_MARKER) or the caller forces it.
 *
 * This folder speaks to the network (libcurl) and runs rsync, so only
 * hearth-media links it. It reads the built folder and the settings the
 * caller passes; nothing of the catalogue.
 */
#ifndef HEARTH_DEPLOY_H
#define HEARTH_DEPLOY_H

#include "../core/core.h"
#include "../library/public.h"

/* The file at the top of a destination that says a Hearth deploy made it. */
#define DEPLOY_MARKER ".hearth-deploy"
/* Seconds one request (S3) or a silence (rsync) may last when none is given. */
#define DEPLOY_TIMEOUT 120

enum deploy_kind {
	DEPLOY_FOLDER, /* a local folder */
	DEPLOY_RSYNC,  /* [user@]host:path, through rsync and a remote shell */
	DEPLOY_S3      /* s3://bucket/prefix */
};

struct deploy_dest {
	enum deploy_kind kind;
	char *where;  /* the folder, or "[user@]host:path" as given */
	char *bucket; /* DEPLOY_S3 */
	char *prefix; /* DEPLOY_S3: no leading or trailing '/', "" for the whole bucket */
};

/*
 * Reads a destination as the command line gives it: "s3://bucket[/prefix]",
 * "[user@]host:path" (a colon before any '/'), else a local folder. Fills
 * out (release with deploy_dest_release).
 */
int deploy_dest_parse(const char *arg, struct deploy_dest *out, struct hearth_err *err);
void deploy_dest_release(struct deploy_dest *d); /* frees the strings, not d */

enum deploy_action {
	DEPLOY_SENT,    /* a file new or changed at the destination */
	DEPLOY_DELETED  /* a file the site no longer has, deleted there */
};

struct deploy_opts {
	bool force;                /* deploy into a destination never deployed to */
	bool no_wait;              /* fail at once while a build holds the library */
	/* the library's lock is held: called once before waiting (may be NULL) */
	void (*waiting)(void *arg, const struct lib_lock_holder *h);
	void *waiting_arg;
	const struct lib_settings *settings; /* deploy.*: borrowed, may be NULL */
	long timeout;              /* seconds; 0: DEPLOY_TIMEOUT */
	const char *user_agent;    /* may be NULL */
	/* each file sent or deleted, in order (may be NULL) */
	void (*note)(void *arg, enum deploy_action action, const char *path);
	void *note_arg;
};

struct deploy_report {
	size_t files;    /* files of the site (names starting with '.' aside) */
	size_t sent;     /* of them, sent: new or changed at the destination */
	size_t deleted;  /* files deleted at the destination */
	bool marked;     /* the destination was marked as a Hearth deploy by this run */
	bool started;    /* the destination was accepted and sending began */
};

/*
 * Publishes the site in site_dir (a folder `hearth build` made: it holds
 * .hearth-site) to dest, holding the library's build lock the whole time
 * so no build changes the folder meanwhile (waiting for a running build,
 * or with no_wait failing at once, naming it). Refuses a destination that
 * holds anything but names starting with '.' and has no DEPLOY_MARKER,
 * unless force; refuses a local folder that is the site, holds it or is
 * inside it. S3 credentials come from the environment only:
 * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (refused when missing),
 * AWS_SESSION_TOKEN when set. The report says what was done, also on
 * failure (what was sent before it).
 */
int deploy_site(hearth_lib *lib, const char *site_dir, const struct deploy_dest *dest,
		const struct deploy_opts *opts, struct deploy_report *report,
		struct hearth_err *err);

/* As deploy_site, without the library's lock: the caller holds it or has none. */
int deploy_run(const char *site_dir, const struct deploy_dest *dest,
	       const struct deploy_opts *opts, struct deploy_report *report,
	       struct hearth_err *err);

/*
 * What a file of the site is served as, from its name: "text/html;
 * charset=utf-8", "audio/mpeg", "text/vtt; charset=utf-8",
 * "application/json+chapters" (a story's chapters), ...; borrows a
 * constant ("application/octet-stream" when unknown).
 */
const char *deploy_content_type(const char *path);

/*
 * The Cache-Control a file is sent with: "no-cache" for pages, feeds and
 * everything that names other files or may be withdrawn in a hurry
 * (HTML, XML, JSON, the transcripts), "public, max-age=300" for media,
 * pictures and the style sheet. Their names do not change with their
 * bytes (an episode's address never changes), so nothing is immutable.
 * Borrows a constant.
 */
const char *deploy_cache_control(const char *path);

#endif
