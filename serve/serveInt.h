/*
 * serveInt.h - what the files of serve/ share and nobody outside includes.
 * static.c turns a request path into an open file inside the site folder
 * and reads the request's validators and range; serve.c runs the daemon
 * and writes the responses. static.c knows nothing of libmicrohttpd.
 */
#ifndef HEARTH_SERVE_INT_H
#define HEARTH_SERVE_INT_H

#include "serve.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

enum static_result {
	STATIC_FILE,      /* f is filled, f->fd is open */
	STATIC_REDIRECT,  /* a folder named without its final '/' */
	STATIC_NOTFOUND,  /* missing, hidden, a link, or not a plain file */
	STATIC_BAD        /* a path no site file can have: '..', NUL, '\', %2F */
};

struct static_file {
	int fd;             /* owned by the caller once returned */
	struct stat st;
	const char *type;   /* Content-Type; static */
	const char *cache;  /* Cache-Control; static */
};

/*
 * Opens the file the raw request path (still %-escaped, query removed)
 * names under root. Decodes %-escapes once; each component is opened
 * with openat and O_NOFOLLOW from the folder before it, so neither '..'
 * nor a link can lead out of root. Names starting with '.' are not found.
 */
enum static_result static_open(const char *root, const char *raw, struct static_file *f);

/* The Content-Type and Cache-Control for a file name, by its extension. */
void static_type(const char *name, const char **type, const char **cache);

enum static_range {
	RANGE_NONE,  /* no usable Range: send the whole file */
	RANGE_ONE,   /* one satisfiable range: *from and *len */
	RANGE_UNSAT  /* a valid range that lies beyond the end: 416 */
};

/* Reads a Range header (NULL allowed) for a file of size bytes. A list of
 * ranges, or a malformed one, is RANGE_NONE. */
enum static_range static_range(const char *hdr, uint64_t size, uint64_t *from,
			       uint64_t *len);

/* The quoted strong entity tag of a file: size, change time and inode. */
void static_etag(const struct stat *st, char out[80]);

/* True when an If-None-Match list names etag (weakly) or is "*". */
bool static_etag_listed(const char *list, const char *etag);

/* An HTTP date (IMF-fixdate) for t, and back. */
void static_http_date(time_t t, char out[40]);
bool static_parse_date(const char *s, time_t *t);

#endif
