/*
 * deployInt.h - what the files of deploy/ share, for deploy/ and its unit
 * tests only: the site as a list of files in the order they are sent,
 * and each destination's run. The files call each other one way:
 * deploy.c (the run) calls site.c and one of folder.c, rsync.c or s3.c;
 * those three call only site.c, never each other.
 */
#ifndef HEARTH_DEPLOY_INT_H
#define HEARTH_DEPLOY_INT_H

#include "deploy.h"

#include <time.h>

/* The order files are sent in; deletions go the other way. */
enum dep_phase {
	DEP_MEDIA,  /* media/...: renditions, transcripts, chapters */
	DEP_FILES,  /* the rest that pages name: style sheet, pictures, scripts */
	DEP_PAGES,  /* *.html */
	DEP_FEEDS   /* feeds, OPML, the sitemap: whatever names the pages and media */
};

struct dep_file {
	char *rel;               /* the path in the site, '/' between names */
	int64_t size;
	struct timespec mtime;
	enum dep_phase phase;
};

/* The files of a built site, sorted by phase, then by path. */
struct dep_site {
	char *dir;               /* the site folder */
	struct dep_file *files;
	size_t n;
	struct dep_file **by_rel; /* the same files sorted by rel, for dep_site_find */
};

/*
 * Lists the regular files of the built site in dir (names starting with
 * '.' left out); refuses a folder without .hearth-site, and a link or a
 * special file in the site. Release with dep_site_release.
 */
int dep_site_list(const char *dir, struct dep_site *out, struct hearth_err *err);
void dep_site_release(struct dep_site *s);
/* The file of the site at rel, or NULL. Borrows. */
const struct dep_file *dep_site_find(const struct dep_site *s, const char *rel);

/* Which phase a path of the site belongs to. */
enum dep_phase dep_phase_of(const char *rel);
/* True when a name of rel starts with '.': never sent, never deleted. */
bool dep_hidden(const char *rel);
/* Sorts paths for deletion: feeds first, media last, then by path. */
void dep_sort_for_deletion(char **paths, size_t n);

/* Tells the caller's note callback, when there is one (site.c). */
void dep_note(const struct deploy_opts *o, enum deploy_action a, const char *rel);

/* The runs of each kind of destination; the site is listed, the lock held. */
int dep_folder_run(const struct dep_site *site, const char *dest,
		   const struct deploy_opts *o, struct deploy_report *r,
		   struct hearth_err *err);
int dep_rsync_run(const struct dep_site *site, const char *dest,
		  const struct deploy_opts *o, struct deploy_report *r,
		  struct hearth_err *err);
int dep_s3_run(const struct dep_site *site, const struct deploy_dest *dest,
	       const struct deploy_opts *o, struct deploy_report *r,
	       struct hearth_err *err);
/* The S3 credentials are in the environment (checked before any work). */
int dep_s3_check_env(struct hearth_err *err);

/* ---- S3 (s3.c), for the unit tests too ---------------------------------- */

/* One object of a listing: its key without the prefix, its ETag unquoted. */
struct dep_object {
	char *rel;
	char *etag;
	int64_t size;
};

struct dep_listing {
	struct dep_object *objects;
	size_t n;
};

/*
 * Reads one page of a ListObjectsV2 answer (XML) into *list (appending),
 * keys with the prefix taken off (prefix is "" or ends with '/'; keys
 * outside it are left out). *next gets the continuation token when the
 * answer is truncated (a new allocation), else NULL.
 */
int dep_s3_parse_list(const char *xml, size_t n, const char *prefix,
		      struct dep_listing *list, char **next, struct hearth_err *err);
void dep_listing_release(struct dep_listing *l);

/*
 * True when an object's ETag says it holds the bytes whose MD5 is md5:
 * the ETag of a single-part upload is that MD5 in hex (quotes and case
 * aside); a multipart ETag ("...-N") never matches, so the file is sent
 * again as one part.
 */
bool dep_etag_matches(const char *etag, const unsigned char md5[16]);

/*
 * Escapes s for a URL path or a canonical query of SigV4: every byte but
 * A-Z a-z 0-9 - . _ ~ as %XX (uppercase), and '/' too unless keep_slash.
 * Appends to b.
 */
void dep_uri_escape(struct buf *b, const char *s, bool keep_slash);

#endif
